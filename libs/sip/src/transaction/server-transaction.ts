/**
 * Shared behaviour of the INVITE and non-INVITE server transactions (RFC 3261 §17.2).
 *
 * The TU answers through `respond()` (a response it built) or `reply()` (status and reason; the
 * response is built with `createResponse()` and carries this transaction's To tag, so every response
 * of one transaction — 180, 200, 487 — has the same tag, §8.2.6.2). Responses are routed by the
 * transport layer to where the request came from (§18.2.2). Outcomes the TU may care about arrive on
 * the optional `delegate`.
 */
import { createResponse, CreateResponseOptions, generateTag, SipRequest, SipResponse } from '../message';
import { errorFields, RemoteAddress } from '../transport';
import { Transaction, TransactionContext, TransactionMachine } from './transaction';
import { TransactionState } from './transaction-state';

/** Optional callbacks of a server transaction into its TU. Exceptions thrown by them are caught and logged. */
export interface ServerTransactionDelegate {
  /** A response could not be sent (§17.2.4); the transaction is terminated. */
  onTransportError?(error: Error, transaction: ServerTransaction): void;
  /**
   * IST only: no ACK arrived for the final response within 64*T1 — Timer H for 300–699 (§17.2.1),
   * Timer L for a 2xx (§13.3.1.4: the TU should then end the session with BYE).
   */
  onAckTimeout?(response: SipResponse, transaction: ServerTransaction): void;
  /**
   * IST only, when the TU has no `onCancel`: a CANCEL matched this INVITE (§9.2) and the transaction
   * layer answered the CANCEL 200 and the INVITE 487 (if it was still unanswered).
   */
  onCancelled?(cancel: SipRequest, transaction: ServerTransaction): void;
  /** The transaction reached Terminated (always called exactly once). */
  onTerminated?(transaction: ServerTransaction): void;
}

/** A server transaction: absorbs request retransmissions and sends (and resends) the TU's responses. */
export abstract class ServerTransaction extends Transaction {
  /** Optional callbacks into the TU; set it in `TransactionUser.onRequest`. */
  delegate?: ServerTransactionDelegate;
  /** The To tag `reply()` adds to responses when the request's To has none (§8.2.6.2). */
  readonly toTag = generateTag();
  private last?: SipResponse;

  /**
   * @param source where the request came from (address, port and transport; responses go back there, §18.2.2).
   */
  protected constructor(
    ctx: TransactionContext,
    machine: TransactionMachine,
    id: string,
    branch: string,
    request: SipRequest,
    readonly source: RemoteAddress,
  ) {
    super(ctx, machine, id, branch, request, source.transport === 'TCP');
  }

  /** The last response sent (the one resent when the request is retransmitted). */
  get lastResponse(): SipResponse | undefined {
    return this.last;
  }

  /** True once a final (≥ 200) response was sent. */
  get finalResponseSent(): boolean {
    return (this.last?.status ?? 0) >= 200;
  }

  /**
   * Sends a response built by the TU (RFC 3261 §17.2.1 / §17.2.2).
   * @returns false (and logs) when the state allows no such response, e.g. a second final response.
   * @throws RangeError when `response.status` is not within 100..699.
   */
  abstract respond(response: SipResponse): boolean;

  /** A retransmission of the request that created this transaction (for an IST, not an ACK). */
  abstract receiveRequest(request: SipRequest): void;

  /**
   * Builds a response with `createResponse()` (this transaction's To tag added for status > 100) and sends it.
   * @returns as `respond()`.
   */
  reply(status: number, reason?: string, options: CreateResponseOptions = {}): boolean {
    const opts = status > 100 && options.toTag === undefined ? { ...options, toTag: this.toTag } : options;
    return this.respond(createResponse(this.request, status, reason, opts));
  }

  /** Validates the status of a response passed by the TU. */
  protected checkStatus(response: SipResponse): void {
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 699) {
      throw new RangeError(`response status ${response.status} is not within 100..699`);
    }
  }

  /** Records `response` as the last one and sends it. */
  protected sendResponse(response: SipResponse): void {
    this.record(response);
    this.resend();
  }

  /** Records `response` as the last one (resent on retransmissions and timers) without sending it. */
  protected record(response: SipResponse): void {
    this.last = response;
  }

  /** Sends the last response again (retransmission, §17.2.1 / §17.2.2). */
  protected resend(): void {
    const response = this.last;
    if (!response) return;
    this.ctx.transport.sendResponse(response, this.source).catch((err: unknown) =>
      this.onTransportFailure(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** Logs a response the current state does not allow, and returns false. */
  protected refuse(response: SipResponse): false {
    this.ctx.logger.warn({ tx: this.id, state: this.state, status: response.status }, 'response not sent: the transaction state does not allow it');
    return false;
  }

  protected override onTerminated(): void {
    this.notify('onTerminated', () => this.delegate?.onTerminated?.(this));
  }

  private onTransportFailure(error: Error): void {
    if (this.terminated) {
      this.ctx.logger.debug({ ...errorFields(error), tx: this.id }, 'response send failed after the transaction terminated');
      return;
    }
    this.ctx.logger.warn({ ...errorFields(error), tx: this.id, source: this.source }, 'SIP server transaction transport error');
    this.notify('onTransportError', () => this.delegate?.onTransportError?.(error, this));
    this.transition(TransactionState.Terminated);
  }
}
