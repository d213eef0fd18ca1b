/** Timer values (RFC 3261 Table 4, RFC 6026 §8.11). */
import { DEFAULT_TIMER_SETTINGS, nextTimerA, nextTimerE, nextTimerG, timerSettings, timerValues } from './timers';

describe('timer values', () => {
  it('defaults T1 = 500 ms, T2 = 4 s, T4 = 5 s', () => {
    expect(DEFAULT_TIMER_SETTINGS).toMatchObject({ t1: 500, t2: 4000, t4: 5000, trying100: 200 });
  });

  it('computes A–M for an unreliable transport', () => {
    const v = timerValues(timerSettings(), false);
    expect(v).toMatchObject({ A: 500, B: 32000, D: 32000, E: 500, F: 32000, G: 500, H: 32000, I: 5000, J: 32000, K: 5000, L: 32000, M: 32000 });
  });

  it('zeroes D, I, J, K for a reliable transport and keeps the timeouts', () => {
    const v = timerValues(timerSettings(), true);
    expect(v).toMatchObject({ B: 32000, D: 0, F: 32000, H: 32000, I: 0, J: 0, K: 0, L: 32000, M: 32000 });
  });

  it('derives every timer from configured T1/T4 (Timer D stays at least 32 s)', () => {
    const v = timerValues(timerSettings({ t1: 100, t2: 1000, t4: 2000 }), false);
    expect(v).toMatchObject({ A: 100, B: 6400, D: 32000, F: 6400, H: 6400, I: 2000, J: 6400, K: 2000 });
    expect(timerValues(timerSettings({ t1: 1000, t2: 8000 }), false).D).toBe(64000);
  });

  it('rejects non-positive values and T2 < T1', () => {
    expect(() => timerSettings({ t1: 0 })).toThrow(RangeError);
    expect(() => timerSettings({ t4: Number.NaN })).toThrow(RangeError);
    expect(() => timerSettings({ t1: 1000, t2: 500 })).toThrow(/T2/);
  });

  it('A doubles without cap; E and G double up to T2; E is T2 once Proceeding', () => {
    expect(nextTimerA(16000)).toBe(32000);
    expect(nextTimerE(2000, 4000, false)).toBe(4000);
    expect(nextTimerE(4000, 4000, false)).toBe(4000);
    expect(nextTimerE(500, 4000, true)).toBe(4000);
    expect(nextTimerG(1000, 4000)).toBe(2000);
    expect(nextTimerG(4000, 4000)).toBe(4000);
  });
});
