/**
 * The MCU's SIP user agent core (RFC 3261 §8.2 UAS behaviour, §9.2 CANCEL, §12 dialogs, §13 INVITE,
 * §15 BYE, §10 REGISTER through a registrar; RFC 3428 MESSAGE; RFC 6086 INFO; RFC 3311 UPDATE).
 *
 * It owns the transport layer and the transaction layer, and the sessions (`SessionDialog`) of every
 * call; calls are handed to the `UserAgentDelegate`. Every request gets an answer:
 *
 * | request                                 | answer                                                 |
 * |-----------------------------------------|--------------------------------------------------------|
 * | Max-Forwards 0 (except OPTIONS, §16.3)  | 483                                                    |
 * | Require with an unknown option          | 420 with Unsupported (§8.2.2.3)                         |
 * | INVITE, new                             | the delegate's (100 after 200 ms from the transaction) |
 * | INVITE merged (same Call-ID/tag/CSeq)   | 482 (§8.2.2.2)                                          |
 * | body other than SDP in INVITE           | 415 with Accept (§8.2.3)                                |
 * | INVITE whose Accept excludes SDP        | 406 with Warning 399 (RFC 4475 §3.3.15)                 |
 * | in-dialog request of an unknown dialog  | 481 (§12.2.2)                                           |
 * | CANCEL                                  | 200, and 487 to the INVITE (§9.2); 481 when unmatched   |
 * | OPTIONS                                 | 200 with Allow, Accept, Supported (§11.2)               |
 * | MESSAGE outside a dialog                | 200, then `onMessage`                                   |
 * | BYE/INFO/UPDATE outside a dialog        | 481                                                     |
 * | REGISTER                                | the registrar's answer; 405 without a registrar         |
 * | anything else                           | 405 with Allow (§8.2.1)                                 |
 */
import {
  createResponse,
  getCallId,
  getContentType,
  getCSeq,
  getFrom,
  getMaxForwards,
  getTag,
  getTo,
  parseUri,
  SipParseError,
  topVia,
  type SipRequest,
  type SipResponse,
} from '../message';
import { uasDialogIdOf, dialogKey } from '../dialog/dialog';
import { SessionDialog, type SessionDialogChannel, type ServerTransactionHandle } from '../dialog/session-dialog';
import { SessionState } from '../dialog/session-state';
import { DEFAULT_SESSION_TIMER_SETTINGS, type SessionTimerSettings } from '../dialog/session-timer';
import type { Registrar } from '../registrar/registrar';
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  systemClock,
  TransactionLayer,
  type Clock,
  type ServerTransaction,
  type TimerHandle,
  type TimerSettings,
  type TransactionStats,
} from '../transaction';
import { errorFields, silentLogger, TransportLayer, type Logger, type RemoteAddress, type TransportStats } from '../transport';
import { ACCEPTED_CONTENT_TYPES, acceptsSdp, SESSION_METHODS, SUPPORTED_OPTIONS, unsupportedRequirements } from './capabilities';
import { IncomingCall } from './incoming-call';
import { requestTarget } from './request-target';
import type { IncomingMessage, UserAgentDelegate } from './user-agent-delegate';
import { UserAgentCounters, type UserAgentCounterSnapshot } from './user-agent-counters';

/** Options of a `UserAgentCore`. Times in ms unless stated. */
export interface UserAgentOptions {
  /** Address to bind UDP and TCP to, e.g. `0.0.0.0`. */
  host: string;
  /** SIP port for UDP and TCP; 0 picks a free one. */
  port: number;
  udp?: boolean;
  tcp?: boolean;
  /** Address advertised in Contact and Via (`MCU_PUBLIC_IP`); default: the transport's sent-by host. */
  publicAddress?: string;
  /** T1/T2/T4 (RFC 3261 §17). */
  timers?: Partial<TimerSettings>;
  /** Session timer policy (RFC 4028); `false` disables it. Default 1800 s / Min-SE 90 s. */
  sessionTimer?: SessionTimerSettings | false;
  /** Handles REGISTER (§10.3); without it REGISTER gets 405. */
  registrar?: Registrar;
  /** Server / User-Agent header value. */
  productName?: string;
  /** User part of our Contact URI (default `mcu`). */
  contactUser?: string;
  /** An INVITE the application leaves unanswered this long gets 480 (default 15 min). */
  unansweredInviteTimeoutMs?: number;
  /** Repeat of 180 Ringing while waiting (default 60 000, §13.3.1.1). */
  ringRepeatMs?: number;
  /** How long `stop()` waits for BYE transactions to finish (default 2000). */
  shutdownGraceMs?: number;
  clock?: Clock;
  logger?: Logger;
  delegate?: UserAgentDelegate;
}

/** A live session and what the core keeps about it. */
interface SessionEntry {
  session: SessionDialog;
  call?: IncomingCall;
  inviteTx: InviteServerTransaction;
  source: RemoteAddress;
  symmetric: boolean;
  answerTimer?: TimerHandle;
  mergeKey: string;
}

/** Snapshot of the user agent's counters and its layers' statistics. */
export interface UserAgentStats {
  userAgent: UserAgentCounterSnapshot;
  transport: TransportStats & { tcpConnections: number };
  transactions: TransactionStats;
}

/** The SIP user agent of the MCU. */
export class UserAgentCore {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly counters = new UserAgentCounters();
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly byInvite = new Map<InviteServerTransaction, SessionEntry>();
  private readonly pendingInvites = new Map<string, SessionEntry>();
  private readonly inFlight = new Set<Promise<SipResponse>>();
  private readonly sentAcks = new WeakMap<SipRequest, { ack: SipRequest; target: RemoteAddress }>();
  private delegate?: UserAgentDelegate;
  private stopping?: Promise<void>;
  private readonly productName: string;
  private readonly sessionTimer: SessionTimerSettings | false;

  /** @throws RangeError on invalid timer settings. */
  constructor(private readonly options: UserAgentOptions) {
    this.log = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.productName = options.productName ?? 'Tessera MCU';
    this.sessionTimer = options.sessionTimer ?? DEFAULT_SESSION_TIMER_SETTINGS;
    this.delegate = options.delegate;
    this.transport = new TransportLayer({
      host: options.host,
      port: options.port,
      udp: options.udp,
      tcp: options.tcp,
      sentByHost: options.publicAddress,
      logger: this.log,
    });
    this.transactions = new TransactionLayer({ transport: this.transport, timers: options.timers, clock: this.clock, logger: this.log });
    this.transactions.setUser({
      onRequest: (req, tx) => this.onRequest(req, tx),
      onAck: (ack) => this.onAck(ack),
      onCancel: (cancel, cancelTx, inviteTx) => this.onCancel(cancelTx, inviteTx),
    });
  }

  /** Set the application delegate. */
  setDelegate(delegate: UserAgentDelegate): void {
    this.delegate = delegate;
  }

  /** Bind UDP and TCP. Rejects with the OS error (EADDRINUSE, EACCES, …). */
  async start(): Promise<void> {
    await this.transport.listen();
  }

  /** The bound SIP port. @throws Error before `start()` resolved. */
  get port(): number {
    return this.transport.port;
  }

  /** True once `stop()` was called. */
  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /** Counters of the user agent and statistics of its layers. */
  stats(): UserAgentStats {
    return {
      userAgent: this.counters.snapshot(this.sessions.size, [...this.sessions.values()].filter((e) => e.call).length),
      transport: this.transport.stats(),
      transactions: this.transactions.stats(),
    };
  }

  /**
   * Shut down: BYE every answered call, 480 every unanswered INVITE, wait up to `shutdownGraceMs` for the
   * BYE transactions, then end every transaction and close the sockets. Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    for (const entry of [...this.sessions.values()]) {
      const early = entry.session.state === SessionState.Early;
      entry.session.hangup(early ? { status: 480, reason: 'shutdown' } : { immediate: true, reason: 'shutdown' });
    }
    await this.waitForInFlight(this.options.shutdownGraceMs ?? 2000);
    for (const entry of [...this.sessions.values()]) entry.session.dispose();
    this.transactions.dispose();
    await this.transport.close();
  }

  private waitForInFlight(ms: number): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const handle = this.clock.setTimeout(resolve, ms);
      void Promise.allSettled([...this.inFlight]).then(() => {
        this.clock.clearTimeout(handle);
        resolve();
      });
    });
  }

  // ---- requests ----------------------------------------------------------------------------------

  private onRequest(req: SipRequest, tx: ServerTransaction): void {
    this.counters.request(req.method);
    try {
      this.dispatch(req, tx);
    } catch (err) {
      // Header values the transport layer did not need to read can still be malformed.
      const parseError = err instanceof SipParseError;
      if (!parseError) this.log.error({ ...errorFields(err), method: req.method }, 'SIP request handling failed');
      if (!tx.finalResponseSent && !tx.terminated) this.refuse(tx, parseError ? 400 : 500, parseError ? err.reason : undefined);
    }
  }

  private dispatch(req: SipRequest, tx: ServerTransaction): void {
    let maxForwards: number | undefined;
    try {
      maxForwards = getMaxForwards(req);
    } catch (err) {
      this.refuse(tx, 400, (err as SipParseError).reason ?? 'Invalid Max-Forwards');
      return;
    }
    if (maxForwards === 0 && req.method !== 'OPTIONS') {
      this.refuse(tx, 483);
      return;
    }
    const unsupported = unsupportedRequirements(req);
    if (unsupported.length > 0) {
      this.refuse(tx, 420, undefined, [['Unsupported', unsupported.join(', ')]]);
      return;
    }
    if (uasDialogIdOf(req)) {
      this.onInDialogRequest(req, tx);
      return;
    }
    switch (req.method) {
      case 'INVITE':
        this.onInvite(req, tx as InviteServerTransaction);
        return;
      case 'OPTIONS':
        this.answerOptions(tx);
        return;
      case 'MESSAGE':
        this.onMessage(req, tx);
        return;
      case 'REGISTER':
        this.onRegister(req, tx);
        return;
      case 'BYE':
      case 'INFO':
      case 'UPDATE':
      case 'PRACK':
        this.refuse(tx, 481);
        return;
      default:
        this.refuse(tx, 405, undefined, [['Allow', this.allow()]]);
    }
  }

  private onInDialogRequest(req: SipRequest, tx: ServerTransaction): void {
    const id = uasDialogIdOf(req);
    const entry = id ? this.sessions.get(dialogKey(id)) : undefined;
    if (!entry) {
      this.refuse(tx, 481);
      return;
    }
    if (req.method === 'OPTIONS') {
      this.answerOptions(tx);
      return;
    }
    if (!SESSION_METHODS.includes(req.method)) {
      this.refuse(tx, 405, undefined, [['Allow', this.allow()]]);
      return;
    }
    entry.session.receiveRequest(this.handleOf(tx));
  }

  private onInvite(req: SipRequest, tx: InviteServerTransaction): void {
    const mergeKey = `${getCallId(req)}\n${getTag(getFrom(req)) ?? ''}\n${getCSeq(req).seq}`;
    if (this.pendingInvites.has(mergeKey)) {
      this.refuse(tx, 482); // §8.2.2.2: the same INVITE arrived by another path.
      return;
    }
    if (this.stopping) {
      this.refuse(tx, 503, 'Shutting Down');
      return;
    }
    if (req.body.length > 0 && getContentType(req) !== 'application/sdp') {
      this.refuse(tx, 415, undefined, [['Accept', 'application/sdp']]);
      return;
    }
    if (!acceptsSdp(req)) {
      this.refuse(tx, 406, undefined, [['Warning', `399 ${this.transport.sentBy()} "Only application/sdp session descriptions are offered"`]]);
      return;
    }
    const encoding = req.headers.get('content-encoding')?.trim().toLowerCase();
    if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
      this.refuse(tx, 415, undefined, [['Accept-Encoding', 'identity']]);
      return;
    }
    let symmetric = false;
    try {
      symmetric = topVia(req).rport !== undefined;
    } catch (err) {
      this.log.debug(errorFields(err), 'INVITE Via unreadable after transport checks');
    }
    let entry: SessionEntry | undefined;
    const channel = this.channelFor(() => entry);
    let session: SessionDialog;
    try {
      session = new SessionDialog(this.handleOf(tx), {
        localTag: tx.toTag,
        localContact: this.contactFor(tx.source),
        clock: this.clock,
        timers: this.transactions.timerSettings,
        sessionTimer: this.sessionTimer,
        channel,
        logger: this.log,
        responseHeaders: [
          ['Allow', this.allow()],
          ['Supported', SUPPORTED_OPTIONS.join(', ')],
          ['Server', this.productName],
        ],
        requestHeaders: [
          ['Allow', this.allow()],
          ['Supported', SUPPORTED_OPTIONS.join(', ')],
          ['User-Agent', this.productName],
        ],
        onEnded: () => this.forget(entry),
      });
    } catch (err) {
      const reason = err instanceof SipParseError ? err.reason : 'Bad Request';
      this.refuse(tx, 400, reason);
      return;
    }
    entry = { session, inviteTx: tx, source: tx.source, symmetric, mergeKey };
    this.sessions.set(session.dialog.key, entry);
    this.byInvite.set(tx, entry);
    this.pendingInvites.set(mergeKey, entry);
    tx.delegate = {
      onTransportError: (error) => this.log.warn({ ...errorFields(error), callId: session.dialog.id.callId }, 'SIP response to INVITE not sent'),
    };
    if (session.refuseUnacceptableTimer()) return;
    this.counters.callStarted();
    const call = new IncomingCall({ session, source: tx.source, clock: this.clock, logger: this.log, ringRepeatMs: this.options.ringRepeatMs ?? 60_000 });
    entry.call = call;
    const current = entry;
    current.answerTimer = this.clock.setTimeout(() => {
      current.answerTimer = undefined;
      if (current.session.state === SessionState.Early) {
        this.log.warn({ callId: call.callId }, 'SIP INVITE left unanswered: 480');
        current.session.hangup({ status: 480 });
      }
    }, this.options.unansweredInviteTimeoutMs ?? 900_000);
    const delegate = this.delegate;
    if (!delegate) {
      session.reject(480, 'No Application');
      return;
    }
    try {
      delegate.onInvite(call);
    } catch (err) {
      this.log.error({ ...errorFields(err), callId: call.callId }, 'SIP delegate threw on INVITE');
      if (session.state === SessionState.Early) session.reject(500);
    }
  }

  private onMessage(req: SipRequest, tx: ServerTransaction): void {
    const delegate = this.delegate;
    if (!delegate?.onMessage) {
      this.refuse(tx, 405, undefined, [['Allow', this.allow()]]);
      return;
    }
    let message: IncomingMessage;
    try {
      message = {
        requestUri: parseUri(req.uri),
        from: getFrom(req),
        to: getTo(req),
        contentType: getContentType(req),
        body: req.body.toString('utf8'),
        source: tx.source,
        request: req,
      };
    } catch (err) {
      this.refuse(tx, 400, err instanceof SipParseError ? err.reason : 'Bad Request');
      return;
    }
    tx.respond(this.response(tx, 200));
    try {
      delegate.onMessage(message);
    } catch (err) {
      this.log.error({ ...errorFields(err) }, 'SIP delegate threw on MESSAGE');
    }
  }

  private onRegister(req: SipRequest, tx: ServerTransaction): void {
    const registrar = this.options.registrar;
    if (!registrar) {
      this.refuse(tx, 405, undefined, [['Allow', this.allow()]]);
      return;
    }
    const source = `${tx.source.transport}:${tx.source.address}:${tx.source.port}`;
    registrar.handle(req, source).then(
      (res) => {
        if (!res.headers.has('server')) res.headers.append('Server', this.productName);
        tx.respond(res);
      },
      (err: unknown) => {
        this.log.error({ ...errorFields(err) }, 'registrar failed');
        if (!tx.finalResponseSent && !tx.terminated) tx.respond(this.response(tx, 500));
      },
    );
  }

  private answerOptions(tx: ServerTransaction): void {
    const res = this.response(tx, 200);
    res.headers.append('Allow', this.allow());
    res.headers.append('Accept', ACCEPTED_CONTENT_TYPES.join(', '));
    res.headers.append('Accept-Encoding', 'identity');
    res.headers.append('Accept-Language', 'en');
    res.headers.append('Supported', SUPPORTED_OPTIONS.join(', '));
    tx.respond(res);
  }

  private onAck(ack: SipRequest): void {
    let entry: SessionEntry | undefined;
    try {
      const id = uasDialogIdOf(ack);
      entry = id ? this.sessions.get(dialogKey(id)) : undefined;
    } catch (err) {
      this.log.debug(errorFields(err), 'ACK with unreadable dialog fields');
    }
    if (!entry) {
      this.counters.unmatchedAck();
      return;
    }
    entry.session.receiveAck(ack);
  }

  private onCancel(cancelTx: NonInviteServerTransaction, inviteTx: InviteServerTransaction | undefined): void {
    this.counters.request('CANCEL');
    if (!inviteTx) {
      this.refuse(cancelTx, 481);
      return;
    }
    cancelTx.reply(200, undefined, { toTag: inviteTx.toTag });
    const entry = this.byInvite.get(inviteTx);
    if (entry) entry.session.cancel();
    else if (!inviteTx.finalResponseSent && !inviteTx.terminated) inviteTx.reply(487);
  }

  // ---- sessions ----------------------------------------------------------------------------------

  private channelFor(entryOf: () => SessionEntry | undefined): SessionDialogChannel {
    return {
      sendRequest: (req) => this.sendInDialog(entryOf(), req),
      sendAck: (ack, invite) => {
        const entry = entryOf();
        if (!entry) return;
        const target = this.targetOf(entry);
        this.sentAcks.set(invite, { ack, target });
        this.transactions.sendAck(ack, target).catch((err: unknown) => this.log.warn({ ...errorFields(err) }, 'SIP ACK not sent'));
      },
    };
  }

  private targetOf(entry: SessionEntry): RemoteAddress {
    const dialog = entry.session.dialog;
    return requestTarget({ nextHop: dialog.nextHop(), routed: dialog.routeSet.length > 0, source: entry.source, symmetric: entry.symmetric });
  }

  /** Send an in-dialog request in a client transaction; resolves with its final response (408/503 synthesized). */
  private sendInDialog(entry: SessionEntry | undefined, req: SipRequest): Promise<SipResponse> {
    let settle: (res: SipResponse) => void = () => undefined;
    const promise = new Promise<SipResponse>((resolve) => (settle = resolve));
    let settled = false;
    const finish = (res: SipResponse): void => {
      if (settled) return;
      settled = true;
      this.inFlight.delete(promise);
      settle(res);
    };
    this.inFlight.add(promise);
    if (!entry) {
      finish(createResponse(req, 503, 'No Session'));
      return promise;
    }
    try {
      this.transactions.sendRequest(req, this.targetOf(entry), {
        onResponse: (res) => {
          if (res.status < 200) return;
          if (settled) {
            // A retransmitted 2xx to our re-INVITE: send the ACK again (§13.2.2.4).
            const sent = req.method === 'INVITE' && res.status < 300 ? this.sentAcks.get(req) : undefined;
            if (sent) this.transactions.sendAck(sent.ack, sent.target).catch((err: unknown) => this.log.debug(errorFields(err), 'ACK resend failed'));
            return;
          }
          finish(res);
        },
        onTimeout: () => finish(createResponse(req, 408, 'Request Timeout')),
        onTransportError: (err) => {
          this.log.warn({ ...errorFields(err), method: req.method }, 'SIP in-dialog request not sent');
          finish(createResponse(req, 503, 'Transport Error'));
        },
      });
    } catch (err) {
      this.log.warn({ ...errorFields(err), method: req.method }, 'SIP in-dialog request not sent');
      finish(createResponse(req, 503, 'Transport Error'));
    }
    return promise;
  }

  private forget(entry: SessionEntry | undefined): void {
    if (!entry) return;
    if (entry.answerTimer !== undefined) this.clock.clearTimeout(entry.answerTimer);
    entry.answerTimer = undefined;
    this.sessions.delete(entry.session.dialog.key);
    this.byInvite.delete(entry.inviteTx);
    if (this.pendingInvites.get(entry.mergeKey) === entry) this.pendingInvites.delete(entry.mergeKey);
    if (entry.call) this.counters.callEnded(entry.session.terminationReason);
  }

  // ---- responses ---------------------------------------------------------------------------------

  private handleOf(tx: ServerTransaction): ServerTransactionHandle {
    return {
      request: tx.request,
      respond: (res) => {
        if (!res.headers.has('server')) res.headers.append('Server', this.productName);
        tx.respond(res);
      },
    };
  }

  /** A response to the request of `tx` with its To tag (§8.2.6.2) and our Server header. */
  private response(tx: ServerTransaction, status: number, reason?: string): SipResponse {
    const res = createResponse(tx.request, status, reason, status > 100 ? { toTag: tx.toTag } : {});
    res.headers.append('Server', this.productName);
    return res;
  }

  /** Answer with an error the core decided on (counted as rejected). */
  private refuse(tx: ServerTransaction, status: number, reason?: string, headers: Array<[string, string]> = []): void {
    this.counters.rejected(status);
    const res = createResponse(tx.request, status, reason, { toTag: tx.toTag });
    for (const [n, v] of headers) res.headers.append(n, v);
    res.headers.append('Server', this.productName);
    tx.respond(res);
  }

  private allow(): string {
    return [...SESSION_METHODS, ...(this.options.registrar ? ['REGISTER'] : [])].join(', ');
  }

  private contactFor(source: RemoteAddress): string {
    const host = this.options.publicAddress ?? this.transport.sentBy().replace(/:\d+$/, '');
    const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const user = this.options.contactUser ?? 'mcu';
    const transport = source.transport === 'TCP' ? ';transport=tcp' : '';
    return `<sip:${user}@${bracketed}:${this.transport.port}${transport}>`;
  }
}

