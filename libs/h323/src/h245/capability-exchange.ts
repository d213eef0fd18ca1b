/**
 * Capability exchange signalling entities, CESE (H.245 §5.2, SDL in Annex C.3): the outgoing entity sends our
 * TerminalCapabilitySet and waits for TerminalCapabilitySetAck/Reject under T101; the incoming entity answers
 * each received set with an ack or a reject carrying its sequence number.
 *
 * Sequence numbers: out_SQ starts at 0 and is incremented (mod 256) before each set is sent, so the first set
 * carries 1 as in H323Plus; acks and rejects whose number is not the outstanding one are stale and discarded.
 * Error code (Annex C.3): A no response within T101 (TerminalCapabilitySetRelease is sent).
 */
import type { H245Types } from '../asn1/generated';
import { IllegalTransitionError, indication, request, response, type EntityContext } from './control-message';
import type { TcsRejectCause } from './remote-capabilities';
import { ProcedureTimer } from './timers';

/** States of both CESEs (H.245 Annex C.3). */
export enum CeseState {
  Idle = 'IDLE',
  AwaitingResponse = 'AWAITING RESPONSE',
}

/** Outcomes of the outgoing CESE. */
export interface OutgoingCapabilityExchangeDelegate {
  /** TRANSFER.confirm: the remote acknowledged our set. */
  acknowledged(sequenceNumber: number): void;
  /** REJECT.indication: rejected by the remote (`cause` is its TerminalCapabilitySetReject cause) or T101 expired. */
  rejected(reason: string, cause?: H245Types.TerminalCapabilitySetReject['cause']): void;
}

/** The outgoing CESE. */
export class OutgoingCapabilityExchange {
  private stateValue = CeseState.Idle;
  private outSq = 0;
  private readonly t101: ProcedureTimer;

  /**
   * @param build returns our TerminalCapabilitySet for a sequence number
   * @param t101 T101, ms
   */
  constructor(
    private readonly ctx: EntityContext,
    private readonly build: (sequenceNumber: number) => H245Types.TerminalCapabilitySet,
    t101: number,
    private readonly delegate: OutgoingCapabilityExchangeDelegate,
  ) {
    this.t101 = new ProcedureTimer(ctx.clock, t101, () => this.onT101(t101));
  }

  /** Current state. */
  get state(): CeseState {
    return this.stateValue;
  }

  /** Sequence number of the last set sent (0 before the first). */
  get sequenceNumber(): number {
    return this.outSq;
  }

  /** TRANSFER.request: sends our set with the next sequence number (also while awaiting: the newer set wins). */
  transfer(): void {
    this.outSq = (this.outSq + 1) % 256;
    this.ctx.send(request({ tag: 'terminalCapabilitySet', value: this.build(this.outSq) }));
    this.transition(CeseState.AwaitingResponse);
  }

  /** TerminalCapabilitySetAck received. */
  receiveAck(ack: H245Types.TerminalCapabilitySetAck): void {
    if (this.stateValue !== CeseState.AwaitingResponse || ack.sequenceNumber !== this.outSq) {
      this.ctx.logger.info({ sequenceNumber: ack.sequenceNumber, outstanding: this.outSq, state: this.stateValue }, 'H.245 stale TerminalCapabilitySetAck discarded');
      return;
    }
    this.transition(CeseState.Idle);
    this.delegate.acknowledged(ack.sequenceNumber);
  }

  /** TerminalCapabilitySetReject received. */
  receiveReject(reject: H245Types.TerminalCapabilitySetReject): void {
    if (this.stateValue !== CeseState.AwaitingResponse || reject.sequenceNumber !== this.outSq) {
      this.ctx.logger.info({ sequenceNumber: reject.sequenceNumber, outstanding: this.outSq }, 'H.245 stale TerminalCapabilitySetReject discarded');
      return;
    }
    this.transition(CeseState.Idle);
    this.ctx.logger.warn({ cause: reject.cause.tag }, 'H.245 remote rejected our TerminalCapabilitySet');
    this.delegate.rejected(`remote rejected our capabilities: ${reject.cause.tag}`, reject.cause);
  }

  /** Stops T101. Safe to call twice. */
  dispose(): void {
    this.t101.stop();
  }

  private onT101(ms: number): void {
    this.ctx.send(indication({ tag: 'terminalCapabilitySetRelease', value: {} }));
    this.transition(CeseState.Idle);
    this.ctx.logger.warn({ sequenceNumber: this.outSq }, 'H.245 no TerminalCapabilitySet response within T101');
    this.delegate.rejected(`no response within T101 (${ms} ms)`);
  }

  private transition(to: CeseState): void {
    if (to === CeseState.Idle && this.stateValue !== CeseState.AwaitingResponse) throw new IllegalTransitionError('outgoing CESE', this.stateValue, to);
    this.stateValue = to;
    if (to === CeseState.AwaitingResponse) this.t101.start();
    else this.t101.stop();
  }
}

/** The session's verdict on a received set. */
export type TcsVerdict = { readonly accept: true } | { readonly accept: false; readonly cause: TcsRejectCause };

/** The incoming CESE: TRANSFER.indication goes to `decide`, whose verdict is sent at once. */
export class IncomingCapabilityExchange {
  private stateValue = CeseState.Idle;
  private inSq = -1;

  /** @param decide TRANSFER.indication: validates and applies the set, returns the response to send */
  constructor(
    private readonly ctx: EntityContext,
    private readonly decide: (tcs: H245Types.TerminalCapabilitySet) => TcsVerdict,
  ) {}

  /** Current state (AWAITING RESPONSE only while `decide` runs). */
  get state(): CeseState {
    return this.stateValue;
  }

  /** TerminalCapabilitySet received: answers TerminalCapabilitySetAck or TerminalCapabilitySetReject (§5.2). */
  receive(tcs: H245Types.TerminalCapabilitySet): void {
    this.stateValue = CeseState.AwaitingResponse;
    this.inSq = tcs.sequenceNumber;
    let verdict: TcsVerdict;
    try {
      verdict = this.decide(tcs);
    } catch (err) {
      this.ctx.logger.error({ err: String(err) }, 'H.245 error while applying a TerminalCapabilitySet');
      verdict = { accept: false, cause: 'unspecified' };
    }
    if (verdict.accept) {
      this.ctx.send(response({ tag: 'terminalCapabilitySetAck', value: { sequenceNumber: this.inSq } }));
    } else {
      this.ctx.send(response({ tag: 'terminalCapabilitySetReject', value: { sequenceNumber: this.inSq, cause: { tag: verdict.cause, value: null } } }));
    }
    this.stateValue = CeseState.Idle;
  }

  /** TerminalCapabilitySetRelease received: the remote gave up waiting (T101); nothing is outstanding here. */
  receiveRelease(): void {
    this.ctx.logger.info({ sequenceNumber: this.inSq }, 'H.245 TerminalCapabilitySetRelease received');
    this.stateValue = CeseState.Idle;
  }
}
