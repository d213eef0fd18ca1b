import { amplitudeDb, rmsLevel, toneAmplitude } from './tone-level';

const sine = (n: number, rate: number, f: number, amp: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / rate + 1));

describe('toneAmplitude / rmsLevel', () => {
  it('measures the amplitude of a tone off the FFT bins', () => {
    const x = sine(1600, 8000, 1033, 10000);
    expect(toneAmplitude(x, 8000, 1033)).toBeCloseTo(10000, -1);
    expect(rmsLevel(x)).toBeCloseTo(10000 / Math.SQRT2, -1);
  });

  it('separates tones: a 440 Hz tone barely registers at 1000 Hz', () => {
    const x = sine(8000, 16000, 440, 10000);
    expect(amplitudeDb(toneAmplitude(x, 16000, 1000), 10000)).toBeLessThan(-60);
  });

  it('adds components of a mixture independently', () => {
    const a = sine(4000, 8000, 440, 8000);
    const b = sine(4000, 8000, 1800, 2000);
    const x = a.map((v, i) => v + b[i]);
    expect(toneAmplitude(x, 8000, 440)).toBeCloseTo(8000, -1);
    expect(toneAmplitude(x, 8000, 1800)).toBeCloseTo(2000, -1);
  });

  it('returns 0 for too short input', () => {
    expect(toneAmplitude([5], 8000, 1000)).toBe(0);
    expect(rmsLevel([])).toBe(0);
  });
});
