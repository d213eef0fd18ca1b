/**
 * Call signalling timers, in one place (Q.931 §9.1 names; H.225.0 §7.4 leaves the values to the endpoint, and
 * H.323 terminals ring far longer than ISDN's defaults, so the values below are those of deployed endpoints).
 *
 * | Timer | Started | Stopped | On expiry | Default |
 * |-------|---------|---------|-----------|---------|
 * | T303 | Setup sent | CallProceeding/Alerting/Connect/ReleaseComplete received | ReleaseComplete, cause 102 | 10 s |
 * | T310 | CallProceeding received | Alerting/Connect/ReleaseComplete received | ReleaseComplete, cause 102 | 30 s |
 * | T301 | Alerting received | Connect/ReleaseComplete received | ReleaseComplete, cause 19 | 180 s |
 * | answer | Setup received, the owner asked | the owner accepts or rejects | ReleaseComplete, cause 102 | 30 s |
 * | h245Connect | separate H.245 listener opened / connecting | H.245 TCP connected | ReleaseComplete, cause 102 (only without Fast Connect media) | 20 s |
 * | firstSetup | incoming TCP connection accepted | its first Setup arrived | connection closed | 30 s |
 */
export interface CallTimers {
  readonly T303: number;
  readonly T310: number;
  readonly T301: number;
  readonly answer: number;
  readonly h245Connect: number;
  readonly firstSetup: number;
}

/** Default values, ms. */
export const DEFAULT_CALL_TIMERS: CallTimers = Object.freeze({
  T303: 10_000,
  T310: 30_000,
  T301: 180_000,
  answer: 30_000,
  h245Connect: 20_000,
  firstSetup: 30_000,
});

/**
 * Completes and validates timer settings.
 * @throws RangeError when a value is not a positive finite number of ms
 */
export function callTimers(partial: Partial<CallTimers> = {}): CallTimers {
  const timers: CallTimers = { ...DEFAULT_CALL_TIMERS, ...partial };
  for (const [name, ms] of Object.entries(timers)) {
    if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`call timer ${name} must be a positive number of ms, got ${ms}`);
  }
  return Object.freeze(timers);
}

/** Opaque handle of a scheduled callback. */
export type CallTimerHandle = unknown;

/** The scheduler of call timers, injected so tests can drive them. */
export interface CallClock {
  setTimeout(callback: () => void, ms: number): CallTimerHandle;
  clearTimeout(handle: CallTimerHandle): void;
}

/** The global timers, looked up at call time so jest fake timers apply. */
export const systemCallClock: CallClock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
