/**
 * Rate limit of key frames per encoder: receivers' requests (RTCP PLI/FIR, H.245
 * videoFastUpdatePicture, SIP INFO picture_fast_update, a new receiver joining) make the encoder
 * emit an IDR at once, but at most one per `minIntervalMs` (1 s by default); requests inside the
 * window coalesce into one IDR when it ends, so a receiver that floods PLIs cannot make every
 * other receiver of that encoder pay for key frames.
 *
 * Poll-driven and clock-injected, like `KeyframeRequester`.
 */
import { InvalidArgumentError } from '../errors';

/** Options of a `KeyframeLimiter`. */
export interface KeyframeLimiterOptions {
  /** Monotonic clock in ms. */
  readonly clock: () => number;
  /** Shortest time between two key frames in ms; default 1000. */
  readonly minIntervalMs?: number;
}

/** Counters for the per-participant stats. */
export interface KeyframeLimiterStats {
  /** Requests received. */
  requested: number;
  /** Key frames the limiter let the encoder emit for requests. */
  forced: number;
}

/** Key frame admission for one encoder. */
export class KeyframeLimiter {
  /** Counters since construction. */
  readonly stats: KeyframeLimiterStats = { requested: 0, forced: 0 };
  private readonly clock: () => number;
  private readonly minIntervalMs: number;
  private lastKeyframeAt = Number.NEGATIVE_INFINITY;
  private pending = false;

  /** @throws InvalidArgumentError when `minIntervalMs` is negative or not finite. */
  constructor(options: KeyframeLimiterOptions) {
    this.clock = options.clock;
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    if (!(this.minIntervalMs >= 0) || !Number.isFinite(this.minIntervalMs)) {
      throw new InvalidArgumentError(`Key frame interval ${this.minIntervalMs} ms`);
    }
  }

  /** Time (ms, same clock) when a deferred request will be served, or `undefined` if none waits. */
  get pendingDueAt(): number | undefined {
    return this.pending ? this.lastKeyframeAt + this.minIntervalMs : undefined;
  }

  /**
   * A receiver asks for a key frame.
   * @returns true when the encoder shall emit one now; false when it is deferred (see `poll`).
   */
  request(): boolean {
    this.stats.requested++;
    this.pending = true;
    return this.poll();
  }

  /** Call on the frame tick: true when a deferred request is due and the encoder shall emit now. */
  poll(): boolean {
    if (!this.pending) return false;
    const now = this.clock();
    if (now - this.lastKeyframeAt < this.minIntervalMs) return false;
    this.pending = false;
    this.lastKeyframeAt = now;
    this.stats.forced++;
    return true;
  }

  /**
   * The encoder emitted a key frame on its own (start, periodic GOP): it satisfies the requests
   * made so far and starts a new window.
   */
  keyframeSent(): void {
    this.pending = false;
    this.lastKeyframeAt = this.clock();
  }
}
