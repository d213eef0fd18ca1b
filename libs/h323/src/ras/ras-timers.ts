/**
 * RAS timers (H.225.0 §7, "RAS timers and Request in Progress (RIP)"; the recommended values are in the table of
 * that clause: 3 s and 2 retries for RRQ/URQ/DRQ/BRQ, 5 s for GRQ/ARQ/IRR).
 *
 * RAS runs over UDP, so every request is retransmitted with the same requestSeqNum until the response arrives
 * or the retries are exhausted (H.225.0 §7, RAS timers). Time is injected through {@link RasClock} so tests drive the
 * endpoint with a manual clock.
 */

/** The timer values the RAS endpoint uses, in ms. */
export interface RasTimerSettings {
  /** Time to wait for a response before retransmitting, ms (default 3000, H.225.0 §7 RAS timers). */
  requestTimeout: number;
  /** Retransmissions after the first transmission (default 2, H.225.0 §7 RAS timers). */
  retries: number;
  /** Time to wait for a GCF (the multicast GRQ may wait for several gatekeepers), ms (default 5000). */
  discoveryTimeout: number;
  /** Delay before trying discovery/registration again after a failure, ms (default 10000). */
  retryDelay: number;
  /** Least time between a keep-alive and the end of timeToLive, ms (default 10000; see {@link keepAliveDelay}). */
  keepAliveMargin: number;
}

/** Defaults per H.225.0 §7 RAS timers (3 s × 2 retries; 5 s for GRQ). */
export const DEFAULT_RAS_TIMERS: Readonly<RasTimerSettings> = Object.freeze({
  requestTimeout: 3000,
  retries: 2,
  discoveryTimeout: 5000,
  retryDelay: 10_000,
  keepAliveMargin: 10_000,
});

/**
 * Validates and completes timer settings.
 * @throws RangeError when a value is not a finite number (positive for times, ≥ 0 for retries).
 */
export function rasTimerSettings(partial: Partial<RasTimerSettings> = {}): RasTimerSettings {
  const s: RasTimerSettings = { ...DEFAULT_RAS_TIMERS, ...partial };
  for (const key of ['requestTimeout', 'discoveryTimeout', 'retryDelay', 'keepAliveMargin'] as const) {
    if (!Number.isFinite(s[key]) || s[key] <= 0) throw new RangeError(`RAS timer ${key} must be a positive number of ms, got ${s[key]}`);
  }
  if (!Number.isInteger(s.retries) || s.retries < 0) throw new RangeError(`RAS retries must be an integer ≥ 0, got ${s.retries}`);
  return s;
}

/**
 * Delay from an RCF to the keep-alive RRQ, ms: early enough that all its retransmissions fit before the
 * registration expires (lightweight RRQ, H.323 §7.2.2), never earlier than half the TTL.
 * @param timeToLive the RCF's timeToLive in seconds
 */
export function keepAliveDelay(timeToLive: number, timers: RasTimerSettings): number {
  const ttl = timeToLive * 1000;
  const needed = timers.requestTimeout * (timers.retries + 1) + timers.keepAliveMargin;
  return Math.max(ttl / 2, ttl - needed);
}

/** An opaque handle returned by {@link RasClock.setTimeout}. */
export type RasTimerHandle = unknown;

/** The scheduler of the RAS endpoint; inject a manual one in tests. */
export interface RasClock {
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): RasTimerHandle;
  /** Cancels a pending call; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: RasTimerHandle): void;
}

/** The global timers (looked up at call time, so jest fake timers installed later still apply). */
export const systemRasClock: RasClock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
