/**
 * Non-INVITE server transaction, NIST (RFC 3261 §17.2.2).
 *
 *   request ─► Trying ──1xx from TU: send──► Proceeding ──1xx from TU: send
 *                │ retransmission: absorbed     │ retransmission: resend last provisional
 *                └──200-699 from TU: send───────┴──► Completed ──Timer J──► Terminated
 *                                                      retransmission: resend final
 *
 * Timer J is 64*T1 over UDP and 0 over TCP. A request the TU never answers would keep its NIST
 * forever; after 64*T1 (when the client's Timer F has fired and nobody waits for an answer any more)
 * the transaction is terminated with a warning instead, so a faulty TU cannot leak transactions.
 */
import type { SipRequest, SipResponse } from '../message';
import type { RemoteAddress } from '../transport';
import { ServerTransaction } from './server-transaction';
import type { TransactionContext, TransactionMachine } from './transaction';
import { TransactionKind, TransactionState } from './transaction-state';

const S = TransactionState;

/** The NIST state machine (§17.2.2, Figure 8). */
export const NIST_MACHINE: TransactionMachine = {
  initial: S.Trying,
  transitions: {
    [S.Trying]: [S.Proceeding, S.Completed, S.Terminated],
    [S.Proceeding]: [S.Completed, S.Terminated],
    [S.Completed]: [S.Terminated],
  },
  timers: {
    [S.Trying]: ['Abandon'],
    [S.Proceeding]: ['Abandon'],
    [S.Completed]: ['J'],
  },
};

/** A non-INVITE server transaction. Created by the transaction layer for each new non-INVITE request (ACK excepted). */
export class NonInviteServerTransaction extends ServerTransaction {
  readonly kind = TransactionKind.NIST;

  constructor(ctx: TransactionContext, id: string, branch: string, request: SipRequest, source: RemoteAddress) {
    super(ctx, NIST_MACHINE, id, branch, request, source);
    this.startTimer('Abandon', this.timers.Abandon, () => {
      ctx.logger.warn({ tx: this.id, method: request.method }, 'request never answered by the transaction user; transaction dropped');
      this.transition(S.Terminated);
    });
  }

  /** Sends a response from the TU (§17.2.2). See `ServerTransaction.respond`. */
  respond(response: SipResponse): boolean {
    this.checkStatus(response);
    if (this.state !== S.Trying && this.state !== S.Proceeding) return this.refuse(response);
    if (response.status < 200) {
      if (this.state === S.Trying) this.transition(S.Proceeding);
      this.sendResponse(response);
      return true;
    }
    this.transition(S.Completed);
    this.sendResponse(response);
    if (this.inState(S.Completed) && this.timers.J === 0) this.transition(S.Terminated);
    return true;
  }

  /** A retransmission of the request (§17.2.2): absorbed in Trying, else answered with the last response. */
  receiveRequest(_request: SipRequest): void {
    if (this.state === S.Proceeding || this.state === S.Completed) this.resend();
  }

  protected override onEnter(to: TransactionState): void {
    if (to === S.Completed && this.timers.J > 0) this.startTimer('J', this.timers.J, () => this.transition(S.Terminated));
  }
}
