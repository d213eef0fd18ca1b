/**
 * Master-slave determination signalling entity, MSDSE (H.245 §5.1, SDL in Annex C.2).
 *
 * The terminal with the larger terminalType is master (an MCU uses a high value, H.323 §6.2.8.4 Table 1); with
 * equal types, the statusDeterminationNumbers decide: with d = (remote − local) mod 2^24, d = 0 or 2^23 is
 * indeterminate, d < 2^23 makes the local terminal master, otherwise slave. MasterSlaveDeterminationAck's
 * `decision` is the status of the terminal that receives it.
 *
 * States: IDLE, OUTGOING AWAITING RESPONSE (our request sent), INCOMING AWAITING RESPONSE (remote request
 * acknowledged, waiting for its ack); T106 runs in both awaiting states. An indeterminate result is retried up to
 * N100 times with a new random number; a request received while IDLE is compared with a fresh random number. Error codes (Annex C.2, ERROR.indication): A no response (T106), B remote
 * saw no response (release received), C/D inappropriate message, E inconsistent field value, F too many retries.
 */
import type { H245Types } from '../asn1/generated';
import { IllegalTransitionError, indication, request, response, type EntityContext } from './control-message';
import { ProcedureTimer } from './timers';

/** MSDSE states (H.245 Annex C.2). */
export enum MsdState {
  Idle = 'IDLE',
  OutgoingAwaitingResponse = 'OUTGOING AWAITING RESPONSE',
  IncomingAwaitingResponse = 'INCOMING AWAITING RESPONSE',
}

/** Result of the comparison (H.245 §5.1). */
export type MsdStatus = 'master' | 'slave' | 'indeterminate';

/** ERROR.indication codes of the MSDSE (H.245 Annex C.2). */
export type MsdErrorCode = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

const MODULO = 0x1000000;
const HALF = 0x800000;

/**
 * Compares terminal types, then status determination numbers (H.245 §5.1).
 * @param localType, remoteType terminalType, 0..255
 * @param localNumber, remoteNumber statusDeterminationNumber, 0..2^24−1
 */
export function determineStatus(localType: number, localNumber: number, remoteType: number, remoteNumber: number): MsdStatus {
  if (localType > remoteType) return 'master';
  if (localType < remoteType) return 'slave';
  const d = (((remoteNumber - localNumber) % MODULO) + MODULO) % MODULO;
  if (d === 0 || d === HALF) return 'indeterminate';
  return d < HALF ? 'master' : 'slave';
}

/** Outcomes reported to the session. */
export interface MasterSlaveDelegate {
  /** DETERMINE.confirm / DETERMINE.indication with the final status. */
  determined(isMaster: boolean): void;
  /** REJECT.indication after ERROR.indication `code`. */
  failed(code: MsdErrorCode, reason: string): void;
}

/** Construction parameters. */
export interface MasterSlaveOptions {
  /** Our terminalType, 0..255 (H.323 Table 1: MCU with audio and video MP 190). */
  readonly terminalType: number;
  /** T106, ms. */
  readonly t106: number;
  /** N100. */
  readonly maxRetries: number;
  /** A random statusDeterminationNumber, 0..2^24−1. */
  readonly random: () => number;
}

const ALLOWED: Record<MsdState, readonly MsdState[]> = {
  [MsdState.Idle]: [MsdState.OutgoingAwaitingResponse, MsdState.IncomingAwaitingResponse],
  [MsdState.OutgoingAwaitingResponse]: [MsdState.OutgoingAwaitingResponse, MsdState.IncomingAwaitingResponse, MsdState.Idle],
  [MsdState.IncomingAwaitingResponse]: [MsdState.Idle],
};

/** The MSDSE of one H.245 session. */
export class MasterSlaveDetermination {
  private stateValue = MsdState.Idle;
  private statusValue: MsdStatus = 'indeterminate';
  private number: number | undefined;
  private retries = 0;
  private readonly t106: ProcedureTimer;

  constructor(
    private readonly ctx: EntityContext,
    private readonly options: MasterSlaveOptions,
    private readonly delegate: MasterSlaveDelegate,
  ) {
    this.t106 = new ProcedureTimer(ctx.clock, options.t106, () => this.onT106());
  }

  /** Current state. */
  get state(): MsdState {
    return this.stateValue;
  }

  /** The last determined status ('indeterminate' until one is determined). */
  get status(): MsdStatus {
    return this.statusValue;
  }

  /** DETERMINE.request: sends MasterSlaveDetermination (ignored, with a log line, unless IDLE). */
  start(): void {
    if (this.stateValue !== MsdState.Idle) {
      this.ctx.logger.debug({ state: this.stateValue }, 'H.245 MSD already in progress');
      return;
    }
    this.retries = 0;
    this.sendRequest();
  }

  /** MasterSlaveDetermination received. */
  receiveRequest(msd: H245Types.MasterSlaveDetermination): void {
    switch (this.stateValue) {
      case MsdState.Idle: {
        // A fresh number per request, so a peer retrying after an indeterminate result cannot meet the same one.
        this.number = this.newNumber();
        const status = determineStatus(this.options.terminalType, this.number, msd.terminalType, msd.statusDeterminationNumber);
        if (status === 'indeterminate') {
          this.ctx.logger.info({ remoteNumber: msd.statusDeterminationNumber }, 'H.245 MSD indeterminate: identical numbers');
          this.ctx.send(response({ tag: 'masterSlaveDeterminationReject', value: { cause: { tag: 'identicalNumbers', value: null } } }));
          return;
        }
        this.acknowledge(status);
        return;
      }
      case MsdState.OutgoingAwaitingResponse: {
        const status = determineStatus(this.options.terminalType, this.number ?? 0, msd.terminalType, msd.statusDeterminationNumber);
        if (status !== 'indeterminate') {
          this.acknowledge(status);
          return;
        }
        this.retryOrFail('indeterminate result of crossing requests');
        return;
      }
      case MsdState.IncomingAwaitingResponse:
        this.fail('C', 'MasterSlaveDetermination while awaiting the ack of the previous one');
        return;
    }
  }

  /** MasterSlaveDeterminationAck received. */
  receiveAck(ack: H245Types.MasterSlaveDeterminationAck): void {
    const isMaster = ack.decision.tag === 'master';
    switch (this.stateValue) {
      case MsdState.Idle:
        this.ctx.logger.info({ decision: ack.decision.tag }, 'H.245 MSD ack while idle: ignored');
        return;
      case MsdState.OutgoingAwaitingResponse:
        this.statusValue = isMaster ? 'master' : 'slave';
        this.ctx.send(response({ tag: 'masterSlaveDeterminationAck', value: { decision: { tag: isMaster ? 'slave' : 'master', value: null } } }));
        this.transition(MsdState.Idle);
        this.delegate.determined(isMaster);
        return;
      case MsdState.IncomingAwaitingResponse:
        if (isMaster !== (this.statusValue === 'master')) {
          this.fail('E', `remote decision ${ack.decision.tag} contradicts ours (${this.statusValue})`);
          return;
        }
        this.transition(MsdState.Idle);
        this.delegate.determined(isMaster);
        return;
    }
  }

  /** MasterSlaveDeterminationReject received. */
  receiveReject(): void {
    switch (this.stateValue) {
      case MsdState.Idle:
        this.ctx.logger.info({}, 'H.245 MSD reject while idle: ignored');
        return;
      case MsdState.OutgoingAwaitingResponse:
        this.retryOrFail('remote found identical numbers');
        return;
      case MsdState.IncomingAwaitingResponse:
        this.fail('D', 'MasterSlaveDeterminationReject after our ack');
        return;
    }
  }

  /** MasterSlaveDeterminationRelease received. */
  receiveRelease(): void {
    if (this.stateValue === MsdState.Idle) return;
    this.fail('B', 'remote released the determination (its T106 expired)');
  }

  /** Stops T106; the entity stays usable only for inspection. Safe to call twice. */
  dispose(): void {
    this.t106.stop();
  }

  private newNumber(): number {
    return Math.floor(this.options.random()) % MODULO;
  }

  private sendRequest(): void {
    this.number = this.newNumber();
    this.ctx.send(request({ tag: 'masterSlaveDetermination', value: { terminalType: this.options.terminalType, statusDeterminationNumber: this.number } }));
    this.transition(MsdState.OutgoingAwaitingResponse);
  }

  private acknowledge(status: 'master' | 'slave'): void {
    this.statusValue = status;
    this.ctx.send(response({ tag: 'masterSlaveDeterminationAck', value: { decision: { tag: status === 'master' ? 'slave' : 'master', value: null } } }));
    this.transition(MsdState.IncomingAwaitingResponse);
  }

  private retryOrFail(reason: string): void {
    if (this.retries < this.options.maxRetries) {
      this.retries += 1;
      this.ctx.logger.info({ retry: this.retries }, `H.245 MSD retry: ${reason}`);
      this.sendRequest();
      return;
    }
    this.fail('F', `${reason}; N100 (${this.options.maxRetries}) retries exhausted`);
  }

  private onT106(): void {
    if (this.stateValue === MsdState.OutgoingAwaitingResponse) {
      this.ctx.send(indication({ tag: 'masterSlaveDeterminationRelease', value: {} }));
    }
    this.fail('A', `no response within T106 (${this.options.t106} ms)`);
  }

  private fail(code: MsdErrorCode, reason: string): void {
    this.ctx.logger.warn({ code, state: this.stateValue }, `H.245 MSD failed: ${reason}`);
    this.statusValue = 'indeterminate';
    if (this.stateValue !== MsdState.Idle) this.transition(MsdState.Idle);
    this.delegate.failed(code, reason);
  }

  /** The only place the state changes: checks the move and runs T106 in the awaiting states. */
  private transition(to: MsdState): void {
    if (!ALLOWED[this.stateValue].includes(to)) throw new IllegalTransitionError('MSDSE', this.stateValue, to);
    this.stateValue = to;
    if (to === MsdState.Idle) this.t106.stop();
    else this.t106.start();
  }
}
