import { PacketLossConcealer } from './packet-loss-concealment';
import { rmsLevel, toneAmplitude } from './tone-level';

const RATE = 8000;
const FRAME = 160;
const tone = (start: number, n: number, f = 220, amp = 8000): Int16Array =>
  Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * f * (start + i)) / RATE)));

function primed(f = 220): PacketLossConcealer {
  const plc = new PacketLossConcealer(RATE);
  for (let k = 0; k < 10; k++) plc.accept(tone(k * FRAME, FRAME, f));
  return plc;
}

describe('PacketLossConcealer', () => {
  it('returns silence when nothing was received yet', () => {
    expect(new PacketLossConcealer(RATE).conceal(FRAME)).toEqual(new Int16Array(FRAME));
  });

  it('continues a periodic signal across a lost frame at its pitch and level', () => {
    const out = primed().conceal(FRAME);
    const first10ms = out.subarray(0, 80);
    expect(toneAmplitude(first10ms, RATE, 220)).toBeGreaterThan(8000 * 0.8);
    // Continuity at the boundary: the first synthetic sample is close to where the tone would be.
    const expected = tone(10 * FRAME, 1)[0];
    expect(Math.abs(out[0] - expected)).toBeLessThan(1500);
  });

  it('fades out over a long loss and is silent after 60 ms', () => {
    const plc = primed();
    const frames = Array.from({ length: 5 }, () => plc.conceal(FRAME));
    const levels = frames.map((f) => rmsLevel(f));
    expect(levels[1]).toBeLessThan(levels[0]);
    expect(levels[2]).toBeLessThan(levels[1]);
    expect(levels[3]).toBe(0);
    expect(levels[4]).toBe(0);
  });

  it('cross-fades the first good frame after a loss', () => {
    const plc = primed();
    plc.conceal(FRAME);
    const next = plc.accept(new Int16Array(FRAME));
    expect(rmsLevel(next.subarray(0, 16))).toBeGreaterThan(500);
    expect(rmsLevel(next.subarray(40))).toBe(0);
    // A frame without a preceding loss is untouched.
    const again = plc.accept(new Int16Array(FRAME));
    expect(rmsLevel(again)).toBe(0);
  });

  it('starts each loss at full level, even after losses before the history filled', () => {
    const plc = new PacketLossConcealer(RATE);
    plc.conceal(FRAME * 10); // a long loss before any audio: silence
    for (let k = 0; k < 10; k++) plc.accept(tone(k * FRAME, FRAME));
    expect(toneAmplitude(plc.conceal(80), RATE, 220)).toBeGreaterThan(8000 * 0.8);
  });

  it('finds a low pitch (100 Hz) within the search range', () => {
    const out = primed(100).conceal(FRAME);
    expect(toneAmplitude(out.subarray(0, 80), RATE, 100)).toBeGreaterThan(8000 * 0.7);
  });
});
