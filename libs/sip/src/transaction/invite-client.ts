/**
 * INVITE client transaction, ICT (RFC 3261 §17.1.1, updated by RFC 6026 §8.4).
 *
 *                     Timer A (UDP): retransmit INVITE, A = 2A
 *   start ─► Calling ──1xx──► Proceeding ──1xx──► (pass up)
 *              │  Timer B: timeout ─► Terminated      │
 *              ├──2xx──────────────────────────────────┴─► Accepted ──Timer M──► Terminated
 *              └──300-699 (send ACK, pass up)──────────────► Completed ──Timer D──► Terminated
 *
 * - Timer A (T1, doubling) runs over UDP only; Timer B (64*T1) only matters in Calling (§17.1.1.2).
 * - A 300–699 response gets the ACK built here (§17.1.1.3); retransmissions of it in Completed are
 *   answered with the same ACK and absorbed. Timer D is ≥ 32 s over UDP, 0 over TCP.
 * - A 2xx moves to Accepted (RFC 6026 §8.4) instead of Terminated: further 2xx (retransmissions, or
 *   forked answers) are passed up so the TU can ACK each one (§13.2.2.4); Timer M (64*T1) ends it.
 */
import type { SipRequest, SipResponse } from '../message';
import type { RemoteAddress } from '../transport';
import { ClientTransaction, ClientTransactionCallbacks } from './client-transaction';
import { buildNon2xxAck } from './non2xx-ack';
import type { TransactionContext, TransactionMachine } from './transaction';
import { TransactionKind, TransactionState } from './transaction-state';
import { nextTimerA } from './timers';

const S = TransactionState;

/** The ICT state machine (§17.1.1.2, Figure 5; Accepted from RFC 6026 Figure 5). */
export const ICT_MACHINE: TransactionMachine = {
  initial: S.Calling,
  transitions: {
    [S.Calling]: [S.Proceeding, S.Accepted, S.Completed, S.Terminated],
    [S.Proceeding]: [S.Accepted, S.Completed, S.Terminated],
    [S.Accepted]: [S.Terminated],
    [S.Completed]: [S.Terminated],
  },
  timers: {
    [S.Calling]: ['A', 'B'],
    [S.Accepted]: ['M'],
    [S.Completed]: ['D'],
  },
};

/** An INVITE client transaction. Created by `TransactionLayer.sendRequest()`. */
export class InviteClientTransaction extends ClientTransaction {
  readonly kind = TransactionKind.ICT;
  private ack?: SipRequest;

  constructor(ctx: TransactionContext, id: string, branch: string, request: SipRequest, target: RemoteAddress, callbacks: ClientTransactionCallbacks) {
    super(ctx, ICT_MACHINE, id, branch, request, target, callbacks);
  }

  /** Sends the INVITE; starts Timer A (UDP only) and Timer B (§17.1.1.2). */
  start(): void {
    if (this.state !== S.Calling || this.runningTimers().length > 0) return;
    this.transmit();
    if (!this.reliable) this.startTimerA(this.timers.A);
    this.startTimer('B', this.timers.B, () => {
      if (this.state === S.Calling) this.timeout();
    });
  }

  /** A response matched to this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case S.Calling:
      case S.Proceeding:
        if (status < 200) {
          if (this.state === S.Calling) this.transition(S.Proceeding);
          this.passUp(response);
        } else if (status < 300) {
          this.transition(S.Accepted);
          this.passUp(response);
        } else {
          this.ack = buildNon2xxAck(this.request, response);
          this.transition(S.Completed);
          this.transmit(this.ack);
          this.passUp(response);
          if (this.inState(S.Completed) && this.timers.D === 0) this.transition(S.Terminated);
        }
        return;
      case S.Accepted:
        // RFC 6026 §8.4: every 2xx goes to the TU, which ACKs it; anything else is absorbed.
        if (status >= 200 && status < 300) this.passUp(response);
        return;
      case S.Completed:
        // §17.1.1.2: a retransmitted final response is answered with the ACK again, not passed up.
        if (status >= 300 && this.ack) this.transmit(this.ack);
        return;
      default:
        return;
    }
  }

  /** The ACK sent for the non-2xx final response, once there is one. */
  get non2xxAck(): SipRequest | undefined {
    return this.ack;
  }

  protected override onEnter(to: TransactionState): void {
    if (to === S.Accepted) this.startTimer('M', this.timers.M, () => this.transition(S.Terminated));
    if (to === S.Completed && this.timers.D > 0) this.startTimer('D', this.timers.D, () => this.transition(S.Terminated));
  }

  protected override onBecameUnreliable(): void {
    if (this.state === S.Calling) this.startTimerA(this.timers.A);
  }

  private startTimerA(interval: number): void {
    this.startTimer('A', interval, () => {
      this.transmit();
      this.startTimerA(nextTimerA(interval));
    });
  }
}
