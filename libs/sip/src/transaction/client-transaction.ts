/**
 * Shared behaviour of the INVITE and non-INVITE client transactions (RFC 3261 §17.1, §8.1.3.1).
 *
 * The TU learns about a client transaction's outcome through `ClientTransactionCallbacks`:
 * every response passed up, a timeout (Timer B/F — handle as a 408, §8.1.3.1) or a transport error
 * (handle as a 503, §8.1.3.1). A transport error after the final response was passed up is only
 * logged (the TU already has its answer).
 */
import type { SipRequest, SipResponse } from '../message';
import { errorFields, RemoteAddress } from '../transport';
import { Transaction, TransactionContext, TransactionMachine } from './transaction';
import { TransactionState } from './transaction-state';

/** Callbacks of a client transaction into its TU. Exceptions thrown by them are caught and logged. */
export interface ClientTransactionCallbacks {
  /**
   * A response for the TU: each provisional, the final one, and for INVITE every 2xx (retransmissions
   * and forked 2xx included, RFC 6026 §8.4 — the TU ACKs each, §13.2.2.4). Retransmitted non-2xx
   * finals are absorbed by the transaction and not passed up.
   */
  onResponse(response: SipResponse, transaction: ClientTransaction): void;
  /** No final response in time (Timer B or F, 64*T1): treat as 408 Request Timeout (§8.1.3.1). */
  onTimeout?(transaction: ClientTransaction): void;
  /** The request could not be sent: treat as 503 Service Unavailable (§8.1.3.1). */
  onTransportError?(error: Error, transaction: ClientTransaction): void;
  /** The transaction reached Terminated (always called exactly once). */
  onTerminated?(transaction: ClientTransaction): void;
}

/** A client transaction: sends its request, retransmits over UDP, and passes responses up. */
export abstract class ClientTransaction extends Transaction {
  private finalPassedUp = false;
  private targetValue: RemoteAddress;

  protected constructor(
    ctx: TransactionContext,
    machine: TransactionMachine,
    id: string,
    branch: string,
    request: SipRequest,
    target: RemoteAddress,
    protected readonly callbacks: ClientTransactionCallbacks,
  ) {
    super(ctx, machine, id, branch, request, target.transport === 'TCP');
    this.targetValue = target;
  }

  /** Where the request goes (may switch from TCP to UDP after a refused connect, §18.1.1). */
  get target(): RemoteAddress {
    return this.targetValue;
  }

  /** Sends the request for the first time and starts the timers of the initial state. */
  abstract start(): void;

  /** A response whose top Via branch and CSeq method matched this transaction (§17.1.3). */
  abstract receiveResponse(response: SipResponse): void;

  /** Hook: the transport fell back from TCP to UDP before a response came; start retransmitting. */
  protected abstract onBecameUnreliable(): void;

  /** Sends `message` (the request, a retransmission of it, or the ACK for a non-2xx) to the target. */
  protected transmit(message: SipRequest = this.request): void {
    this.ctx.transport.sendRequest(message, this.targetValue).then(
      (used) => this.onSent(used),
      (err: unknown) => this.onTransportFailure(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** Passes a response to the TU. */
  protected passUp(response: SipResponse): void {
    if (response.status >= 200) this.finalPassedUp = true;
    this.notify('onResponse', () => this.callbacks.onResponse(response, this));
  }

  /** Timer B or F fired: tell the TU (408 semantics) and terminate. */
  protected timeout(): void {
    this.ctx.logger.info({ tx: this.id, method: this.request.method, target: this.targetValue }, 'SIP client transaction timed out');
    this.notify('onTimeout', () => this.callbacks.onTimeout?.(this));
    this.transition(TransactionState.Terminated);
  }

  protected override onTerminated(): void {
    this.notify('onTerminated', () => this.callbacks.onTerminated?.(this));
  }

  private onSent(used: RemoteAddress): void {
    if (this.terminated || used.transport === this.targetValue.transport) return;
    this.targetValue = used;
    if (used.transport !== 'TCP' && this.reliable) {
      this.setReliable(false);
      this.onBecameUnreliable();
    }
  }

  private onTransportFailure(error: Error): void {
    if (this.terminated) {
      this.ctx.logger.debug({ ...errorFields(error), tx: this.id }, 'send failed after the transaction terminated');
      return;
    }
    this.ctx.logger.warn({ ...errorFields(error), tx: this.id, target: this.targetValue }, 'SIP client transaction transport error');
    if (!this.finalPassedUp) this.notify('onTransportError', () => this.callbacks.onTransportError?.(error, this));
    this.transition(TransactionState.Terminated);
  }
}
