/**
 * Transaction timers (RFC 3261 §17, Table 4 in Appendix A; RFC 6026 §8.11 for Timers L and M).
 *
 * Every timer value of the transaction layer is computed here from T1, T2 and T4, and time itself is
 * injected through `Clock` so tests drive the state machines with jest fake timers.
 *
 * | Timer | Value                         | Meaning                                             |
 * |-------|-------------------------------|-----------------------------------------------------|
 * | T1    | 500 ms default                | RTT estimate                                        |
 * | T2    | 4 s default                   | maximum retransmit interval for non-INVITE / responses |
 * | T4    | 5 s default                   | maximum time a message stays in the network         |
 * | A     | T1, doubling (no cap)         | ICT INVITE retransmit interval, UDP only (§17.1.1.2) |
 * | B     | 64*T1                         | ICT INVITE transaction timeout (§17.1.1.2)           |
 * | C     | > 3 min                       | proxy INVITE timeout (§16.6; not used by a UA)       |
 * | D     | > 32 s UDP, 0 reliable        | ICT wait time for response retransmits (§17.1.1.2)   |
 * | E     | T1, doubling capped at T2      | NICT request retransmit, UDP only (§17.1.2.2)        |
 * | F     | 64*T1                         | NICT transaction timeout (§17.1.2.2)                 |
 * | G     | T1, doubling capped at T2      | IST response retransmit, UDP only (§17.2.1)          |
 * | H     | 64*T1                         | IST wait time for ACK receipt (§17.2.1)              |
 * | I     | T4 UDP, 0 reliable            | IST wait time for ACK retransmits (§17.2.1)          |
 * | J     | 64*T1 UDP, 0 reliable         | NIST wait time for request retransmits (§17.2.2)     |
 * | K     | T4 UDP, 0 reliable            | NICT wait time for response retransmits (§17.1.2.2)  |
 * | L     | 64*T1                         | IST wait in Accepted (RFC 6026 §8.7)                 |
 * | M     | 64*T1                         | ICT wait in Accepted (RFC 6026 §8.4)                 |
 * | 100   | 200 ms                        | IST sends 100 Trying unless the TU answered (§17.2.1) |
 * | Abandon | 64*T1                       | NIST left unanswered by the TU is dropped (not in the RFC: by then the client's Timer F fired) |
 */

/** The base timer values, in ms. */
export interface TimerSettings {
  /** RTT estimate, ms (default 500). */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, ms (default 4000). */
  t2: number;
  /** Maximum duration a message remains in the network, ms (default 5000). */
  t4: number;
  /** Delay before an IST sends 100 Trying on its own, ms (default 200, §17.2.1). */
  trying100: number;
}

/** RFC 3261 §17 default values. */
export const DEFAULT_TIMER_SETTINGS: Readonly<TimerSettings> = Object.freeze({ t1: 500, t2: 4000, t4: 5000, trying100: 200 });

/** Names of the timers transactions run. `Trying100` is the IST's automatic 100 Trying (§17.2.1). */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'Trying100' | 'Abandon';

/** The timer values for one transport reliability, in ms. */
export interface TimerValues {
  readonly T1: number;
  readonly T2: number;
  readonly T4: number;
  readonly A: number;
  readonly B: number;
  readonly C: number;
  readonly D: number;
  readonly E: number;
  readonly F: number;
  readonly G: number;
  readonly H: number;
  readonly I: number;
  readonly J: number;
  readonly K: number;
  readonly L: number;
  readonly M: number;
  readonly Trying100: number;
  /** A NIST the TU never answered is terminated after this long (the client gave up at Timer F = 64*T1). */
  readonly Abandon: number;
}

/**
 * Validates and completes timer settings.
 * @throws RangeError when a value is not a finite positive number or T2 < T1.
 */
export function timerSettings(partial: Partial<TimerSettings> = {}): TimerSettings {
  const s: TimerSettings = { ...DEFAULT_TIMER_SETTINGS, ...partial };
  for (const key of ['t1', 't2', 't4', 'trying100'] as const) {
    if (!Number.isFinite(s[key]) || s[key] <= 0) throw new RangeError(`timer ${key} must be a positive number of ms, got ${s[key]}`);
  }
  if (s.t2 < s.t1) throw new RangeError(`T2 (${s.t2} ms) must not be smaller than T1 (${s.t1} ms)`);
  return s;
}

/** All timer values for a transport (`reliable`: TCP and other connection-oriented transports). */
export function timerValues(settings: TimerSettings, reliable: boolean): TimerValues {
  const { t1, t2, t4 } = settings;
  return Object.freeze({
    T1: t1,
    T2: t2,
    T4: t4,
    A: t1,
    B: 64 * t1,
    C: 180_000,
    D: reliable ? 0 : Math.max(32_000, 64 * t1),
    E: t1,
    F: 64 * t1,
    G: t1,
    H: 64 * t1,
    I: reliable ? 0 : t4,
    J: reliable ? 0 : 64 * t1,
    K: reliable ? 0 : t4,
    L: 64 * t1,
    M: 64 * t1,
    Trying100: settings.trying100,
    Abandon: 64 * t1,
  });
}

/** Next Timer A interval after one fired (§17.1.1.2: doubled, no cap; Timer B ends it). */
export function nextTimerA(current: number): number {
  return 2 * current;
}

/** Next Timer E interval (§17.1.2.2): doubled up to T2 in Trying; T2 once Proceeding. */
export function nextTimerE(current: number, t2: number, proceeding: boolean): number {
  return proceeding ? t2 : Math.min(2 * current, t2);
}

/** Next Timer G interval (§17.2.1), also the 2xx retransmit interval (§13.3.1.4): doubled up to T2. */
export function nextTimerG(current: number, t2: number): number {
  return Math.min(2 * current, t2);
}

/** An opaque handle returned by `Clock.setTimeout`. */
export type TimerHandle = unknown;

/** The scheduler transactions use; inject a fake in tests (or rely on jest fake timers with `systemClock`). */
export interface Clock {
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a pending call; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The global timers (looked up at call time, so jest fake timers installed later still apply). */
export const systemClock: Clock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
