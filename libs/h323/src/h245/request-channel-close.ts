/**
 * Close logical channel signalling entities, CLCSE (H.245 §5.4 "Request channel close", SDL in Annex C.6): a
 * receiver asks the transmitter of a channel to close it.
 *
 * Outgoing (we ask the remote to close a channel it transmits to us): IDLE → RequestChannelClose, T108 →
 * AWAITING RESPONSE → RequestChannelCloseAck (the remote then closes the channel with CloseLogicalChannel) or
 * RequestChannelCloseReject → IDLE; on T108 expiry RequestChannelCloseRelease is sent (error A).
 *
 * Incoming (the remote asks us to close a channel we transmit): IDLE → RequestChannelClose → AWAITING RESPONSE →
 * the session's verdict: RequestChannelCloseAck (then our outgoing LCSE closes the channel) or
 * RequestChannelCloseReject → IDLE; RequestChannelCloseRelease while awaiting → IDLE.
 */
import type { H245Types } from '../asn1/generated';
import { IllegalTransitionError, indication, request, response, type EntityContext } from './control-message';
import { ProcedureTimer } from './timers';

/** CLCSE states. */
export enum ClcseState {
  Idle = 'IDLE',
  AwaitingResponse = 'AWAITING RESPONSE',
}

/** Outcomes of the outgoing CLCSE. */
export interface OutgoingChannelCloseDelegate {
  /** CLOSE.confirm (accepted) or REJECT.indication (rejected, or T108 expired). */
  finished(outcome: 'accepted' | 'rejected' | 'timeout'): void;
}

/** The outgoing CLCSE of one channel the remote transmits on. */
export class OutgoingChannelCloseRequest {
  private stateValue = ClcseState.Idle;
  private readonly t108: ProcedureTimer;

  /** @param t108 T108, ms */
  constructor(
    private readonly ctx: EntityContext,
    readonly channelNumber: number,
    private readonly t108ms: number,
    private readonly delegate: OutgoingChannelCloseDelegate,
  ) {
    this.t108 = new ProcedureTimer(ctx.clock, t108ms, () => this.onT108());
  }

  /** Current state. */
  get state(): ClcseState {
    return this.stateValue;
  }

  /** CLOSE.request: sends RequestChannelClose (reason normal); ignored while one is outstanding. */
  request(): void {
    if (this.stateValue !== ClcseState.Idle) return;
    this.ctx.send(request({ tag: 'requestChannelClose', value: { forwardLogicalChannelNumber: this.channelNumber, reason: { tag: 'normal', value: null } } }));
    this.transition(ClcseState.AwaitingResponse);
  }

  /** RequestChannelCloseAck or RequestChannelCloseReject received. */
  receiveResponse(outcome: 'accepted' | 'rejected'): void {
    if (this.stateValue !== ClcseState.AwaitingResponse) {
      this.ctx.logger.info({ channel: this.channelNumber, outcome }, 'H.245 RequestChannelClose response ignored while idle');
      return;
    }
    this.transition(ClcseState.Idle);
    this.delegate.finished(outcome);
  }

  /** Stops T108. Safe to call twice. */
  dispose(): void {
    this.t108.stop();
  }

  private onT108(): void {
    this.ctx.send(indication({ tag: 'requestChannelCloseRelease', value: { forwardLogicalChannelNumber: this.channelNumber } }));
    this.transition(ClcseState.Idle);
    this.ctx.logger.warn({ channel: this.channelNumber }, `H.245 CLCSE error A: no RequestChannelClose response within T108 (${this.t108ms} ms)`);
    this.delegate.finished('timeout');
  }

  private transition(to: ClcseState): void {
    if (to === this.stateValue) throw new IllegalTransitionError('outgoing CLCSE', this.stateValue, to);
    this.stateValue = to;
    if (to === ClcseState.AwaitingResponse) this.t108.start();
    else this.t108.stop();
  }
}

/** The incoming CLCSE: answers RequestChannelClose with the verdict of `decide` (true: we close the channel). */
export class IncomingChannelCloseRequest {
  private stateValue = ClcseState.Idle;

  /** @param decide CLOSE.indication: returns whether the channel will be closed (it must be one we transmit on) */
  constructor(
    private readonly ctx: EntityContext,
    private readonly decide: (channelNumber: number) => boolean,
  ) {}

  /** Current state (AWAITING RESPONSE only while `decide` runs). */
  get state(): ClcseState {
    return this.stateValue;
  }

  /**
   * RequestChannelClose received: sends RequestChannelCloseAck and then lets `afterAck` close the channel, or
   * RequestChannelCloseReject (cause unspecified).
   */
  receive(req: H245Types.RequestChannelClose, afterAck: (channelNumber: number) => void): void {
    const channel = req.forwardLogicalChannelNumber;
    this.stateValue = ClcseState.AwaitingResponse;
    if (this.decide(channel)) {
      this.ctx.send(response({ tag: 'requestChannelCloseAck', value: { forwardLogicalChannelNumber: channel } }));
      this.stateValue = ClcseState.Idle;
      afterAck(channel);
      return;
    }
    this.ctx.logger.info({ channel }, 'H.245 RequestChannelClose for a channel we do not transmit on: rejected');
    this.ctx.send(response({ tag: 'requestChannelCloseReject', value: { forwardLogicalChannelNumber: channel, cause: { tag: 'unspecified', value: null } } }));
    this.stateValue = ClcseState.Idle;
  }

  /** RequestChannelCloseRelease received. */
  receiveRelease(rel: H245Types.RequestChannelCloseRelease): void {
    this.ctx.logger.info({ channel: rel.forwardLogicalChannelNumber }, 'H.245 RequestChannelCloseRelease received');
    this.stateValue = ClcseState.Idle;
  }
}
