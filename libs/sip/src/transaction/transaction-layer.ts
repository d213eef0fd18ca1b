/**
 * The transaction layer (RFC 3261 §17): creates, matches and owns every client and server transaction.
 *
 * ## Transaction layer API
 *
 * Set-up (one per SIP endpoint):
 * ```ts
 * const transport = new TransportLayer({ host: '0.0.0.0', port: 5060, logger });
 * await transport.listen();
 * const transactions = new TransactionLayer({ transport, logger, timers: { t1: 500 } });
 * transactions.setUser(myTransactionUser);          // implements TransactionUser
 * ```
 *
 * A UAS answers an INVITE (§13.3.1):
 * ```ts
 * onRequest(req, tx) {
 *   if (req.method !== 'INVITE') { tx.reply(405); return; }
 *   tx.delegate = { onAckTimeout: (res) => sendBye(), onCancelled: () => cleanUp() };
 *   tx.reply(180);                                   // same To tag (tx.toTag) on every response
 *   tx.respond(build200WithSdp(req, tx.toTag));      // IST → Accepted; retransmits the 2xx (any transport)
 * }                                                  // until the ACK arrives (RFC 6026, §13.3.1.4)
 * onAck(ack, remote) { dialogs.confirm(ack); }       // ACK for the 2xx (and stray ACKs)
 * ```
 *
 * CANCEL (§9.2): the CANCEL gets its own non-INVITE server transaction and is matched to the INVITE
 * server transaction with the same branch (or RFC 2543 fields). With `onCancel` the TU decides:
 * ```ts
 * onCancel(cancel, cancelTx, inviteTx) {
 *   if (!inviteTx) { cancelTx.reply(481); return; }
 *   cancelTx.reply(200, undefined, { toTag: inviteTx.toTag });
 *   if (!inviteTx.finalResponseSent) inviteTx.reply(487);
 * }
 * ```
 * Without `onCancel` the layer does exactly that and then calls `inviteTx.delegate?.onCancelled`.
 *
 * A UAC sends a request (§8.1, §17.1):
 * ```ts
 * const tx = transactions.sendRequest(invite, { transport: 'UDP', address: '192.0.2.7', port: 5060 }, {
 *   onResponse: (res) => { if (res.status >= 200 && res.status < 300) transactions.sendAck(ackFor(res), target); },
 *   onTimeout: () => treatAs408(),                 // Timer B / F (§8.1.3.1)
 *   onTransportError: (err) => treatAs503(err),    // §8.1.3.1
 * });
 * transactions.cancel(tx);                         // §9.1: sent once a provisional response arrived
 * ```
 * `sendRequest` writes the top Via (sent-by, transport, a fresh branch unless the request has an
 * RFC 3261 one, `rport`) and may move a request over 1300 octets from UDP to TCP (§18.1.1).
 *
 * ## Matching
 * Responses match client transactions by top-Via branch and CSeq method (§17.1.3). Requests match
 * server transactions by branch, sent-by and method (ACK as INVITE), or by RFC 2543 fields when the
 * branch lacks the magic cookie (§17.2.3); see `transaction-key.ts`. A matching request is a
 * retransmission and is absorbed by its transaction; an ACK for a 2xx has its own branch, is matched
 * to the IST by dialog fields only to stop 2xx retransmission, and always goes to `TransactionUser.onAck`.
 * Requests whose CSeq, Call-ID, From or To cannot be read, or whose CSeq method differs from the
 * request method, are answered 400 here and never reach the TU.
 */
import { generateBranch, getCSeq, getCallId, getFrom, SipParseError, SipRequest, SipResponse, setTopVia, topVia } from '../message';
import { errorFields, Logger, ReceivedMessage, RemoteAddress, silentLogger } from '../transport';
import { ClientTransaction, ClientTransactionCallbacks } from './client-transaction';
import { buildCancel } from './cancel-request';
import { InviteClientTransaction } from './invite-client';
import { InviteServerTransaction } from './invite-server';
import { NonInviteClientTransaction } from './non-invite-client';
import { NonInviteServerTransaction } from './non-invite-server';
import { ServerTransaction } from './server-transaction';
import { Transaction, TransactionContext, TransactionError } from './transaction';
import { clientKey, isRfc3261Branch, responseKey, ServerKey, serverKey, toTag } from './transaction-key';
import { ServerTransactionTable } from './server-transaction-table';
import { TransactionKind, TransactionState } from './transaction-state';
import type { TransactionTransport } from './transaction-transport';
import type { TransactionUser } from './transaction-user';
import { Clock, systemClock, TimerSettings, timerSettings } from './timers';

/** Options of a `TransactionLayer`. */
export interface TransactionLayerOptions {
  /** The transport layer (the layer registers itself as its user). */
  transport: TransactionTransport;
  /** T1/T2/T4 and the 100 Trying delay, in ms (defaults: 500, 4000, 5000, 200). */
  timers?: Partial<TimerSettings>;
  /** Scheduler (default: the global timers). */
  clock?: Clock;
  logger?: Logger;
}

/** Live transaction counts (`total` should return to 0 once traffic stops and the timers ran out). */
export interface TransactionStats {
  total: number;
  clientTransactions: number;
  serverTransactions: number;
  byKind: Record<TransactionKind, number>;
}

/** Owns the transactions of one SIP endpoint and routes messages between transport and TU. */
export class TransactionLayer {
  private readonly ctx: TransactionContext;
  private readonly logger: Logger;
  private user?: TransactionUser;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new ServerTransactionTable();
  private readonly pendingCancels = new Map<InviteClientTransaction, ClientTransactionCallbacks | undefined>();
  private readonly live = new Set<Transaction>();
  private disposed = false;

  /** @throws RangeError on invalid timer settings. */
  constructor(options: TransactionLayerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.ctx = {
      transport: options.transport,
      clock: options.clock ?? systemClock,
      settings: timerSettings(options.timers),
      logger: this.logger,
      observer: { stateChanged: (tx, from, to) => this.stateChanged(tx, from, to) },
    };
    options.transport.setUser({
      onRequest: (request, event) => this.receiveRequest(request, event),
      onResponse: (response) => this.receiveResponse(response),
    });
  }

  /** Sets the TU that receives requests (the dialog / user-agent core). */
  setUser(user: TransactionUser): void {
    this.user = user;
  }

  /** The timer settings in force. */
  get timerSettings(): TimerSettings {
    return this.ctx.settings;
  }

  /**
   * Sends `request` in a new client transaction (ICT for INVITE, NICT otherwise, §17.1) to `target`.
   * The top Via is written by the transport layer; its branch is kept when it carries the magic
   * cookie (a CANCEL reuses its INVITE's, §9.1), else a new one is generated.
   * Outcomes arrive on `callbacks` (responses, timeout = 408, transport error = 503, §8.1.3.1).
   * @throws TransactionError for ACK (use `sendAck`), after `dispose()`, or when a transaction with the
   *   same branch and method exists; SipParseError when the request's Via or CSeq is unreadable;
   *   Error when `target.transport` is not enabled on the transport layer.
   */
  sendRequest(request: SipRequest, target: RemoteAddress, callbacks: ClientTransactionCallbacks): ClientTransaction {
    if (this.disposed) throw new TransactionError('transaction layer disposed');
    if (request.method === 'ACK') throw new TransactionError('ACK is not sent in a transaction: use sendAck()');
    if (getCSeq(request).method !== request.method) throw new TransactionError('CSeq method differs from the request method');
    if (request.headers.has('via')) {
      const via = topVia(request);
      if (!isRfc3261Branch(via.branch)) {
        via.branch = generateBranch();
        setTopVia(request, via);
      }
    }
    const effective = this.ctx.transport.prepareRequest(request, target);
    const branch = topVia(request).branch as string;
    const key = clientKey(branch, request.method);
    if (this.clients.has(key)) throw new TransactionError(`a ${request.method} client transaction with branch ${branch} exists`);
    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(this.ctx, key, branch, request, effective, callbacks)
        : new NonInviteClientTransaction(this.ctx, key, branch, request, effective, callbacks);
    this.clients.set(key, tx);
    this.live.add(tx);
    tx.start();
    return tx;
  }

  /**
   * Sends an ACK for a 2xx (§13.2.2.4) outside any transaction; a Via with a new branch is written
   * when the ACK has none. Resolves when sent; rejects on a transport error.
   */
  async sendAck(ack: SipRequest, target: RemoteAddress): Promise<void> {
    if (ack.method !== 'ACK') throw new TransactionError('sendAck() sends ACK requests only');
    const effective = this.ctx.transport.prepareRequest(ack, target);
    await this.ctx.transport.sendRequest(ack, effective);
  }

  /**
   * Cancels the INVITE of `invite` (§9.1): builds the CANCEL and sends it in its own NICT to the same
   * target — at once when a provisional response arrived, else as soon as one does. Nothing is sent
   * when the INVITE already has a final response.
   * @returns true when a CANCEL was sent or is pending, false when too late.
   */
  cancel(invite: InviteClientTransaction, callbacks?: ClientTransactionCallbacks): boolean {
    if (invite.state === TransactionState.Calling) {
      this.pendingCancels.set(invite, callbacks);
      return true;
    }
    if (invite.state !== TransactionState.Proceeding) return false;
    this.sendCancel(invite, callbacks);
    return true;
  }

  /** Live transaction counts. */
  stats(): TransactionStats {
    const byKind: Record<TransactionKind, number> = { ICT: 0, NICT: 0, IST: 0, NIST: 0 };
    for (const tx of this.live) byKind[tx.kind]++;
    return {
      total: this.live.size,
      clientTransactions: byKind.ICT + byKind.NICT,
      serverTransactions: byKind.IST + byKind.NIST,
      byKind,
    };
  }

  /** Terminates every transaction (no messages are sent) and refuses new ones; safe to call twice. */
  dispose(): void {
    this.disposed = true;
    this.pendingCancels.clear();
    for (const tx of [...this.live]) tx.dispose();
    this.live.clear();
    this.clients.clear();
    this.servers.clear();
  }

  /** A response from the transport layer. Returns false when no client transaction matched (stray). */
  private receiveResponse(response: SipResponse): boolean {
    let key: string | undefined;
    try {
      key = responseKey(response);
    } catch (err) {
      this.logger.debug({ ...errorFields(err) }, 'response with unreadable Via or CSeq');
      return false;
    }
    const tx = key === undefined ? undefined : this.clients.get(key);
    if (!tx) return false;
    tx.receiveResponse(response);
    return true;
  }

  /** A request from the transport layer (§17.2.3 matching, then a new server transaction). */
  private receiveRequest(request: SipRequest, event: ReceivedMessage): void {
    const source = event.remote;
    let key: ServerKey;
    try {
      if (getCSeq(request).method !== request.method) {
        this.ctx.transport.reject(request, 400, 'CSeq Method Mismatch', source);
        return;
      }
      getCallId(request);
      getFrom(request);
      toTag(request);
      key = serverKey(request);
    } catch (err) {
      const reason = err instanceof SipParseError ? err.reason : 'Bad Request';
      this.ctx.transport.reject(request, 400, reason, source);
      return;
    }
    if (this.disposed) {
      this.ctx.transport.reject(request, 503, 'Service Unavailable', source);
      return;
    }
    if (request.method === 'ACK') {
      this.receiveAck(request, key, source);
      return;
    }
    const existing = this.servers.match(request, key);
    if (existing) {
      existing.receiveRequest(request);
      return;
    }
    if (request.method === 'CANCEL') {
      this.receiveCancel(request, key.key, source);
      return;
    }
    const tx = this.createServer(request, key.key, source);
    const user = this.user;
    if (!user) {
      tx.reply(503, 'Service Unavailable');
      return;
    }
    try {
      user.onRequest(request, tx);
    } catch (err) {
      this.logger.error({ ...errorFields(err), method: request.method }, 'transaction user threw on a request');
      if (!tx.finalResponseSent && !tx.terminated) tx.reply(500, 'Server Internal Error');
    }
  }

  private receiveAck(ack: SipRequest, key: ServerKey, source: RemoteAddress): void {
    const tx = this.servers.matchAck(ack, key);
    if (tx) {
      if (!tx.receiveAck(ack)) return; // ACK for a non-2xx: absorbed (§17.2.1).
    } else {
      try {
        this.servers.acceptedFor(ack)?.ackReceived();
      } catch (err) {
        this.logger.debug(errorFields(err), 'ACK with unreadable dialog fields');
      }
    }
    const user = this.user;
    if (!user) {
      this.ctx.transport.drop({ remote: source }, 'ACK without a transaction user');
      return;
    }
    try {
      user.onAck(ack, source);
    } catch (err) {
      this.logger.error({ ...errorFields(err) }, 'transaction user threw on an ACK');
    }
  }

  private receiveCancel(cancel: SipRequest, key: string, source: RemoteAddress): void {
    const cancelTx = this.createServer(cancel, key, source) as NonInviteServerTransaction;
    const match = this.servers.inviteForCancel(cancel, source);
    const invite = match?.invite;
    if (match) {
      match.invite.markCancelled();
      if (match.how === 'call') this.logger.info({ remote: source }, 'CANCEL matched its INVITE by Call-ID/CSeq/From tag (its branch differs)');
    }
    const user = this.user;
    if (user?.onCancel) {
      try {
        user.onCancel(cancel, cancelTx, invite);
      } catch (err) {
        this.logger.error({ ...errorFields(err) }, 'transaction user threw on a CANCEL');
        if (!cancelTx.finalResponseSent && !cancelTx.terminated) cancelTx.reply(500, 'Server Internal Error');
      }
      return;
    }
    if (!invite) {
      cancelTx.reply(481, 'Call/Transaction Does Not Exist');
      return;
    }
    cancelTx.reply(200, undefined, { toTag: invite.toTag });
    if (!invite.finalResponseSent && !invite.terminated) invite.reply(487, 'Request Terminated');
    const target = invite;
    const delegate = target.delegate;
    if (delegate?.onCancelled) {
      try {
        delegate.onCancelled(cancel, target);
      } catch (err) {
        this.logger.error({ ...errorFields(err) }, 'transaction user threw in onCancelled');
      }
    }
  }

  private createServer(request: SipRequest, key: string, source: RemoteAddress): ServerTransaction {
    const branch = topVia(request).branch ?? '';
    const tx =
      request.method === 'INVITE'
        ? new InviteServerTransaction(this.ctx, key, branch, request, source)
        : new NonInviteServerTransaction(this.ctx, key, branch, request, source);
    this.servers.add(tx);
    this.live.add(tx);
    return tx;
  }

  private sendCancel(invite: InviteClientTransaction, callbacks: ClientTransactionCallbacks | undefined): void {
    try {
      const cancel = buildCancel(invite.request);
      this.sendRequest(cancel, invite.target, callbacks ?? { onResponse: () => undefined });
    } catch (err) {
      this.logger.warn({ ...errorFields(err), tx: invite.id }, 'could not send CANCEL');
    }
  }

  private stateChanged(tx: Transaction, from: TransactionState, to: TransactionState): void {
    if (tx instanceof InviteClientTransaction && this.pendingCancels.has(tx)) {
      const callbacks = this.pendingCancels.get(tx);
      if (to === TransactionState.Proceeding) {
        this.pendingCancels.delete(tx);
        this.sendCancel(tx, callbacks);
      } else if (to !== TransactionState.Calling) {
        this.pendingCancels.delete(tx);
      }
    }
    if (tx instanceof InviteServerTransaction && to === TransactionState.Accepted) {
      try {
        this.servers.accepted(tx);
      } catch (err) {
        this.logger.debug(errorFields(err), 'cannot index an accepted INVITE');
      }
    }
    if (to !== TransactionState.Terminated) return;
    this.live.delete(tx);
    if (this.clients.get(tx.id) === tx) this.clients.delete(tx.id);
    if (tx instanceof ServerTransaction) this.servers.remove(tx);
    this.logger.debug({ tx: tx.id, kind: tx.kind, from }, 'SIP transaction terminated');
  }
}
