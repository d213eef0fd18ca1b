/**
 * Asks one media sender for a key frame until its stream decodes again (the receive side of
 * RFC 4585 §6.3.1 PLI / RFC 5104 §4.3.1 FIR, H.245 videoFastUpdatePicture, SIP INFO
 * picture_fast_update): the first request goes out at once, repetitions follow with a doubling
 * interval up to a ceiling, and a FIR sequence number counts new requests while repetitions keep it
 * (RFC 5104 §4.3.1.2).
 *
 * Poll-driven and clock-injected: the caller passes the depacketizer's `needsKeyframe` after each
 * packet and on its frame tick, and sends whatever request comes back by the channel the sender
 * negotiated (RTCP PLI or FIR, H.245, SIP INFO).
 */
import { InvalidArgumentError } from '../errors';

/** A request to send now. */
export interface KeyframeRequestAction {
  /** FIR command sequence number (8 bits) for this request; the same for its repetitions. */
  readonly firSequenceNumber: number;
  /** False for the first send of a request, true for a repetition. */
  readonly repeat: boolean;
}

/** Options of a `KeyframeRequester`. */
export interface KeyframeRequesterOptions {
  /** Monotonic clock in ms (e.g. `() => performance.now()`; a fake in tests). */
  readonly clock: () => number;
  /** Wait before the first repetition in ms; default 500 (a round trip plus an encoder's reaction). */
  readonly retryIntervalMs?: number;
  /** Ceiling of the doubling repetition interval in ms; default 4000. */
  readonly maxRetryIntervalMs?: number;
}

/** Counters for the per-participant stats. */
export interface KeyframeRequesterStats {
  /** New requests (each with its own FIR sequence number). */
  requests: number;
  /** Requests sent, repetitions included. */
  sent: number;
}

/** States of the requester: nothing needed, or a request outstanding. */
export type KeyframeRequesterState = 'idle' | 'requesting';

/** Key frame requests towards one media sender. */
export class KeyframeRequester {
  /** Counters since construction. */
  readonly stats: KeyframeRequesterStats = { requests: 0, sent: 0 };
  private readonly clock: () => number;
  private readonly retryIntervalMs: number;
  private readonly maxRetryIntervalMs: number;
  private current: KeyframeRequesterState = 'idle';
  private firSequenceNumber = 0;
  private nextSendAt = 0;
  private interval = 0;

  /** @throws InvalidArgumentError when an interval is not positive or the ceiling is below the first. */
  constructor(options: KeyframeRequesterOptions) {
    this.clock = options.clock;
    this.retryIntervalMs = options.retryIntervalMs ?? 500;
    this.maxRetryIntervalMs = options.maxRetryIntervalMs ?? 4000;
    if (!(this.retryIntervalMs > 0) || !(this.maxRetryIntervalMs >= this.retryIntervalMs)) {
      throw new InvalidArgumentError(`Key frame retry intervals ${this.retryIntervalMs}..${this.maxRetryIntervalMs} ms`);
    }
  }

  /** `'requesting'` while a key frame is outstanding. */
  get state(): KeyframeRequesterState {
    return this.current;
  }

  /**
   * Reports whether the stream needs a key frame and returns the request to send now, if any.
   * A `false` ends the outstanding request (the sender's key frame arrived).
   */
  poll(needsKeyframe: boolean): KeyframeRequestAction | undefined {
    const now = this.clock();
    if (!needsKeyframe) {
      this.current = 'idle';
      return undefined;
    }
    if (this.current === 'idle') {
      this.current = 'requesting';
      this.firSequenceNumber = (this.firSequenceNumber + 1) & 0xff;
      this.stats.requests++;
      this.interval = this.retryIntervalMs;
      return this.send(now, false);
    }
    if (now < this.nextSendAt) return undefined;
    this.interval = Math.min(this.interval * 2, this.maxRetryIntervalMs);
    return this.send(now, true);
  }

  private send(now: number, repeat: boolean): KeyframeRequestAction {
    this.nextSendAt = now + this.interval;
    this.stats.sent++;
    return { firSequenceNumber: this.firSequenceNumber, repeat };
  }
}
