/**
 * The INVITE dialog usage of the MCU as UAS (RFC 3261 §12, §13.3, §14, §15; RFC 3311 UPDATE; RFC 4028
 * session timers): answering the dialog-creating INVITE, the 2xx retransmission until ACK, re-INVITE and
 * UPDATE with their offer/answer exchanges, INFO and MESSAGE inside the dialog, BYE either way, and the
 * session timer's refreshes and expiry.
 *
 * States (explicit, changed only by `transition()`):
 *
 *   Early ──2xx sent──▶ Accepted ──ACK──▶ Confirmed
 *     │                   │                  │
 *     └─non-2xx/CANCEL/BYE┴──BYE/ACK timeout─┴──BYE either way, session expiry──▶ Terminated
 *
 * `onTerminated` is called exactly once, whatever the path.
 */
import {
  SipParseError,
  createResponse,
  getContentType,
  getContacts,
  getCSeq,
  getOptionTags,
  type SipRequest,
  type SipResponse,
} from '../message';
import { errorFields, silentLogger, type Logger } from '../transport/logger';
import { AcceptedResponse } from './accepted-response';
import { MEDIA_CONTROL_CONTENT_TYPE, MediaControlError, parseMediaControl } from './media-control';
import { Dialog } from './dialog';
import { SessionRefresher } from './session-refresher';
import { SessionResponses } from './session-responses';
import { SessionTimer, negotiateAsUas, type SessionTimerTerms } from './session-timer';
import { SessionDialogError, SessionState, SESSION_TRANSITIONS, type SessionEndReason } from './session-state';
import {
  DEFAULT_INFO_CONTENT_TYPES,
  type ServerTransactionHandle,
  type SessionDialogDelegate,
  type SessionDialogOptions,
} from './session-dialog-delegate';

export { SessionState, type SessionEndReason } from './session-state';
export * from './session-dialog-delegate';

const SDP = 'application/sdp';

function sdpBody(msg: SipRequest | SipResponse): string | undefined {
  if (msg.body.length === 0 || getContentType(msg) !== SDP) return undefined;
  return msg.body.toString('utf8');
}

/** A status carried by an error from the delegate (SdpError and the like), else 500. */
function statusOf(err: unknown): { status: number; reason?: string } {
  if (err && typeof err === 'object' && 'status' in err && typeof (err as { status: unknown }).status === 'number') {
    const reason = (err as { reason?: unknown }).reason;
    return { status: (err as { status: number }).status, reason: typeof reason === 'string' ? reason : undefined };
  }
  return { status: 500 };
}

/** One INVITE dialog usage where the MCU is the UAS of the dialog-creating INVITE. */
export class SessionDialog {
  /** The dialog (§12). */
  readonly dialog: Dialog;
  /** The INVITE that created the session. */
  readonly invite: SipRequest;
  private stateValue = SessionState.Early;
  private delegate: SessionDialogDelegate | undefined;
  private readonly log: Logger;
  private readonly inviteTx: ServerTransactionHandle;
  private readonly timer: SessionTimer | undefined;
  private pendingAck: AcceptedResponse | undefined;
  /** A re-INVITE or UPDATE the local side sent and has no final response to yet. */
  private localRequest: { method: 'INVITE' | 'UPDATE'; withOffer: boolean } | undefined;
  private byeWhenAcked: SessionEndReason | undefined;
  private readonly refresher: SessionRefresher | undefined;
  private readonly responses: SessionResponses;
  private localSdp: string | undefined;
  private remoteSdp: string | undefined;
  private remoteAllow: Set<string>;
  private endReason: SessionEndReason | undefined;

  /**
   * Create the session for a received INVITE (the dialog is created at once, §12.1.1).
   * @throws SipParseError (400) when the INVITE cannot create a dialog (no Contact, malformed headers).
   */
  constructor(
    inviteTx: ServerTransactionHandle,
    private readonly options: SessionDialogOptions,
  ) {
    this.inviteTx = inviteTx;
    this.invite = inviteTx.request;
    this.log = options.logger ?? silentLogger;
    this.dialog = Dialog.createUas(this.invite, {
      localTag: options.localTag,
      localContact: options.localContact,
      initialLocalSeq: options.initialLocalSeq,
    });
    this.responses = new SessionResponses(options.localTag, options.localContact, options.responseHeaders);
    this.remoteSdp = sdpBody(this.invite);
    this.remoteAllow = allowOf(this.invite);
    if (options.sessionTimer !== false) {
      const timer = new SessionTimer(options.clock, {
        refreshDue: () => this.guard('session refresh', () => this.refresher?.refreshDue()),
        expired: () => this.guard('session expiry', () => this.sendBye('session-expired')),
      });
      this.timer = timer;
      this.refresher = this.createRefresher(timer, options.sessionTimer.minSE);
    }
  }

  /** The current state. */
  get state(): SessionState {
    return this.stateValue;
  }

  /** True once Terminated (a delegate callback may end the session while a handler runs). */
  get terminated(): boolean {
    return this.stateValue === SessionState.Terminated;
  }

  /** Why the session ended, once Terminated. */
  get terminationReason(): SessionEndReason | undefined {
    return this.endReason;
  }

  /** The SDP offer of the INVITE, if it had one (RFC 3261 §13.2.1). */
  get initialOffer(): string | undefined {
    return sdpBody(this.invite);
  }

  /** The current local and remote session descriptions. */
  get descriptions(): { local?: string; remote?: string } {
    return { local: this.localSdp, remote: this.remoteSdp };
  }

  /** The session timer in force, if any. */
  get sessionTimerTerms(): SessionTimerTerms | undefined {
    return this.timer?.terms;
  }

  /** Set the delegate (once, right after construction). */
  setDelegate(delegate: SessionDialogDelegate): void {
    this.delegate = delegate;
  }

  /**
   * Answer the INVITE 422 when its Session-Expires is below the local Min-SE (RFC 4028 §9), or 400 when
   * it is malformed, before the application sees the call.
   * @returns true when the INVITE was refused (the session is then Terminated).
   */
  refuseUnacceptableTimer(): boolean {
    if (this.options.sessionTimer === false) return false;
    try {
      const decision = negotiateAsUas(this.invite, this.options.sessionTimer);
      if (decision.kind === 'accept') return false;
      this.reject(422, undefined, [['Min-SE', String(decision.minSE)]]);
    } catch (err) {
      this.reject(400, err instanceof SipParseError ? err.reason : 'Invalid Session-Expires');
    }
    return true;
  }

  /**
   * Send a provisional response to the INVITE (§13.3.1.1): 100 without tag; 101–199 with the To tag and
   * Contact (creating the early dialog, §12.1.1).
   * @throws SessionDialogError outside Early or for a status outside 100–199.
   */
  provisional(status = 180, reason?: string): void {
    if (status < 100 || status > 199) throw new SessionDialogError(`not a provisional status: ${status}`);
    this.expectState('provisional response', SessionState.Early);
    const res = createResponse(this.invite, status, reason, status === 100 ? {} : { toTag: this.options.localTag });
    if (status !== 100) this.responses.addContact(res);
    this.inviteTx.respond(res);
  }

  /**
   * Accept the INVITE with a 2xx carrying `sdp`: the answer to the INVITE's offer, or the local offer when
   * the INVITE had none (then the ACK must bring the answer, §13.2.1). Starts the 2xx retransmission
   * (§13.3.1.4) and the session timer (RFC 4028 §9).
   * @throws SessionDialogError outside Early.
   */
  accept(sdp: string): void {
    this.expectState('accept', SessionState.Early);
    const timerHeaders = this.timerHeadersFor(this.invite);
    const res = this.responses.okWithSdp(this.invite, sdp, timerHeaders.headers);
    this.localSdp = sdp;
    this.inviteTx.respond(res);
    this.transition(SessionState.Accepted);
    this.awaitAck(this.invite, res, this.remoteSdp === undefined);
    if (timerHeaders.terms) this.timer?.restart(timerHeaders.terms);
  }

  /**
   * Refuse the INVITE with a final non-2xx response (300–699) and end the session.
   * @throws SessionDialogError outside Early or for a status outside 300–699.
   */
  reject(status: number, reason?: string, headers: ReadonlyArray<readonly [string, string]> = []): void {
    if (status < 300 || status > 699) throw new SessionDialogError(`not a final non-2xx status: ${status}`);
    this.expectState('reject', SessionState.Early);
    this.finishInvite(status, 'rejected', reason, headers);
  }

  /** Answer the pending INVITE with a final non-2xx and end the session with `why`. */
  private finishInvite(status: number, why: SessionEndReason, reason?: string, headers: ReadonlyArray<readonly [string, string]> = []): void {
    const res = createResponse(this.invite, status, reason, { toTag: this.options.localTag });
    for (const [n, v] of headers) res.headers.append(n, v);
    this.responses.finish(res);
    this.inviteTx.respond(res);
    this.terminate(why);
  }

  /**
   * CANCEL of the INVITE (§9.2): while it has no final response, answer it 487 and end the session.
   * @returns true when the INVITE was still pending (the session is now Terminated).
   */
  cancel(): boolean {
    if (this.stateValue !== SessionState.Early) return false;
    this.finishInvite(487, 'cancelled');
    return true;
  }

  /**
   * End the session from the local side: before a final response the INVITE is refused with `status`
   * (480 by default); after the 2xx a BYE is sent (§15.1.1) — once the ACK arrived, or at once when
   * `immediate` (shutdown) or when the ACK times out. No-op once Terminated.
   */
  hangup(options: { status?: number; immediate?: boolean; reason?: SessionEndReason } = {}): void {
    const reason = options.reason ?? 'local-bye';
    switch (this.stateValue) {
      case SessionState.Early:
        this.finishInvite(options.status ?? 480, reason);
        return;
      case SessionState.Accepted:
        // §15: no BYE before the ACK (or the 2xx's timeout), unless shutting down.
        if (options.immediate) this.sendBye(reason);
        else this.byeWhenAcked = reason;
        return;
      case SessionState.Confirmed:
        this.sendBye(reason);
        return;
      case SessionState.Terminated:
        return;
    }
  }

  /**
   * An ACK arrived for this dialog (§13.3.1.4, §17.2.1 hands the ACK of a 2xx to the TU). An ACK whose
   * CSeq does not match the awaited 2xx is ignored (a retransmission of an earlier one).
   */
  receiveAck(ack: SipRequest): void {
    const pending = this.pendingAck;
    if (!pending || this.stateValue === SessionState.Terminated) return;
    let seq: number;
    try {
      seq = getCSeq(ack).seq;
    } catch (err) {
      this.log.warn({ ...errorFields(err), callId: this.dialog.id.callId }, 'SIP ACK with bad CSeq ignored');
      return;
    }
    if (seq !== pending.cseq) return;
    pending.stop();
    this.pendingAck = undefined;
    const answer = sdpBody(ack);
    const initial = pending.request === this.invite;
    if (initial) this.transition(SessionState.Confirmed);
    if (pending.localOffer) {
      if (answer === undefined) {
        this.log.warn({ callId: this.dialog.id.callId }, 'SIP ACK without the answer to our offer: ending the session');
        if (initial) this.notify('onAck', () => this.delegate?.onAck?.(undefined));
        this.sendBye('missing-answer');
        return;
      }
      this.remoteSdp = answer;
      if (!initial) this.notify('onRemoteDescription', () => this.delegate?.onRemoteDescription?.(answer, this.localSdp ?? ''));
    }
    if (initial) this.notify('onAck', () => this.delegate?.onAck?.(pending.localOffer ? answer : undefined));
    if (this.byeWhenAcked && !this.terminated) this.sendBye(this.byeWhenAcked);
  }

  /**
   * A request inside this dialog other than ACK and CANCEL (§12.2.2): BYE, re-INVITE, UPDATE, INFO,
   * MESSAGE, OPTIONS; others get 405 (the owner answers methods it does not implement at all).
   */
  receiveRequest(tx: ServerTransactionHandle): void {
    const req = tx.request;
    if (this.stateValue === SessionState.Terminated) {
      this.responses.respond(tx, 481);
      return;
    }
    let inOrder: boolean;
    try {
      inOrder = this.dialog.acceptRemoteSeq(req);
    } catch (err) {
      this.responses.respond(tx, 400, err instanceof SipParseError ? err.reason : 'Invalid CSeq');
      return;
    }
    if (!inOrder) {
      this.responses.respond(tx, 500, 'CSeq Out of Order');
      return;
    }
    switch (req.method) {
      case 'BYE':
        this.onBye(tx);
        return;
      case 'INVITE':
        this.onReinvite(tx);
        return;
      case 'UPDATE':
        this.onUpdate(tx);
        return;
      case 'INFO':
        this.onInfo(tx);
        return;
      case 'MESSAGE':
        this.responses.respond(tx, 200);
        this.notify('onMessage', () => this.delegate?.onMessage?.(req));
        return;
      case 'OPTIONS':
        this.responses.respond(tx, 200);
        return;
      default:
        this.responses.respond(tx, 405);
    }
  }

  /**
   * Send a request inside the dialog (MESSAGE, INFO, …) and resolve with its final response. A 481 or a
   * timeout (408) ends the session (RFC 5057 §5.1), the latter with a BYE.
   * @throws SessionDialogError (synchronously) before the 2xx or after the end of the session.
   */
  sendRequest(method: string, options: { body?: string | Buffer; contentType?: string; headers?: ReadonlyArray<readonly [string, string]> } = {}): Promise<SipResponse> {
    this.expectState(`send ${method}`, SessionState.Accepted, SessionState.Confirmed);
    const req = this.dialog.createRequest(method, {
      body: options.body,
      contentType: options.contentType,
      headers: [...(this.options.requestHeaders ?? []), ...(options.headers ?? [])],
    });
    return this.options.channel.sendRequest(req).then((res) => {
      if (res.status === 481) this.terminate('request-failed');
      else if (res.status === 408) this.sendBye('request-failed');
      return res;
    });
  }

  /** Stop every timer and end the session without signalling (owner shutting down); safe to call twice. */
  dispose(): void {
    this.terminate('shutdown');
  }

  // ---- received requests -------------------------------------------------------------------------

  private onBye(tx: ServerTransactionHandle): void {
    this.responses.respond(tx, 200);
    // §15.1.2: a BYE on an early dialog ends the INVITE too.
    if (this.stateValue === SessionState.Early) this.finishInvite(487, 'remote-bye');
    else this.terminate('remote-bye');
  }

  private onReinvite(tx: ServerTransactionHandle): void {
    const req = tx.request;
    if (!this.contactReadable(tx)) return;
    // §14.2: an INVITE of ours in progress → 491; theirs not finished → 500 with Retry-After.
    if (this.localRequest?.method === 'INVITE' || this.pendingAck?.localOffer) {
      this.responses.respond(tx, 491);
      return;
    }
    if (this.stateValue === SessionState.Early || this.pendingAck) {
      this.responses.retryLater(tx);
      return;
    }
    const timer = this.timerHeadersFor(req, tx);
    if (!timer) return;
    const offer = sdpBody(req);
    let sdp: string;
    try {
      const d = this.requireDelegate();
      sdp = offer === undefined ? d.createOffer() : d.answerOffer(offer);
    } catch (err) {
      const { status, reason } = statusOf(err);
      this.log.info({ ...errorFields(err), callId: this.dialog.id.callId, status }, 'SIP re-INVITE refused');
      this.responses.respond(tx, status, reason);
      return;
    }
    const res = this.responses.okWithSdp(req, sdp, timer.headers);
    this.dialog.refreshRemoteTarget(req);
    this.remoteAllow = allowOf(req, this.remoteAllow);
    this.localSdp = sdp;
    tx.respond(res);
    this.awaitAck(req, res, offer === undefined);
    if (timer.terms) this.timer?.restart(timer.terms);
    if (offer !== undefined) {
      this.remoteSdp = offer;
      this.notify('onRemoteDescription', () => this.delegate?.onRemoteDescription?.(offer, sdp));
    }
  }

  private onUpdate(tx: ServerTransactionHandle): void {
    const req = tx.request;
    if (!this.contactReadable(tx)) return;
    const offer = sdpBody(req);
    if (offer !== undefined) {
      // RFC 3311 §5.2: our offer unanswered → 491; theirs unanswered → 500 with Retry-After.
      if (this.localRequest?.withOffer || this.pendingAck?.localOffer) {
        this.responses.respond(tx, 491);
        return;
      }
      if (this.stateValue === SessionState.Early) {
        this.responses.retryLater(tx);
        return;
      }
    }
    const timer = this.timerHeadersFor(req, tx);
    if (!timer) return;
    let sdp: string | undefined;
    if (offer !== undefined) {
      try {
        sdp = this.requireDelegate().answerOffer(offer);
      } catch (err) {
        const { status, reason } = statusOf(err);
        this.responses.respond(tx, status, reason);
        return;
      }
    }
    const res = sdp === undefined ? this.responses.build(req, 200) : this.responses.okWithSdp(req, sdp, []);
    if (sdp === undefined) this.responses.addContact(res);
    for (const [n, v] of timer.headers) res.headers.append(n, v);
    this.dialog.refreshRemoteTarget(req);
    tx.respond(res);
    if (timer.terms && this.stateValue !== SessionState.Early) this.timer?.restart(timer.terms);
    if (offer !== undefined && sdp !== undefined) {
      this.localSdp = sdp;
      this.remoteSdp = offer;
      const answer = sdp;
      this.notify('onRemoteDescription', () => this.delegate?.onRemoteDescription?.(offer, answer));
    }
  }

  private onInfo(tx: ServerTransactionHandle): void {
    const req = tx.request;
    const accepted = this.options.infoContentTypes ?? DEFAULT_INFO_CONTENT_TYPES;
    const type = getContentType(req);
    if (req.body.length > 0 && (type === undefined || !accepted.includes(type))) {
      const res = this.responses.build(req, 415);
      res.headers.append('Accept', accepted.join(', '));
      tx.respond(res);
      return;
    }
    if (type === MEDIA_CONTROL_CONTENT_TYPE) {
      try {
        parseMediaControl(req.body.toString('utf8'));
      } catch (err) {
        if (!(err instanceof MediaControlError)) throw err;
        this.log.info({ callId: this.dialog.id.callId, reason: err.reason }, 'SIP INFO media_control refused');
        this.responses.respond(tx, 400, `Malformed media_control: ${err.reason}`.slice(0, 120));
        return;
      }
    }
    this.responses.respond(tx, 200);
    this.notify('onInfo', () => this.delegate?.onInfo?.(req));
  }

  /** A target refresh request's Contact must parse (§12.2.2); otherwise 400 and false. */
  private contactReadable(tx: ServerTransactionHandle): boolean {
    try {
      getContacts(tx.request);
      return true;
    } catch (err) {
      this.responses.respond(tx, 400, err instanceof SipParseError ? err.reason : 'Invalid Contact');
      return false;
    }
  }

  // ---- session timer refresh (RFC 4028 §7.4, §10) -------------------------------------------------

  private createRefresher(timer: SessionTimer, minSE: number): SessionRefresher {
    return new SessionRefresher({
      clock: this.options.clock,
      timer,
      minSE,
      ended: () => this.terminated,
      idle: () => this.stateValue === SessionState.Confirmed && !this.localRequest && !this.pendingAck,
      updateAllowed: () => this.remoteAllow.has('UPDATE'),
      forgetUpdate: () => this.remoteAllow.delete('UPDATE'),
      sendRefresh: (method, headers) => {
        const body = method === 'INVITE' ? this.localSdp : undefined;
        const request = this.dialog.createRequest(method, {
          body,
          contentType: body === undefined ? undefined : SDP,
          headers: [...(this.options.requestHeaders ?? []), ...headers],
        });
        this.localRequest = { method, withOffer: body !== undefined };
        return this.options.channel.sendRequest(request).then((response) => {
          this.localRequest = undefined;
          return { request, response };
        });
      },
      refreshed: (request, response) => {
        if (request.method !== 'INVITE') return;
        this.options.channel.sendAck(this.dialog.createRequest('ACK', { cseq: getCSeq(request).seq }), request);
        const answer = sdpBody(response);
        if (answer !== undefined && answer !== this.remoteSdp) {
          this.remoteSdp = answer;
          this.notify('onRemoteDescription', () => this.delegate?.onRemoteDescription?.(answer, this.localSdp ?? ''));
        }
      },
      refreshFailed: (status) => (status === 481 ? this.terminate('request-failed') : this.sendBye('request-failed')),
      guard: (what, fn) => this.guard(what, fn),
    });
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** Session-timer headers and terms for a 2xx to `req`; when `tx` is given a refusal is answered and undefined returned. */
  private timerHeadersFor(req: SipRequest, tx: ServerTransactionHandle): { headers: Array<[string, string]>; terms?: SessionTimerTerms } | undefined;
  private timerHeadersFor(req: SipRequest): { headers: Array<[string, string]>; terms?: SessionTimerTerms };
  private timerHeadersFor(req: SipRequest, tx?: ServerTransactionHandle): { headers: Array<[string, string]>; terms?: SessionTimerTerms } | undefined {
    if (this.options.sessionTimer === false) return { headers: [] };
    try {
      const d = negotiateAsUas(req, this.options.sessionTimer);
      if (d.kind === 'accept') return { headers: d.headers, terms: d.terms };
      if (tx) {
        const res = this.responses.build(req, 422);
        res.headers.append('Min-SE', String(d.minSE));
        tx.respond(res);
        return undefined;
      }
    } catch (err) {
      if (tx) {
        this.responses.respond(tx, 400, err instanceof SipParseError ? err.reason : 'Invalid Session-Expires');
        return undefined;
      }
    }
    return { headers: [] };
  }

  private awaitAck(request: SipRequest, response: SipResponse, localOffer: boolean): void {
    this.pendingAck = new AcceptedResponse(request, response, getCSeq(request).seq, localOffer, this.options.clock, this.options.timers, {
      retransmit: this.options.channel.retransmitResponse
        ? (res, req) => this.guard('2xx retransmission', () => this.options.channel.retransmitResponse?.(res, req))
        : undefined,
      ackTimeout: () =>
        this.guard('ACK timeout', () => {
          this.pendingAck = undefined;
          this.log.warn({ callId: this.dialog.id.callId }, 'SIP 2xx never acknowledged: ending the session');
          if (this.stateValue === SessionState.Accepted) this.transition(SessionState.Confirmed);
          this.sendBye(this.byeWhenAcked ?? 'ack-timeout');
        }),
    });
  }

  private sendBye(reason: SessionEndReason): void {
    if (this.stateValue === SessionState.Terminated) return;
    if (this.stateValue === SessionState.Early) {
      this.finishInvite(480, reason);
      return;
    }
    const bye = this.dialog.createRequest('BYE', { headers: this.options.requestHeaders });
    // §15.1.1: the session is over once the BYE is handed to its client transaction.
    void this.options.channel.sendRequest(bye).then((res) => {
      if (res.status >= 300) this.log.info({ callId: this.dialog.id.callId, status: res.status }, 'SIP BYE answered with an error');
    });
    this.terminate(reason);
  }

  private terminate(reason: SessionEndReason): void {
    if (this.stateValue === SessionState.Terminated) return;
    this.endReason = reason;
    this.pendingAck?.stop();
    this.pendingAck = undefined;
    this.timer?.stop();
    this.refresher?.dispose();
    this.transition(SessionState.Terminated);
    this.notify('onTerminated', () => this.delegate?.onTerminated?.(reason));
    this.notify('onEnded', () => this.options.onEnded?.(this));
  }

  private requireDelegate(): SessionDialogDelegate {
    if (!this.delegate) throw new SessionDialogError('no delegate to negotiate the session');
    return this.delegate;
  }

  private transition(to: SessionState): void {
    const from = this.stateValue;
    if (!SESSION_TRANSITIONS[from].includes(to)) throw new SessionDialogError(`illegal session transition ${from} → ${to}`);
    this.stateValue = to;
    this.log.debug({ callId: this.dialog.id.callId, from, to }, 'SIP session state change');
  }

  private expectState(what: string, ...states: SessionState[]): void {
    if (!states.includes(this.stateValue)) throw new SessionDialogError(`cannot ${what} in state ${this.stateValue}`);
  }

  /** Run `fn`; an exception is logged (protocol timers and network events must never throw upward). */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ ...errorFields(err), callId: this.dialog.id.callId }, `error in SIP session: ${what}`);
    }
  }

  private notify(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ ...errorFields(err), callId: this.dialog.id.callId }, `error in SIP session callback ${what}`);
    }
  }
}

function allowOf(req: SipRequest, fallback?: Set<string>): Set<string> {
  if (!req.headers.has('allow')) return fallback ?? new Set(['INVITE', 'ACK', 'CANCEL', 'BYE']);
  return new Set(getOptionTags(req, 'allow').map((m) => m.toUpperCase()));
}
