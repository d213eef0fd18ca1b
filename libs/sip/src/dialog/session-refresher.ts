/**
 * The refresher role of RFC 4028 (§7.4, §10): when the local side refreshes the session, send a re-INVITE
 * or UPDATE at half the session interval, react to its answer (2xx: new terms; 422: a longer interval;
 * 491: retry after 0–2 s, §14.1; 405/501 to UPDATE: fall back to re-INVITE; 481/408: the dialog is gone,
 * RFC 5057 §5.1), and end the session before it expires if no refresh succeeded.
 */
import type { SipRequest, SipResponse } from '../message';
import type { Clock, TimerHandle } from '../transaction/timers';
import { getMinSE, refreshRequestHeaders, termsFromRefreshResponse, type SessionTimer, type SessionTimerTerms } from './session-timer';

/** Most refresh attempts in a row after a 422, 491 or 405 before waiting for the next due time. */
const MAX_ATTEMPTS = 10;

/** Wait before trying again when the session is busy with another transaction, ms. */
const BUSY_RETRY_MS = 2000;

/** What a `SessionRefresher` needs from its session. */
export interface RefreshingSession {
  readonly clock: Clock;
  readonly timer: SessionTimer;
  /** Local Min-SE, seconds. */
  readonly minSE: number;
  /** True once the session ended. */
  ended(): boolean;
  /** True when a refresh can go now: confirmed, no request of ours pending, no 2xx awaiting its ACK. */
  idle(): boolean;
  /** True while UPDATE can be used for refreshes (listed in the peer's Allow, not refused yet). */
  updateAllowed(): boolean;
  /** The peer refused UPDATE: use re-INVITE from now on. */
  forgetUpdate(): void;
  /** Build (with `headers`; re-INVITE with the current local SDP) and send a refresh; resolves with its final response. */
  sendRefresh(method: 'INVITE' | 'UPDATE', headers: Array<[string, string]>): Promise<{ request: SipRequest; response: SipResponse }>;
  /** A 2xx to a refresh arrived (acknowledge a re-INVITE's, take its answer). */
  refreshed(request: SipRequest, response: SipResponse): void;
  /** The refresh got 481 (the dialog is gone) or timed out (408). */
  refreshFailed(status: 481 | 408): void;
  /** Run `fn`, logging instead of throwing. */
  guard(what: string, fn: () => void): void;
}

/** Sends the refreshes of one session while the local side is the refresher. */
export class SessionRefresher {
  private retryHandle: TimerHandle | undefined;

  constructor(private readonly session: RefreshingSession) {}

  /** Half the interval passed (`SessionTimerHandlers.refreshDue`): refresh now, or as soon as the session is idle. */
  refreshDue(): void {
    this.attempt(0);
  }

  /** Stop any pending retry; safe to call twice. */
  dispose(): void {
    if (this.retryHandle !== undefined) this.session.clock.clearTimeout(this.retryHandle);
    this.retryHandle = undefined;
  }

  private attempt(n: number): void {
    const s = this.session;
    const terms = s.timer.terms;
    if (!terms || s.ended()) return;
    if (!s.idle()) {
      this.retry(() => this.attempt(n), BUSY_RETRY_MS);
      return;
    }
    if (n === 0) {
      // §10: without a successful refresh, end the session before it expires.
      const intervalMs = terms.interval * 1000;
      s.timer.expireIfNotRefreshed(intervalMs / 2 - Math.min(32_000, intervalMs / 3));
    }
    const method = s.updateAllowed() ? 'UPDATE' : 'INVITE';
    void s.sendRefresh(method, refreshRequestHeaders(terms, s.minSE)).then(({ request, response }) =>
      s.guard('session refresh response', () => this.answered(request, response, terms, n)),
    );
  }

  private answered(request: SipRequest, response: SipResponse, terms: SessionTimerTerms, n: number): void {
    const s = this.session;
    if (s.ended()) return;
    const status = response.status;
    if (status >= 200 && status < 300) {
      s.refreshed(request, response);
      s.timer.restart(termsFromRefreshResponse(response, terms));
      return;
    }
    if (status === 481 || status === 408) {
      s.refreshFailed(status);
      return;
    }
    if (n + 1 >= MAX_ATTEMPTS) return;
    if (status === 422) {
      const minSE = getMinSE(response);
      if (minSE !== undefined && minSE > terms.interval) s.timer.restart({ interval: minSE, refresher: 'local' });
      this.attempt(n + 1);
    } else if (status === 491) {
      // RFC 3261 §14.1: the Call-ID is the peer's, so wait 0–2 s.
      this.retry(() => this.attempt(n + 1), Math.floor(Math.random() * 2000));
    } else if (request.method === 'UPDATE' && (status === 405 || status === 501)) {
      s.forgetUpdate();
      this.attempt(n + 1);
    }
    // Other failures leave the session as it is; the expiry set in attempt(0) ends it if nothing succeeds.
  }

  private retry(fn: () => void, ms: number): void {
    this.dispose();
    this.retryHandle = this.session.clock.setTimeout(() => {
      this.retryHandle = undefined;
      this.session.guard('session refresh retry', fn);
    }, ms);
  }
}
