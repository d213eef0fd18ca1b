/**
 * Non-INVITE client transaction, NICT (RFC 3261 §17.1.2).
 *
 *                Timer E (UDP): retransmit, E = min(2E, T2)      Timer E: retransmit, E = T2
 *   start ─► Trying ──1xx (pass up)──► Proceeding ──1xx (pass up)
 *              │ Timer F: timeout             │ Timer F: timeout ─► Terminated
 *              └──200-699 (pass up)───────────┴──► Completed ──Timer K──► Terminated
 *
 * Timer E (T1) runs over UDP only, capped at T2, and is T2 once Proceeding; Timer F is 64*T1;
 * Timer K is T4 over UDP and 0 over TCP (§17.1.2.2). Responses in Completed are absorbed.
 */
import type { SipRequest, SipResponse } from '../message';
import type { RemoteAddress } from '../transport';
import { ClientTransaction, ClientTransactionCallbacks } from './client-transaction';
import type { TransactionContext, TransactionMachine } from './transaction';
import { TransactionKind, TransactionState } from './transaction-state';
import { nextTimerE } from './timers';

const S = TransactionState;

/** The NICT state machine (§17.1.2.2, Figure 6). */
export const NICT_MACHINE: TransactionMachine = {
  initial: S.Trying,
  transitions: {
    [S.Trying]: [S.Proceeding, S.Completed, S.Terminated],
    [S.Proceeding]: [S.Completed, S.Terminated],
    [S.Completed]: [S.Terminated],
  },
  timers: {
    [S.Trying]: ['E', 'F'],
    [S.Proceeding]: ['E', 'F'],
    [S.Completed]: ['K'],
  },
};

/** A non-INVITE client transaction. Created by `TransactionLayer.sendRequest()`. */
export class NonInviteClientTransaction extends ClientTransaction {
  readonly kind = TransactionKind.NICT;

  constructor(ctx: TransactionContext, id: string, branch: string, request: SipRequest, target: RemoteAddress, callbacks: ClientTransactionCallbacks) {
    super(ctx, NICT_MACHINE, id, branch, request, target, callbacks);
  }

  /** Sends the request; starts Timer E (UDP only) and Timer F (§17.1.2.2). */
  start(): void {
    if (this.state !== S.Trying || this.runningTimers().length > 0) return;
    this.transmit();
    if (!this.reliable) this.startTimerE(this.timers.E);
    this.startTimer('F', this.timers.F, () => this.timeout());
  }

  /** A response matched to this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return; // Completed absorbs retransmissions.
    if (response.status < 200) {
      if (this.state === S.Trying) this.transition(S.Proceeding);
      this.passUp(response);
      return;
    }
    this.transition(S.Completed);
    this.passUp(response);
    if (this.inState(S.Completed) && this.timers.K === 0) this.transition(S.Terminated);
  }

  protected override onEnter(to: TransactionState): void {
    if (to === S.Completed && this.timers.K > 0) this.startTimer('K', this.timers.K, () => this.transition(S.Terminated));
  }

  protected override onBecameUnreliable(): void {
    if (this.state === S.Trying || this.state === S.Proceeding) this.startTimerE(this.timers.E);
  }

  private startTimerE(interval: number): void {
    this.startTimer('E', interval, () => {
      this.transmit();
      this.startTimerE(nextTimerE(interval, this.timers.T2, this.state === S.Proceeding));
    });
  }
}
