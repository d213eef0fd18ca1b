/**
 * Reliability of a 2xx to an INVITE (RFC 3261 §13.3.1.4): the 2xx goes to the transport again at T1,
 * 2·T1, … capped at T2 until the ACK arrives; when no ACK came after 64·T1 the dialog is confirmed anyway
 * and the session should be ended with BYE.
 *
 * Our INVITE server transaction already retransmits the 2xx over UDP (RFC 6026 Accepted state), so the
 * retransmission here runs only when the owner asks for it (`retransmit` given); the ACK wait always runs.
 */
import type { SipRequest, SipResponse } from '../message';
import { nextTimerG, type Clock, type TimerHandle, type TimerSettings } from '../transaction/timers';

/** What an `AcceptedResponse` needs from its owner. */
export interface AcceptedResponseHandlers {
  /** Send the 2xx again, straight to the transport (§13.3.1.4, §18.2.2); absent: no retransmission here. */
  retransmit?: (response: SipResponse, request: SipRequest) => void;
  /** 64·T1 passed without ACK. */
  ackTimeout(): void;
}

/** A 2xx to an INVITE waiting for its ACK. */
export class AcceptedResponse {
  private retransmitHandle: TimerHandle | undefined;
  private timeoutHandle: TimerHandle | undefined;
  private interval: number;
  private done = false;

  /**
   * Starts both timers at once.
   * @param request the INVITE (or re-INVITE) being answered.
   * @param response the 2xx as sent.
   * @param localOffer true when the 2xx carried an offer, so the ACK must carry the answer (§13.2.1).
   */
  constructor(
    readonly request: SipRequest,
    readonly response: SipResponse,
    readonly cseq: number,
    readonly localOffer: boolean,
    private readonly clock: Clock,
    private readonly settings: TimerSettings,
    private readonly handlers: AcceptedResponseHandlers,
  ) {
    this.interval = settings.t1;
    if (handlers.retransmit) this.retransmitHandle = clock.setTimeout(() => this.onRetransmit(), this.interval);
    this.timeoutHandle = clock.setTimeout(() => this.onTimeout(), 64 * settings.t1);
  }

  /** True once acknowledged, timed out or stopped. */
  get finished(): boolean {
    return this.done;
  }

  /** Stop both timers (ACK received or session ended); safe to call twice. */
  stop(): void {
    this.done = true;
    if (this.retransmitHandle !== undefined) this.clock.clearTimeout(this.retransmitHandle);
    if (this.timeoutHandle !== undefined) this.clock.clearTimeout(this.timeoutHandle);
    this.retransmitHandle = undefined;
    this.timeoutHandle = undefined;
  }

  private onRetransmit(): void {
    this.retransmitHandle = undefined;
    if (this.done) return;
    this.handlers.retransmit?.(this.response, this.request);
    this.interval = nextTimerG(this.interval, this.settings.t2);
    this.retransmitHandle = this.clock.setTimeout(() => this.onRetransmit(), this.interval);
  }

  private onTimeout(): void {
    this.timeoutHandle = undefined;
    if (this.done) return;
    this.stop();
    this.handlers.ackTimeout();
  }
}
