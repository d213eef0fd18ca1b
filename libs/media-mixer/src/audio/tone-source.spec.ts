import { InvalidArgumentError } from '../errors';
import { rmsLevel, toneAmplitude } from './tone-level';
import { PIN_PROMPT_TONE, ToneSource } from './tone-source';

const RATE = 16000;
const FRAME = 320;

function frames(source: ToneSource, count: number): Int16Array[] {
  return Array.from({ length: count }, () => source.next());
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('ToneSource', () => {
  it('a continuous tone has its frequency at the requested level and nothing at others', () => {
    const pcm = concat(frames(new ToneSource({ frequencies: [425], levelDbfs: -6 }, RATE, FRAME), 10));
    const expected = 32767 * 10 ** (-6 / 20);
    expect(toneAmplitude(pcm, RATE, 425)).toBeGreaterThan(expected * 0.95);
    expect(toneAmplitude(pcm, RATE, 425)).toBeLessThan(expected * 1.05);
    expect(toneAmplitude(pcm, RATE, 1000)).toBeLessThan(expected / 100);
  });

  it('a dual tone carries both frequencies; the sum stays within the level', () => {
    const pcm = concat(frames(new ToneSource({ frequencies: [350, 440], levelDbfs: -10 }, RATE, FRAME), 10));
    const peak = 32767 * 10 ** (-10 / 20);
    expect(toneAmplitude(pcm, RATE, 350)).toBeGreaterThan((peak / 2) * 0.9);
    expect(toneAmplitude(pcm, RATE, 440)).toBeGreaterThan((peak / 2) * 0.9);
    expect(Math.max(...pcm.map(Math.abs))).toBeLessThanOrEqual(Math.ceil(peak));
  });

  it('the PIN prompt: two 200 ms beeps of 1000 Hz, then silence, repeating every 3 s', () => {
    const all = concat(frames(new ToneSource(PIN_PROMPT_TONE, RATE, FRAME), 300)); // 6 s
    const ms = (from: number, to: number): Int16Array => all.subarray((from * RATE) / 1000, (to * RATE) / 1000);
    for (const cycle of [0, 3000]) {
      expect(toneAmplitude(ms(cycle + 20, cycle + 180), RATE, 1000)).toBeGreaterThan(3000);
      expect(rmsLevel(ms(cycle + 200, cycle + 400))).toBe(0);
      expect(toneAmplitude(ms(cycle + 420, cycle + 580), RATE, 1000)).toBeGreaterThan(3000);
      expect(rmsLevel(ms(cycle + 600, cycle + 3000))).toBe(0);
    }
  });

  it('the phase runs on across frames (no step at frame edges)', () => {
    const [a, b] = frames(new ToneSource({ frequencies: [1000], levelDbfs: 0 }, RATE, FRAME), 2);
    const step = (2 * Math.PI * 1000) / RATE;
    // Largest sample-to-sample difference of a full-scale sine is about amplitude × step.
    expect(Math.abs(b[0] - a[FRAME - 1])).toBeLessThanOrEqual(Math.ceil(32767 * step) + 1);
  });

  it('rejects tones it cannot produce', () => {
    expect(() => new ToneSource({ frequencies: [] }, RATE, FRAME)).toThrow(InvalidArgumentError);
    expect(() => new ToneSource({ frequencies: [9000] }, RATE, FRAME)).toThrow(InvalidArgumentError);
    expect(() => new ToneSource({ frequencies: [1000], levelDbfs: 3 }, RATE, FRAME)).toThrow(InvalidArgumentError);
    expect(() => new ToneSource({ frequencies: [1000], cadenceMs: [200, 0] }, RATE, FRAME)).toThrow(InvalidArgumentError);
    expect(() => new ToneSource({ frequencies: [1000] }, RATE, 0)).toThrow(InvalidArgumentError);
  });
});
