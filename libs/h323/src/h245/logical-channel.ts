/**
 * Uni-directional logical channel signalling entities, LCSE (H.245 §5.3, SDL in Annex C.4).
 *
 * Outgoing LCSE (a channel we transmit on): RELEASED → OpenLogicalChannel, T103 → AWAITING ESTABLISHMENT →
 * OpenLogicalChannelAck → ESTABLISHED → CloseLogicalChannel, T103 → AWAITING RELEASE → CloseLogicalChannelAck →
 * RELEASED. OpenLogicalChannelReject or T103 expiry end in RELEASED (on T103 expiry while awaiting establishment
 * CloseLogicalChannel is sent, since the remote may have opened the channel meanwhile).
 *
 * Incoming LCSE (a channel the remote transmits on): RELEASED → OpenLogicalChannel → AWAITING ESTABLISHMENT (the
 * owner decides) → OpenLogicalChannelAck → ESTABLISHED, or OpenLogicalChannelReject → RELEASED;
 * CloseLogicalChannel in any state is answered with CloseLogicalChannelAck → RELEASED.
 *
 * Error codes (Annex C.4, ERROR.indication): A T103 expiry awaiting establishment, B reject while established,
 * D T103 expiry awaiting release.
 */
import type { H245Types } from '../asn1/generated';
import { IllegalTransitionError, request, response, type EntityContext } from './control-message';
import { ProcedureTimer } from './timers';

/** Outgoing LCSE states. */
export enum OutgoingLcseState {
  Released = 'RELEASED',
  AwaitingEstablishment = 'AWAITING ESTABLISHMENT',
  Established = 'ESTABLISHED',
  AwaitingRelease = 'AWAITING RELEASE',
}

/** Why a channel ended. */
export type ChannelReleaseReason = 'closed' | 'rejected' | 'timeout' | 'remote-closed' | 'session-ended';

/** Outcomes of the outgoing LCSE. */
export interface OutgoingLogicalChannelDelegate {
  /** ESTABLISH.confirm. */
  established(ack: H245Types.OpenLogicalChannelAck): void;
  /** RELEASE.indication / RELEASE.confirm. `cause` is the OpenLogicalChannelReject cause. */
  released(reason: ChannelReleaseReason, cause?: string): void;
}

const OUTGOING_ALLOWED: Record<OutgoingLcseState, readonly OutgoingLcseState[]> = {
  [OutgoingLcseState.Released]: [OutgoingLcseState.AwaitingEstablishment, OutgoingLcseState.Established],
  [OutgoingLcseState.AwaitingEstablishment]: [OutgoingLcseState.Established, OutgoingLcseState.Released, OutgoingLcseState.AwaitingRelease],
  [OutgoingLcseState.Established]: [OutgoingLcseState.AwaitingRelease, OutgoingLcseState.Released],
  [OutgoingLcseState.AwaitingRelease]: [OutgoingLcseState.Released],
};

/** The outgoing LCSE of one channel. */
export class OutgoingLogicalChannel {
  private stateValue = OutgoingLcseState.Released;
  private readonly t103: ProcedureTimer;

  /** @param t103 T103, ms */
  constructor(
    private readonly ctx: EntityContext,
    readonly olc: H245Types.OpenLogicalChannel,
    private readonly t103ms: number,
    private readonly delegate: OutgoingLogicalChannelDelegate,
  ) {
    this.t103 = new ProcedureTimer(ctx.clock, t103ms, () => this.onT103());
  }

  /** forwardLogicalChannelNumber. */
  get channelNumber(): number {
    return this.olc.forwardLogicalChannelNumber;
  }

  /** Current state. */
  get state(): OutgoingLcseState {
    return this.stateValue;
  }

  /** ESTABLISH.request: sends OpenLogicalChannel. */
  open(): void {
    this.ctx.send(request({ tag: 'openLogicalChannel', value: this.olc }));
    this.transition(OutgoingLcseState.AwaitingEstablishment);
  }

  /** Takes over a channel opened by Fast Connect (H.323 §8.1.7): ESTABLISHED without signalling. */
  assumeEstablished(): void {
    this.transition(OutgoingLcseState.Established);
  }

  /** OpenLogicalChannelAck received. */
  receiveAck(ack: H245Types.OpenLogicalChannelAck): void {
    if (this.stateValue !== OutgoingLcseState.AwaitingEstablishment) {
      this.ctx.logger.info({ channel: this.channelNumber, state: this.stateValue }, 'H.245 OpenLogicalChannelAck ignored in this state');
      return;
    }
    this.transition(OutgoingLcseState.Established);
    this.delegate.established(ack);
  }

  /** OpenLogicalChannelReject received. */
  receiveReject(reject: H245Types.OpenLogicalChannelReject): void {
    const cause = reject.cause.tag;
    if (this.stateValue === OutgoingLcseState.AwaitingEstablishment || this.stateValue === OutgoingLcseState.Established) {
      if (this.stateValue === OutgoingLcseState.Established) this.ctx.logger.warn({ channel: this.channelNumber, cause }, 'H.245 LCSE error B: reject of an established channel');
      this.transition(OutgoingLcseState.Released);
      this.delegate.released('rejected', cause);
      return;
    }
    this.ctx.logger.info({ channel: this.channelNumber, state: this.stateValue, cause }, 'H.245 OpenLogicalChannelReject ignored in this state');
  }

  /** RELEASE.request: sends CloseLogicalChannel (source user). No effect unless opening or established. */
  close(): void {
    if (this.stateValue !== OutgoingLcseState.AwaitingEstablishment && this.stateValue !== OutgoingLcseState.Established) return;
    this.ctx.send(request({ tag: 'closeLogicalChannel', value: { forwardLogicalChannelNumber: this.channelNumber, source: { tag: 'user', value: null } } }));
    this.transition(OutgoingLcseState.AwaitingRelease);
  }

  /** CloseLogicalChannelAck received. */
  receiveCloseAck(): void {
    if (this.stateValue !== OutgoingLcseState.AwaitingRelease) {
      this.ctx.logger.info({ channel: this.channelNumber, state: this.stateValue }, 'H.245 CloseLogicalChannelAck ignored in this state');
      return;
    }
    this.transition(OutgoingLcseState.Released);
    this.delegate.released('closed');
  }

  /** Stops T103 without signalling (the session is over). Safe to call twice. */
  dispose(): void {
    this.t103.stop();
  }

  private onT103(): void {
    if (this.stateValue === OutgoingLcseState.AwaitingEstablishment) {
      this.ctx.logger.warn({ channel: this.channelNumber }, `H.245 LCSE error A: no OpenLogicalChannel response within T103 (${this.t103ms} ms)`);
      this.ctx.send(request({ tag: 'closeLogicalChannel', value: { forwardLogicalChannelNumber: this.channelNumber, source: { tag: 'lcse', value: null } } }));
      this.transition(OutgoingLcseState.Released);
      this.delegate.released('timeout');
      return;
    }
    this.ctx.logger.warn({ channel: this.channelNumber }, `H.245 LCSE error D: no CloseLogicalChannelAck within T103 (${this.t103ms} ms)`);
    this.transition(OutgoingLcseState.Released);
    this.delegate.released('timeout');
  }

  private transition(to: OutgoingLcseState): void {
    if (!OUTGOING_ALLOWED[this.stateValue].includes(to)) throw new IllegalTransitionError('outgoing LCSE', this.stateValue, to);
    this.stateValue = to;
    if (to === OutgoingLcseState.AwaitingEstablishment || to === OutgoingLcseState.AwaitingRelease) this.t103.start();
    else this.t103.stop();
  }
}

/** Incoming LCSE states. */
export enum IncomingLcseState {
  Released = 'RELEASED',
  AwaitingEstablishment = 'AWAITING ESTABLISHMENT',
  Established = 'ESTABLISHED',
}

/** OpenLogicalChannelReject causes (H.245 Annex B.3.3). */
export type OlcRejectCause = Exclude<H245Types.OpenLogicalChannelReject['cause']['tag'], '$unknown'>;

const INCOMING_ALLOWED: Record<IncomingLcseState, readonly IncomingLcseState[]> = {
  [IncomingLcseState.Released]: [IncomingLcseState.AwaitingEstablishment, IncomingLcseState.Released, IncomingLcseState.Established],
  [IncomingLcseState.AwaitingEstablishment]: [IncomingLcseState.Established, IncomingLcseState.Released, IncomingLcseState.AwaitingEstablishment],
  [IncomingLcseState.Established]: [IncomingLcseState.Released, IncomingLcseState.AwaitingEstablishment],
};

/** The incoming LCSE of one channel number. */
export class IncomingLogicalChannel {
  private stateValue = IncomingLcseState.Released;
  private current: H245Types.OpenLogicalChannel | undefined;

  constructor(
    private readonly ctx: EntityContext,
    readonly channelNumber: number,
  ) {}

  /** Current state. */
  get state(): IncomingLcseState {
    return this.stateValue;
  }

  /** The OpenLogicalChannel being decided on or established. */
  get olc(): H245Types.OpenLogicalChannel | undefined {
    return this.current;
  }

  /**
   * OpenLogicalChannel received (ESTABLISH.indication). Returns 'replaced' when it replaces a pending or
   * established channel of the same number (RELEASE.indication of the old one first, §5.3).
   */
  receiveOpen(olc: H245Types.OpenLogicalChannel): 'new' | 'replaced' {
    const replaced = this.stateValue !== IncomingLcseState.Released;
    this.current = olc;
    this.transition(IncomingLcseState.AwaitingEstablishment);
    return replaced ? 'replaced' : 'new';
  }

  /** Takes over a channel opened by Fast Connect (H.323 §8.1.7): ESTABLISHED without signalling. */
  assumeEstablished(olc: H245Types.OpenLogicalChannel): void {
    this.current = olc;
    this.transition(IncomingLcseState.Established);
  }

  /** ESTABLISH.response: sends OpenLogicalChannelAck. Returns false (and sends nothing) unless awaiting. */
  accept(ack: H245Types.OpenLogicalChannelAck): boolean {
    if (this.stateValue !== IncomingLcseState.AwaitingEstablishment) return false;
    this.ctx.send(response({ tag: 'openLogicalChannelAck', value: ack }));
    this.transition(IncomingLcseState.Established);
    return true;
  }

  /** RELEASE.request before establishment: sends OpenLogicalChannelReject. Returns false unless awaiting. */
  reject(cause: OlcRejectCause): boolean {
    if (this.stateValue !== IncomingLcseState.AwaitingEstablishment) return false;
    this.ctx.send(response({ tag: 'openLogicalChannelReject', value: { forwardLogicalChannelNumber: this.channelNumber, cause: { tag: cause, value: null } } }));
    this.transition(IncomingLcseState.Released);
    return true;
  }

  /** CloseLogicalChannel received: always answered with CloseLogicalChannelAck. Returns the state it left. */
  receiveClose(): IncomingLcseState {
    const was = this.stateValue;
    this.ctx.send(response({ tag: 'closeLogicalChannelAck', value: { forwardLogicalChannelNumber: this.channelNumber } }));
    this.transition(IncomingLcseState.Released);
    return was;
  }

  private transition(to: IncomingLcseState): void {
    if (!INCOMING_ALLOWED[this.stateValue].includes(to)) throw new IllegalTransitionError('incoming LCSE', this.stateValue, to);
    this.stateValue = to;
    if (to === IncomingLcseState.Released) this.current = undefined;
  }
}
