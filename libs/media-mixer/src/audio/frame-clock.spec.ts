import { InvalidArgumentError } from '../errors';
import { FrameClock, FrameTick, TimerScheduler } from './frame-clock';

/** A simulated monotonic clock and timer queue; each timer fires `lateness()` ms after its due time. */
function simulation(lateness: () => number = () => 0) {
  let nowNs = 5_000_000_000n;
  let pending: { at: bigint; callback: () => void; id: number } | undefined;
  let ids = 0;
  const timers: TimerScheduler = {
    set: (callback, delayMs) => {
      pending = { at: nowNs + BigInt(Math.round((delayMs + lateness()) * 1e6)), callback, id: ++ids };
      return ids;
    },
    clear: (handle) => {
      if (pending?.id === handle) pending = undefined;
    },
  };
  return {
    timers,
    now: () => nowNs,
    /** Runs timers until `ms` of simulated time have passed. */
    run(ms: number) {
      const end = nowNs + BigInt(ms) * 1_000_000n;
      while (pending && pending.at <= end) {
        const { at, callback } = pending;
        pending = undefined;
        if (at > nowNs) nowNs = at; // a timer due during a stall fires when the stall ends
        callback();
      }
      nowNs = end;
    },
    /** Moves time forward without firing timers (an event-loop stall). */
    stall(ms: number) {
      nowNs += BigInt(ms) * 1_000_000n;
    },
    hasTimer: () => pending !== undefined,
  };
}

describe('FrameClock', () => {
  it('ticks every 20 ms against absolute targets', () => {
    const sim = simulation();
    const ticks: FrameTick[] = [];
    const clock = new FrameClock({ periodMs: 20, onTick: (t) => ticks.push(t), now: sim.now, timers: sim.timers });
    clock.start();
    sim.run(100);
    expect(ticks.map((t) => t.index)).toEqual([0, 1, 2, 3, 4]);
    expect(ticks[4].targetNs - ticks[0].targetNs).toBe(80_000_000n);
    clock.stop();
  });

  it('does not drift over an hour of late timers (0–4 ms late each)', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const sim = simulation(() => random() * 4);
    let count = 0;
    let last: FrameTick | undefined;
    let maxLate = 0n;
    const clock = new FrameClock({
      periodMs: 20,
      onTick: (t) => {
        count++;
        last = t;
        if (t.lateNs > maxLate) maxLate = t.lateNs;
      },
      now: sim.now,
      timers: sim.timers,
    });
    clock.start();
    sim.run(3_600_000);
    clock.stop();
    // 180 000 periods in an hour; the tick due at exactly 3 600 s may still be pending.
    expect(count).toBeGreaterThanOrEqual(179_999);
    expect(count).toBeLessThanOrEqual(180_000);
    expect(last!.index).toBe(count - 1);
    expect(last!.targetNs).toBe(5_000_000_000n + BigInt(count) * 20_000_000n);
    expect(maxLate).toBeLessThan(6_000_000n); // lateness stays bounded by one timer's error
    expect(clock.skipped).toBe(0);
  });

  it('catches up missed ticks after a short stall', () => {
    const sim = simulation();
    const ticks: FrameTick[] = [];
    const clock = new FrameClock({ periodMs: 20, onTick: (t) => ticks.push(t), now: sim.now, timers: sim.timers });
    clock.start();
    sim.run(20);
    sim.stall(65); // the loop was blocked; ticks 1, 2 and 3 are overdue
    expect(ticks.length).toBe(1);
    sim.run(0);
    expect(ticks.map((t) => t.index)).toEqual([0, 1, 2, 3]);
    expect(ticks[1].lateNs).toBeGreaterThan(0n);
    clock.stop();
  });

  it('skips ahead after a long stall instead of replaying it', () => {
    const sim = simulation();
    const ticks: FrameTick[] = [];
    const clock = new FrameClock({ periodMs: 10, onTick: (t) => ticks.push(t), now: sim.now, timers: sim.timers, maxCatchUpTicks: 5 });
    clock.start();
    sim.run(10);
    sim.stall(1000);
    sim.run(1);
    expect(ticks.length).toBeLessThanOrEqual(1 + 6);
    expect(clock.skipped).toBeGreaterThan(90);
    sim.run(100);
    const indices = ticks.map((t) => t.index);
    expect(indices[indices.length - 1]).toBe(110); // back on the absolute schedule: 1110 ms / 10 ms − 1
    clock.stop();
  });

  it('keeps ticking when the listener throws, reporting the error', () => {
    const sim = simulation();
    const errors: unknown[] = [];
    let n = 0;
    const clock = new FrameClock({
      periodMs: 20,
      onTick: () => {
        n++;
        if (n === 2) throw new Error('boom');
      },
      onError: (e) => errors.push(e),
      now: sim.now,
      timers: sim.timers,
    });
    clock.start();
    sim.run(100);
    expect(n).toBe(5);
    expect(errors).toHaveLength(1);
    expect(clock.errors).toBe(1);
    clock.stop();
  });

  it('stops cleanly, twice, and leaves no timer behind', () => {
    const sim = simulation();
    const clock = new FrameClock({ periodMs: 20, onTick: () => undefined, now: sim.now, timers: sim.timers });
    clock.start();
    clock.start();
    expect(clock.isRunning()).toBe(true);
    clock.stop();
    clock.stop();
    expect(sim.hasTimer()).toBe(false);
    expect(clock.isRunning()).toBe(false);
  });

  it('stops from inside a tick', () => {
    const sim = simulation();
    let n = 0;
    const clock: FrameClock = new FrameClock({ periodMs: 20, onTick: () => (++n === 3 ? clock.stop() : undefined), now: sim.now, timers: sim.timers });
    clock.start();
    sim.run(200);
    expect(n).toBe(3);
    expect(sim.hasTimer()).toBe(false);
  });

  it('runs on real timers with the default clock', async () => {
    const ticks: FrameTick[] = [];
    const clock = new FrameClock({ periodMs: 10, onTick: (t) => ticks.push(t) });
    clock.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    clock.stop();
    // The clock's first timer (due at 10 ms) fires before the 60 ms one, whatever the load.
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks[0].index).toBe(0);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i].index).toBeGreaterThan(ticks[i - 1].index);
  });

  it('accepts only 10 and 20 ms periods', () => {
    expect(() => new FrameClock({ periodMs: 30 as 20, onTick: () => undefined })).toThrow(InvalidArgumentError);
  });
});
