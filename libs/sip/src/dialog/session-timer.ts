/**
 * Session timers (RFC 4028): negotiation of the session interval and the refresher on every 2xx to an
 * INVITE or UPDATE, and the timer that either sends the refresh (when the local side is the refresher,
 * at half the interval, §10) or ends the session when no refresh came (the other side, §10: before
 * expiry by the smaller of 32 s and a third of the interval).
 *
 * The `refresher` parameter is relative to the transaction carrying it (`uac` = the sender of that
 * request); this module turns it into `local` / `remote`.
 */
import { SipParseError, getOptionTags, parseSessionExpires, type SipMessage, type SipRequest } from '../message';
import type { Clock, TimerHandle } from '../transaction/timers';

/** Local session timer policy. */
export interface SessionTimerSettings {
  /** Session interval the local side proposes or lowers a longer request to, seconds (default 1800, §4). */
  expires: number;
  /** Smallest interval accepted, seconds (default 90, the RFC 4028 §4 minimum). */
  minSE: number;
}

/** RFC 4028 defaults: 1800 s interval, Min-SE 90 s. */
export const DEFAULT_SESSION_TIMER_SETTINGS: Readonly<SessionTimerSettings> = Object.freeze({ expires: 1800, minSE: 90 });

/** Which side sends the refreshes. */
export type RefresherSide = 'local' | 'remote';

/** A negotiated session timer. */
export interface SessionTimerTerms {
  /** Session interval, seconds. */
  interval: number;
  refresher: RefresherSide;
}

/** The outcome of negotiating a request the local UAS is about to answer with a 2xx (RFC 4028 §9). */
export type UasSessionTimerDecision =
  | {
      kind: 'accept';
      terms: SessionTimerTerms;
      /** Header fields for the 2xx: Session-Expires, and Require: timer when the UAC supports it. */
      headers: Array<[string, string]>;
    }
  /** Session-Expires below the local minimum: answer 422 with `Min-SE: minSE` (§9). */
  | { kind: 'too-small'; minSE: number };

/**
 * Parse Min-SE (RFC 4028 §5): delta-seconds with optional generic parameters.
 * @returns the value in seconds, or `undefined` when absent.
 * @throws SipParseError("Invalid Min-SE").
 */
export function getMinSE(msg: SipMessage): number | undefined {
  const v = msg.headers.get('min-se');
  if (v === undefined) return undefined;
  const m = /^\s*(\d{1,10})\s*(;.*)?$/.exec(v);
  if (!m) throw new SipParseError('Invalid Min-SE');
  return Number(m[1]);
}

/** True when the message lists `timer` in Supported or Require. */
export function supportsTimer(msg: SipMessage): boolean {
  return [...getOptionTags(msg, 'supported'), ...getOptionTags(msg, 'require')].some((t) => t.toLowerCase() === 'timer');
}

/**
 * Decide the session timer of a 2xx to an INVITE or UPDATE received by the local UAS (RFC 4028 §9):
 * a requested interval below the local Min-SE is refused (422); a longer one than the local policy is
 * lowered to it (never below the request's Min-SE); the refresher is the one requested, else the UAC when
 * it supports timers, else the local side (the only choice when the UAC does not support them). Without a
 * Session-Expires in the request the local policy is applied (§9 allows the UAS to add it).
 * @throws SipParseError (400) on a malformed Session-Expires or Min-SE.
 */
export function negotiateAsUas(req: SipRequest, settings: SessionTimerSettings): UasSessionTimerDecision {
  const seValue = req.headers.get('session-expires');
  const se = seValue === undefined ? undefined : parseSessionExpires(seValue);
  const requestMinSE = Math.max(getMinSE(req) ?? 90, settings.minSE);
  if (se && se.deltaSeconds < settings.minSE) return { kind: 'too-small', minSE: settings.minSE };
  const uacSupports = supportsTimer(req);
  const interval = Math.max(Math.min(se?.deltaSeconds ?? settings.expires, settings.expires), requestMinSE);
  let param: 'uac' | 'uas';
  if (!uacSupports) param = 'uas';
  else param = se?.refresher ?? 'uac';
  const headers: Array<[string, string]> = [['Session-Expires', `${interval};refresher=${param}`]];
  if (uacSupports) headers.push(['Require', 'timer']);
  return { kind: 'accept', terms: { interval, refresher: param === 'uas' ? 'local' : 'remote' }, headers };
}

/** Header fields of a refresh request sent by the local side as refresher (RFC 4028 §7.1, §7.4). */
export function refreshRequestHeaders(terms: SessionTimerTerms, minSE: number): Array<[string, string]> {
  return [
    ['Session-Expires', `${terms.interval};refresher=uac`],
    ['Min-SE', String(minSE)],
  ];
}

/**
 * Read the 2xx to a refresh the local side sent (RFC 4028 §7.2): its Session-Expires sets the interval and
 * the refresher (`uac` = local); without one the local side keeps refreshing at the interval it asked for,
 * which a UAS without timer support simply sees as re-INVITEs/UPDATEs.
 * @throws SipParseError on a malformed Session-Expires.
 */
export function termsFromRefreshResponse(res: SipMessage, requested: SessionTimerTerms): SessionTimerTerms {
  const v = res.headers.get('session-expires');
  if (v === undefined) return { interval: requested.interval, refresher: 'local' };
  const se = parseSessionExpires(v);
  return { interval: se.deltaSeconds, refresher: se.refresher === 'uas' ? 'remote' : 'local' };
}

/** Callbacks of a running `SessionTimer`. */
export interface SessionTimerHandlers {
  /** The local side is the refresher and half the interval passed (§10). */
  refreshDue(): void;
  /** The remote side is the refresher and no refresh came in time (§10): end the session with BYE. */
  expired(): void;
}

/**
 * The running session timer of one dialog. `restart()` after every successful refresh (a 2xx to a
 * re-INVITE or UPDATE in either direction); `stop()` when the session ends. Time comes from `clock`.
 */
export class SessionTimer {
  private handle: TimerHandle | undefined;
  private current: SessionTimerTerms | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly handlers: SessionTimerHandlers,
  ) {}

  /** The terms in force, if the timer runs. */
  get terms(): SessionTimerTerms | undefined {
    return this.current;
  }

  /**
   * (Re)start with `terms`: the local refresher refreshes after interval/2; otherwise the session expires
   * min(32 s, interval/3) before the interval ends (§10).
   */
  restart(terms: SessionTimerTerms): void {
    this.stop();
    this.current = terms;
    const ms = terms.interval * 1000;
    if (terms.refresher === 'local') {
      this.handle = this.clock.setTimeout(() => this.fire('refresh'), ms / 2);
    } else {
      this.handle = this.clock.setTimeout(() => this.fire('expire'), ms - Math.min(32_000, ms / 3));
    }
  }

  /**
   * Expire at the end of the interval without a refresh of ours having succeeded (the local refresher's
   * refresh failed or is still pending): the same deadline the non-refresher applies (§10).
   */
  expireIfNotRefreshed(remainingMs: number): void {
    this.stop();
    this.handle = this.clock.setTimeout(() => this.fire('expire'), Math.max(0, remainingMs));
  }

  /** Stop; safe to call twice. */
  stop(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private fire(what: 'refresh' | 'expire'): void {
    this.handle = undefined;
    if (what === 'refresh') this.handlers.refreshDue();
    else this.handlers.expired();
  }
}
