/**
 * The mixer's frame clock: ticks every `periodMs` (10 or 20 ms) against absolute targets
 * `start + n · period` on a monotonic clock, so timer lateness never accumulates. A late wake-up
 * fires the missed ticks at once (catch-up, bounded); after a stall longer than `maxCatchUpTicks`
 * the clock skips ahead and counts the skipped ticks instead of replaying them.
 *
 * Time and timers are injected; by default `process.hrtime.bigint()` and `setTimeout`.
 */
import { InvalidArgumentError } from '../errors';

/** One tick as delivered to the listener. */
export interface FrameTick {
  /** Tick number since `start()`, 0-based; skipped ticks leave gaps. */
  readonly index: number;
  /** Monotonic time the tick was due, ns. */
  readonly targetNs: bigint;
  /** How late it fired, ns (≥ 0). */
  readonly lateNs: bigint;
}

/** A cancellable one-shot timer, as `setTimeout`/`clearTimeout` provide. */
export interface TimerScheduler {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

/** Options of a `FrameClock`. */
export interface FrameClockOptions {
  /** Tick period in milliseconds: 10 or 20. */
  periodMs: 10 | 20;
  /** Called once per tick; exceptions go to `onError` and the clock keeps running. */
  onTick: (tick: FrameTick) => void;
  /** Receives exceptions thrown by `onTick`. Default: rethrown asynchronously is avoided; they are counted only. */
  onError?: (error: unknown) => void;
  /** Monotonic clock in ns. Default `process.hrtime.bigint`. */
  now?: () => bigint;
  /** Timer implementation. Default `setTimeout`/`clearTimeout` (unref'd, so it never keeps the process alive). */
  timers?: TimerScheduler;
  /** Missed ticks fired at once after a late wake-up before skipping ahead. Default 5. */
  maxCatchUpTicks?: number;
}

const defaultTimers: TimerScheduler = {
  set: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Drift-free periodic tick source for one mixer. */
export class FrameClock {
  private readonly periodNs: bigint;
  private readonly now: () => bigint;
  private readonly timers: TimerScheduler;
  private readonly maxCatchUp: number;
  private startNs = 0n;
  private nextIndex = 0;
  private handle: unknown;
  private running = false;
  /** Ticks skipped after stalls. */
  skipped = 0;
  /** Exceptions thrown by the listener. */
  errors = 0;

  /** @throws InvalidArgumentError for a period other than 10 or 20 ms. */
  constructor(private readonly opts: FrameClockOptions) {
    if (opts.periodMs !== 10 && opts.periodMs !== 20) throw new InvalidArgumentError(`Frame period ${opts.periodMs} ms; use 10 or 20`);
    this.periodNs = BigInt(opts.periodMs) * 1_000_000n;
    this.now = opts.now ?? (() => process.hrtime.bigint());
    this.timers = opts.timers ?? defaultTimers;
    this.maxCatchUp = Math.max(1, opts.maxCatchUpTicks ?? 5);
  }

  /** Starts ticking; the first tick is due one period from now. Starting twice is a no-op. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startNs = this.now();
    this.nextIndex = 1;
    this.arm();
  }

  /** Stops ticking and cancels the pending timer. Safe to call more than once. */
  stop(): void {
    this.running = false;
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
  }

  /** True between `start()` and `stop()`. */
  isRunning(): boolean {
    return this.running;
  }

  private targetOf(index: number): bigint {
    return this.startNs + BigInt(index) * this.periodNs;
  }

  private arm(): void {
    const delayNs = this.targetOf(this.nextIndex) - this.now();
    const delayMs = delayNs > 0n ? Number((delayNs + 999_999n) / 1_000_000n) : 0;
    this.handle = this.timers.set(() => this.fire(), delayMs);
  }

  private fire(): void {
    this.handle = undefined;
    if (!this.running) return;
    let now = this.now();
    const behind = Number((now - this.targetOf(this.nextIndex)) / this.periodNs);
    if (behind >= this.maxCatchUp) {
      // Stalled for longer than the catch-up budget: skip to the most recent due tick.
      this.skipped += behind;
      this.nextIndex += behind;
    }
    for (let fired = 0; fired <= this.maxCatchUp && this.running; fired++) {
      const target = this.targetOf(this.nextIndex);
      if (now < target) break;
      const tick: FrameTick = { index: this.nextIndex - 1, targetNs: target, lateNs: now - target };
      this.nextIndex++;
      try {
        this.opts.onTick(tick);
      } catch (error) {
        this.errors++;
        this.opts.onError?.(error);
      }
      now = this.now();
    }
    if (this.running) this.arm();
  }
}
