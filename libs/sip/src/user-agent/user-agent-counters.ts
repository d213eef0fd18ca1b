/** Counters of the user agent core: requests by method, refusals by status, calls and how they ended. */
import type { SessionEndReason } from '../dialog/session-state';

/** A copy of the counters at one moment. */
export interface UserAgentCounterSnapshot {
  /** Requests received, by method. */
  requests: Record<string, number>;
  /** Error responses the core itself sent, by status code. */
  rejected: Record<string, number>;
  /** Calls that ended, by `SessionEndReason`. */
  callsEnded: Record<string, number>;
  /** ACKs that matched no dialog. */
  unmatchedAcks: number;
  /** Calls handed to the application since start. */
  callsTotal: number;
  /** Calls not yet terminated. */
  activeCalls: number;
  /** Dialogs (sessions) not yet terminated, including ones refused before reaching the application. */
  activeDialogs: number;
}

/** Mutable counters; `snapshot()` gives a plain copy for health and metrics endpoints. */
export class UserAgentCounters {
  private readonly requests: Record<string, number> = {};
  private readonly refusals: Record<string, number> = {};
  private readonly endings: Record<string, number> = {};
  private unmatchedAcks = 0;
  private callsTotal = 0;

  /** A request arrived (not retransmissions, which the transactions absorb). */
  request(method: string): void {
    this.requests[method] = (this.requests[method] ?? 0) + 1;
  }

  /** The core itself answered with an error status (483, 420, 481, 405, 415, 400, …). */
  rejected(status: number): void {
    this.refusals[status] = (this.refusals[status] ?? 0) + 1;
  }

  /** An ACK matched no dialog. */
  unmatchedAck(): void {
    this.unmatchedAcks++;
  }

  /** A call reached the application. */
  callStarted(): void {
    this.callsTotal++;
  }

  /** A call ended. */
  callEnded(reason: SessionEndReason | undefined): void {
    const key = reason ?? 'unknown';
    this.endings[key] = (this.endings[key] ?? 0) + 1;
  }

  /** A copy of the counters, with the live session and call counts. */
  snapshot(activeDialogs: number, activeCalls: number): UserAgentCounterSnapshot {
    return {
      requests: { ...this.requests },
      rejected: { ...this.refusals },
      callsEnded: { ...this.endings },
      unmatchedAcks: this.unmatchedAcks,
      callsTotal: this.callsTotal,
      activeCalls,
      activeDialogs,
    };
  }
}
