/**
 * INVITE server transaction, IST (RFC 3261 §17.2.1, updated by RFC 6026 §7.1 and §8.5–8.7).
 *
 *   INVITE ─► Proceeding ──1xx from TU: send──► (stay)
 *               │ (200 ms, TU silent: send 100 Trying)
 *               │ INVITE retransmission: resend last provisional
 *               ├──2xx from TU: send──► Accepted ──Timer L──► Terminated
 *               │                          │ G schedule (any transport): resend 2xx until the ACK
 *               └──300-699 from TU: send──► Completed ──ACK──► Confirmed ──Timer I──► Terminated
 *                                            │ Timer G (UDP): resend, G = min(2G, T2)
 *                                            └ Timer H: no ACK, tell TU ─► Terminated
 *
 * 2xx handling follows RFC 6026 rather than RFC 3261's "Terminated on 2xx": this is what deployed
 * stacks do, and it keeps the transaction alive to absorb retransmitted INVITEs (which must not reach
 * the TU as new calls) for Timer L = 64*T1. In Accepted:
 * - INVITE retransmissions are absorbed (RFC 6026 §7.1);
 * - 2xx passed by the TU again are sent (RFC 6026 §8.7);
 * - the 2xx is retransmitted on the Timer G schedule (T1, doubling up to T2) until the ACK arrives —
 *   over every transport, TCP included, because this reliability is end to end (a proxy may forward
 *   over UDP): the UAS core's duty of §13.3.1.4, done here so every TU gets it right. The transaction
 *   layer reports the ACK (matched by dialog, since the ACK for a 2xx has its own branch) through
 *   `ackReceived()`. Without an ACK by Timer L the TU hears `onAckTimeout` and should send BYE.
 */
import { createResponse, SipRequest, SipResponse } from '../message';
import type { RemoteAddress } from '../transport';
import { ServerTransaction } from './server-transaction';
import type { TransactionContext, TransactionMachine } from './transaction';
import { TransactionKind, TransactionState } from './transaction-state';
import { nextTimerG } from './timers';

const S = TransactionState;

/** The IST state machine (§17.2.1, Figure 7; Accepted from RFC 6026 Figure 7). */
export const IST_MACHINE: TransactionMachine = {
  initial: S.Proceeding,
  transitions: {
    [S.Proceeding]: [S.Accepted, S.Completed, S.Terminated],
    [S.Accepted]: [S.Terminated],
    [S.Completed]: [S.Confirmed, S.Terminated],
    [S.Confirmed]: [S.Terminated],
  },
  timers: {
    [S.Proceeding]: ['Trying100'],
    [S.Accepted]: ['G', 'L'],
    [S.Completed]: ['G', 'H'],
    [S.Confirmed]: ['I'],
  },
};

/** An INVITE server transaction. Created by the transaction layer for each new INVITE. */
export class InviteServerTransaction extends ServerTransaction {
  readonly kind = TransactionKind.IST;
  private acked = false;
  private cancelledFlag = false;

  constructor(ctx: TransactionContext, id: string, branch: string, request: SipRequest, source: RemoteAddress) {
    super(ctx, IST_MACHINE, id, branch, request, source);
    this.startTimer('Trying100', this.timers.Trying100, () => this.sendTrying());
  }

  /** True once the ACK for the final response (2xx or not) arrived. */
  get ackReceivedFlag(): boolean {
    return this.acked;
  }

  /** True once a CANCEL matched this INVITE (§9.2). */
  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  /** Sends a response from the TU (§17.2.1; RFC 6026 §8.5, §8.7). See `ServerTransaction.respond`. */
  respond(response: SipResponse): boolean {
    this.checkStatus(response);
    const status = response.status;
    if (this.state === S.Proceeding) {
      this.stopTimer('Trying100');
      if (status < 200) {
        this.sendResponse(response);
      } else {
        // Record first: observers of the transition see the final response (its To tag indexes the ACK).
        this.record(response);
        this.transition(status < 300 ? S.Accepted : S.Completed);
        this.resend();
      }
      return true;
    }
    if (this.state === S.Accepted && status >= 200 && status < 300) {
      this.sendResponse(response);
      return true;
    }
    return this.refuse(response);
  }

  /** An INVITE retransmission (§17.2.1): resend the last response, or absorb it. */
  receiveRequest(_request: SipRequest): void {
    switch (this.state) {
      case S.Proceeding:
        if (this.lastResponse) this.resend();
        else this.sendTrying();
        return;
      case S.Completed:
        this.resend();
        return;
      default:
        return; // Accepted (RFC 6026 §7.1), Confirmed: absorbed.
    }
  }

  /**
   * An ACK matched to this transaction by branch (§17.2.3) or RFC 2543 rules.
   * @returns true when it acknowledges a 2xx (Accepted state): the ACK then belongs to the TU
   *   (RFC 6026 §8.7); false when it was absorbed here (the ACK for a 300–699, §17.2.1).
   */
  receiveAck(_ack: SipRequest): boolean {
    if (this.state === S.Completed) {
      this.acked = true;
      this.transition(S.Confirmed);
      if (this.inState(S.Confirmed) && this.timers.I === 0) this.transition(S.Terminated);
      return false;
    }
    if (this.state === S.Accepted) {
      this.ackReceived();
      return true;
    }
    return false;
  }

  /** The ACK for our 2xx arrived (§13.3.1.4): stop retransmitting the 2xx. */
  ackReceived(): void {
    if (this.state !== S.Accepted) return;
    this.acked = true;
    this.stopTimer('G');
  }

  /** @internal Marks the transaction as cancelled (set by the transaction layer on a matching CANCEL). */
  markCancelled(): void {
    this.cancelledFlag = true;
  }

  protected override onEnter(to: TransactionState): void {
    if (to === S.Accepted) {
      // §13.3.1.4: "independent of whatever transport protocols are used to send the response".
      this.startTimerG(this.timers.G);
      this.startTimer('L', this.timers.L, () => this.timerL());
    } else if (to === S.Completed) {
      if (!this.reliable) this.startTimerG(this.timers.G);
      this.startTimer('H', this.timers.H, () => this.timerH());
    } else if (to === S.Confirmed && this.timers.I > 0) {
      this.startTimer('I', this.timers.I, () => this.transition(S.Terminated));
    }
  }

  private sendTrying(): void {
    if (this.state !== S.Proceeding || this.lastResponse) return;
    this.stopTimer('Trying100');
    this.sendResponse(createResponse(this.request, 100));
  }

  private startTimerG(interval: number): void {
    this.startTimer('G', interval, () => {
      this.resend();
      this.startTimerG(nextTimerG(interval, this.timers.T2));
    });
  }

  private timerH(): void {
    const response = this.lastResponse;
    if (response) this.notify('onAckTimeout', () => this.delegate?.onAckTimeout?.(response, this));
    this.transition(S.Terminated);
  }

  private timerL(): void {
    const response = this.lastResponse;
    if (!this.acked && response) this.notify('onAckTimeout', () => this.delegate?.onAckTimeout?.(response, this));
    this.transition(S.Terminated);
  }
}
