/** A deterministic {@link H245Clock} for tests: time moves only through `advance()`. */
import type { H245Clock, H245TimerHandle } from '../timers';

export class FakeClock implements H245Clock {
  private time = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): H245TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: H245TimerHandle): void {
    this.pending.delete(handle as number);
  }

  /** Number of scheduled callbacks. */
  get timerCount(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, running due callbacks in time order (at most 10,000). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let guard = 0; guard < 10_000; guard += 1) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
    }
    this.time = end;
  }
}
