import type { RasClock, RasTimerHandle } from './ras-timers';

/**
 * A {@link RasClock} that only moves when told (tests): `advance(ms)` fires, in time order, every timer due
 * within `ms`, including timers those callbacks set.
 */
export class ManualRasClock implements RasClock {
  private now = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  /** Current time, ms since the clock was created. */
  get time(): number {
    return this.now;
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.timers.size;
  }

  setTimeout(callback: () => void, ms: number): RasTimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: RasTimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by `ms` (≥ 0), firing due timers in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = end;
  }
}
