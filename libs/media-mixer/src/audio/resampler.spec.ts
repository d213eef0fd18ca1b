import { InvalidArgumentError } from '../errors';
import { Resampler } from './resampler';
import { amplitudeDb, rmsLevel, toneAmplitude } from './tone-level';

const tone = (rate: number, f: number, seconds: number, amp = 10000): Int16Array =>
  Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * f * i) / rate)));

/** Runs a stream through a resampler in frames of `frameMs`. */
function run(r: Resampler, x: Int16Array, frameMs = 20): Int16Array {
  const frame = (r.inputRate * frameMs) / 1000;
  const parts: Int16Array[] = [];
  for (let i = 0; i < x.length; i += frame) parts.push(r.process(x.subarray(i, i + frame)));
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** Frequency (Hz, 5 Hz grid) of the strongest component between `lo` and `hi`. */
function peakFrequency(x: Int16Array, rate: number, lo: number, hi: number): number {
  let best = lo;
  let bestAmp = -1;
  for (let f = lo; f <= hi; f += 5) {
    const a = toneAmplitude(x, rate, f);
    if (a > bestAmp) [best, bestAmp] = [f, a];
  }
  return best;
}

describe('Resampler', () => {
  it('keeps a 1 kHz tone within 0.5 dB and at 1 kHz through 8k → 48k → 8k', () => {
    const x = tone(8000, 1000, 1);
    const up = run(new Resampler(8000, 48000), x);
    expect(up).toHaveLength(48000);
    const back = run(new Resampler(48000, 8000), up);
    expect(back).toHaveLength(8000);
    const steady = back.subarray(800); // skip the filters' start-up
    expect(Math.abs(amplitudeDb(toneAmplitude(steady, 8000, 1000), 10000))).toBeLessThan(0.5);
    expect(peakFrequency(steady, 8000, 500, 3500)).toBe(1000);
    const upSteady = up.subarray(4800);
    expect(Math.abs(amplitudeDb(toneAmplitude(upSteady, 48000, 1000), 10000))).toBeLessThan(0.5);
  });

  it('rejects a 6 kHz tone by at least 30 dB going 16k → 8k (no alias at 2 kHz)', () => {
    const x = tone(16000, 6000, 1);
    const y = run(new Resampler(16000, 8000), x).subarray(800);
    expect(amplitudeDb(rmsLevel(y), rmsLevel(x))).toBeLessThan(-30);
    expect(amplitudeDb(toneAmplitude(y, 8000, 2000), 10000)).toBeLessThan(-30);
  });

  it('leaves no image above 4 kHz when upsampling 8k → 16k', () => {
    const y = run(new Resampler(8000, 16000), tone(8000, 3000, 1)).subarray(1600);
    expect(amplitudeDb(toneAmplitude(y, 16000, 5000), 10000)).toBeLessThan(-30);
    expect(Math.abs(amplitudeDb(toneAmplitude(y, 16000, 3000), 10000))).toBeLessThan(1);
  });

  it.each([
    [8000, 16000],
    [16000, 8000],
    [16000, 48000],
    [48000, 16000],
    [8000, 48000],
    [48000, 8000],
  ])('returns exactly one 20 ms frame per 20 ms frame (%p → %p)', (from, to) => {
    const r = new Resampler(from, to);
    for (let k = 0; k < 5; k++) expect(r.process(new Int16Array(from / 50))).toHaveLength(to / 50);
  });

  it('gives the same stream whatever the chunking', () => {
    const x = tone(8000, 700, 0.2);
    const whole = new Resampler(8000, 48000).process(x);
    const r = new Resampler(8000, 48000);
    const pieces = [x.subarray(0, 7), x.subarray(7, 100), x.subarray(100, 101), x.subarray(101)].map((p) => r.process(p));
    const joined = Int16Array.from(pieces.flatMap((p) => Array.from(p)));
    expect(joined).toEqual(whole);
  });

  it('passes audio through unchanged at equal rates', () => {
    const x = tone(16000, 440, 0.02);
    expect(new Resampler(16000, 16000).process(x)).toEqual(x);
  });

  it('starts from silence again after reset()', () => {
    const r = new Resampler(16000, 8000);
    r.process(tone(16000, 440, 0.02, 30000));
    r.reset();
    expect(r.process(new Int16Array(320))).toEqual(new Int16Array(160));
  });

  it('clamps instead of wrapping around on overshoot', () => {
    const square = Int16Array.from({ length: 1600 }, (_, i) => ((i >> 4) & 1 ? 32767 : -32768));
    const y = new Resampler(8000, 48000).process(square);
    expect(Math.max(...y)).toBe(32767);
    expect(Math.min(...y)).toBe(-32768);
  });

  it.each([
    [0, 8000],
    [8000, -1],
    [8000.5, 16000],
  ])('rejects the rates %p → %p', (a, b) => {
    expect(() => new Resampler(a, b)).toThrow(InvalidArgumentError);
  });
});
