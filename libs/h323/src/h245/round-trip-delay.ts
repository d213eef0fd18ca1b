/**
 * Round trip delay signalling entity, RTDSE (H.245 §5.7, SDL in Annex C.10): RoundTripDelayRequest with a
 * sequence number (mod 256) starts T105; the RoundTripDelayResponse with the same number gives the delay; other
 * numbers are stale and discarded; T105 expiry is EXPIRY.indication. Requests from the remote are answered at once
 * with a response carrying their number.
 */
import type { H245Types } from '../asn1/generated';
import { IllegalTransitionError, request, response, type EntityContext } from './control-message';
import { ProcedureTimer } from './timers';

/** RTDSE states. */
export enum RtdState {
  Idle = 'IDLE',
  AwaitingResponse = 'AWAITING RESPONSE',
}

/** Outcomes of the RTDSE. */
export interface RoundTripDelayDelegate {
  /** TRANSFER.confirm: the delay in ms. */
  measured(ms: number): void;
  /** EXPIRY.indication: no response within T105. */
  expired(): void;
}

/** The RTDSE of one session. */
export class RoundTripDelay {
  private stateValue = RtdState.Idle;
  private sequence = 0;
  private sentAt = 0;
  private readonly t105: ProcedureTimer;

  /** @param t105 T105, ms */
  constructor(
    private readonly ctx: EntityContext,
    private readonly t105ms: number,
    private readonly delegate: RoundTripDelayDelegate,
  ) {
    this.t105 = new ProcedureTimer(ctx.clock, t105ms, () => this.onT105());
  }

  /** Current state. */
  get state(): RtdState {
    return this.stateValue;
  }

  /** TRANSFER.request: sends RoundTripDelayRequest with the next sequence number (a pending one is abandoned). */
  start(): void {
    this.sequence = (this.sequence + 1) % 256;
    this.sentAt = this.ctx.clock.now();
    this.ctx.send(request({ tag: 'roundTripDelayRequest', value: { sequenceNumber: this.sequence } }));
    this.transition(RtdState.AwaitingResponse);
  }

  /** RoundTripDelayRequest received: answered with RoundTripDelayResponse of the same number. */
  receiveRequest(req: H245Types.RoundTripDelayRequest): void {
    this.ctx.send(response({ tag: 'roundTripDelayResponse', value: { sequenceNumber: req.sequenceNumber } }));
  }

  /** RoundTripDelayResponse received. */
  receiveResponse(res: H245Types.RoundTripDelayResponse): void {
    if (this.stateValue !== RtdState.AwaitingResponse || res.sequenceNumber !== this.sequence) {
      this.ctx.logger.info({ sequenceNumber: res.sequenceNumber, outstanding: this.sequence }, 'H.245 stale RoundTripDelayResponse discarded');
      return;
    }
    this.transition(RtdState.Idle);
    this.delegate.measured(Math.max(0, this.ctx.clock.now() - this.sentAt));
  }

  /** Stops T105. Safe to call twice. */
  dispose(): void {
    this.t105.stop();
  }

  private onT105(): void {
    this.transition(RtdState.Idle);
    this.ctx.logger.warn({ sequenceNumber: this.sequence }, `H.245 no RoundTripDelayResponse within T105 (${this.t105ms} ms)`);
    this.delegate.expired();
  }

  private transition(to: RtdState): void {
    if (to === RtdState.Idle && this.stateValue !== RtdState.AwaitingResponse) throw new IllegalTransitionError('RTDSE', this.stateValue, to);
    this.stateValue = to;
    if (to === RtdState.AwaitingResponse) this.t105.start();
    else this.t105.stop();
  }
}
