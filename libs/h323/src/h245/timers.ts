/**
 * H.245 protocol timers and counters, in one place (H.245 §5.1–§5.8 and Annex C, the SDL of each signalling
 * entity). H.245 leaves the values to the system; H.323 endpoints commonly use 10–30 s. Time is injected through
 * {@link H245Clock} so tests drive every procedure with fake timers.
 *
 * | Timer | Procedure (signalling entity) | Default |
 * |-------|-------------------------------|---------|
 * | T101  | capability exchange (CESE, §5.2) | 30 s |
 * | T103  | uni-directional logical channel signalling (LCSE, §5.3) | 30 s |
 * | T105  | round trip delay (RTDSE, §5.7) | 10 s |
 * | T106  | master-slave determination (MSDSE, §5.1) | 30 s |
 * | T108  | close logical channel request (CLCSE, §5.4) | 30 s |
 * | T109  | mode request (MRSE, §5.6; answered with a reject, never started) | 30 s |
 * | N100  | MSD retries after an indeterminate result (§5.1) | 3 |
 */

/** Timer values, ms. */
export interface H245Timers {
  readonly T101: number;
  readonly T103: number;
  readonly T105: number;
  readonly T106: number;
  readonly T108: number;
  readonly T109: number;
  /** N100: how many times MasterSlaveDetermination is repeated after an indeterminate result. */
  readonly N100: number;
}

/** Default values (ms, and a count for N100). */
export const DEFAULT_H245_TIMERS: H245Timers = Object.freeze({
  T101: 30_000,
  T103: 30_000,
  T105: 10_000,
  T106: 30_000,
  T108: 30_000,
  T109: 30_000,
  N100: 3,
});

/**
 * Completes and validates timer settings.
 * @throws RangeError when a timer is not a positive finite number of ms or N100 is not a non-negative integer.
 */
export function h245Timers(partial: Partial<H245Timers> = {}): H245Timers {
  const t: H245Timers = { ...DEFAULT_H245_TIMERS, ...partial };
  for (const key of ['T101', 'T103', 'T105', 'T106', 'T108', 'T109'] as const) {
    if (!Number.isFinite(t[key]) || t[key] <= 0) throw new RangeError(`H.245 timer ${key} must be a positive number of ms, got ${t[key]}`);
  }
  if (!Number.isInteger(t.N100) || t.N100 < 0) throw new RangeError(`H.245 counter N100 must be a non-negative integer, got ${t.N100}`);
  return Object.freeze(t);
}

/** Opaque handle of a scheduled callback. */
export type H245TimerHandle = unknown;

/** The scheduler and time source of the H.245 procedures. */
export interface H245Clock {
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): H245TimerHandle;
  /** Cancels a pending callback; unknown or fired handles are ignored. */
  clearTimeout(handle: H245TimerHandle): void;
  /** Monotonic time in ms (used for the round trip delay). */
  now(): number;
}

/** The global timers and `performance.now()`, looked up at call time so jest fake timers apply. */
export const systemH245Clock: H245Clock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/** One protocol timer of a signalling entity: started, restarted and stopped by its state machine. */
export class ProcedureTimer {
  private handle: H245TimerHandle | undefined;

  /**
   * @param clock scheduler
   * @param ms duration, ms
   * @param onExpiry called when the timer runs out (the state machine's expiry transition)
   */
  constructor(
    private readonly clock: H245Clock,
    private readonly ms: number,
    private readonly onExpiry: () => void,
  ) {}

  /** Whether the timer is running. */
  get running(): boolean {
    return this.handle !== undefined;
  }

  /** Starts the timer, restarting it when it runs. */
  start(): void {
    this.stop();
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.onExpiry();
    }, this.ms);
  }

  /** Stops the timer; safe when it is not running. */
  stop(): void {
    if (this.handle === undefined) return;
    this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
