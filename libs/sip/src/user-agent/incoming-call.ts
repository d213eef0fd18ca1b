/**
 * One call into the MCU as the application sees it: the INVITE's parties and offer, the answers the
 * application gives (`ringing()`, `accept()`, `reject()`, `bye()`), in-dialog MESSAGE/INFO it sends, and
 * the events of the call. Wraps a `SessionDialog` (RFC 3261 §12–§15).
 *
 * Events (listeners' exceptions are logged, never thrown):
 * - `cancelled`: CANCEL before the answer (§9.2), followed by `terminated`.
 * - `ack`: the 2xx was acknowledged; argument: the answer SDP when the 2xx carried the offer.
 * - `bye`: the caller hung up (§15.1.2), followed by `terminated`.
 * - `reinvite`: a new remote description took effect (re-INVITE or UPDATE: hold, unhold, new codec).
 * - `info` / `message`: INFO (DTMF relay, media control) or MESSAGE received in the dialog.
 * - `terminated`: exactly once, for any reason (`SessionEndReason`).
 */
import { formatUri, parseUri, type NameAddr, type SipRequest, type SipResponse, type SipUri } from '../message';
import { createAnswer } from '../sdp/offer-answer';
import { SdpNegotiationError } from '../sdp/sdp-error';
import { parseSessionDescription, SdpOrigin } from '../sdp/session-description';
import type { Logger } from '../transport/logger';
import type { RemoteAddress } from '../transport/transport';
import type { Clock, TimerHandle } from '../transaction/timers';
import type { SessionDialog } from '../dialog/session-dialog';
import { SessionState, type SessionEndReason } from '../dialog/session-state';
import { TypedEvents, type Listener } from './typed-events';

/** Events of an `IncomingCall` and their arguments. */
export type IncomingCallEvents = {
  cancelled: [];
  ack: [answer: string | undefined];
  bye: [];
  reinvite: [remote: string, local: string];
  info: [contentType: string | undefined, body: string, request: SipRequest];
  message: [contentType: string | undefined, body: string, request: SipRequest];
  terminated: [reason: SessionEndReason];
};

/** Produces local descriptions for re-INVITEs and UPDATEs (RFC 3264 §8). */
export interface SessionDescriptionHandler {
  /** The answer to a new remote offer. Throw an `SdpError` (400/488) to refuse it. */
  answerOffer(offer: string): string;
  /** A local offer for a re-INVITE without one. */
  createOffer(): string;
}

/** What an `IncomingCall` is made of (built by the user agent). */
export interface IncomingCallInit {
  session: SessionDialog;
  source: RemoteAddress;
  clock: Clock;
  logger: Logger;
  /** Interval of repeated 180s while ringing, ms (§13.3.1.1: every minute). */
  ringRepeatMs: number;
}

/** Media type of a request body without parameters, lower-case. */
function contentTypeOf(req: SipRequest): string | undefined {
  const v = req.headers.get('content-type');
  return v === undefined ? undefined : v.split(';')[0].trim().toLowerCase();
}

/** A call received by the user agent. */
export class IncomingCall {
  /** The INVITE's Call-ID. */
  readonly callId: string;
  /** The Request-URI of the INVITE. */
  readonly requestUri: SipUri;
  /** From, To and the Contact URI of the caller. */
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly contact: SipUri;
  /** Where the INVITE came from (address, port, transport). */
  readonly source: RemoteAddress;
  /** The INVITE. */
  readonly request: SipRequest;
  /** The origin (o= line) to use for every local description of this call (RFC 3264 §8). */
  readonly sdpOrigin = new SdpOrigin();
  private readonly events: TypedEvents<IncomingCallEvents>;
  private readonly session: SessionDialog;
  private readonly clock: Clock;
  private readonly ringRepeatMs: number;
  private ringTimer: TimerHandle | undefined;
  private handler: SessionDescriptionHandler | undefined;

  constructor(init: IncomingCallInit) {
    this.session = init.session;
    this.clock = init.clock;
    this.ringRepeatMs = init.ringRepeatMs;
    this.source = init.source;
    this.request = init.session.invite;
    const dialog = init.session.dialog;
    this.callId = dialog.id.callId;
    this.from = { ...dialog.remoteAddress, params: new Map([...dialog.remoteAddress.params, ['tag', dialog.id.remoteTag]]) };
    this.to = dialog.localAddress;
    this.contact = dialog.remoteTarget;
    // Already parsed once by Dialog.createUas(), which refuses the INVITE when it does not parse.
    this.requestUri = parseUri(this.request.uri);
    this.events = new TypedEvents<IncomingCallEvents>(init.logger, { callId: this.callId });
    init.session.setDelegate({
      answerOffer: (offer) => this.descriptionHandler().answerOffer(offer),
      createOffer: () => this.descriptionHandler().createOffer(),
      onAck: (answer) => this.events.emit('ack', answer),
      onRemoteDescription: (remote, local) => this.events.emit('reinvite', remote, local),
      onInfo: (req) => this.events.emit('info', contentTypeOf(req), req.body.toString('utf8'), req),
      onMessage: (req) => this.events.emit('message', contentTypeOf(req), req.body.toString('utf8'), req),
      onTerminated: (reason) => this.ended(reason),
    });
  }

  /** The caller's display name (From), if any. */
  get displayName(): string | undefined {
    return this.from.displayName;
  }

  /** The SDP offer of the INVITE, or `undefined` for an INVITE without one (offer goes in our 2xx). */
  get offer(): string | undefined {
    return this.session.initialOffer;
  }

  /** The caller's Contact URI as text (`sip:alice@192.0.2.10:5060`). */
  get remoteContact(): string {
    return formatUri(this.contact);
  }

  /** The session's state (early, accepted, confirmed, terminated). */
  get state(): SessionState {
    return this.session.state;
  }

  /** The current local and remote session descriptions. */
  get descriptions(): { local?: string; remote?: string } {
    return this.session.descriptions;
  }

  /** Add an event listener. */
  on<E extends keyof IncomingCallEvents>(event: E, listener: Listener<IncomingCallEvents, E>): this {
    this.events.on(event, listener);
    return this;
  }

  /** Remove an event listener. */
  off<E extends keyof IncomingCallEvents>(event: E, listener: Listener<IncomingCallEvents, E>): this {
    this.events.off(event, listener);
    return this;
  }

  /**
   * Replace how re-INVITE/UPDATE offers are answered. The default answers with the address and ports of
   * the current local description (`createAnswer()`), and re-offers the current local description.
   */
  setDescriptionHandler(handler: SessionDescriptionHandler): void {
    this.handler = handler;
  }

  /** Send 100 Trying now (the INVITE server transaction sends it after 200 ms anyway, §17.2.1). */
  trying(): void {
    if (this.session.state === SessionState.Early) this.session.provisional(100);
  }

  /** Send 180 Ringing, repeated every minute until the final response (§13.3.1.1). */
  ringing(): void {
    if (this.session.state !== SessionState.Early) return;
    this.session.provisional(180);
    this.stopRinging();
    this.ringTimer = this.clock.setTimeout(() => {
      this.ringTimer = undefined;
      this.ringing();
    }, this.ringRepeatMs);
  }

  /**
   * Answer 200 with `sdp`: the answer to `offer`, or the local offer when the INVITE had none (the ACK
   * then brings the answer: the `ack` event's argument).
   * @throws SessionDialogError when the call is no longer waiting for an answer.
   */
  accept(sdp: string): void {
    this.stopRinging();
    this.session.accept(sdp);
  }

  /**
   * Refuse the call with a final status 300–699 (e.g. 404, 403, 486, 488, 603) and optional headers.
   * @throws SessionDialogError when the call was already answered.
   */
  reject(status: number, reason?: string, headers: ReadonlyArray<readonly [string, string]> = []): void {
    this.stopRinging();
    this.session.reject(status, reason, headers);
  }

  /**
   * Hang up: BYE once answered (after the ACK, §15), or a final `status` (480 by default; 487 fits an
   * abandoned wait) while not yet answered. No-op once terminated.
   */
  bye(status?: number): void {
    this.stopRinging();
    this.session.hangup({ status });
  }

  /**
   * Send MESSAGE inside the dialog (RFC 3428) and resolve with the final response (408 on timeout).
   * @throws SessionDialogError before the 2xx or after the end of the call.
   */
  sendMessage(contentType: string, body: string | Buffer): Promise<SipResponse> {
    return this.session.sendRequest('MESSAGE', { contentType, body });
  }

  /**
   * Send INFO inside the dialog (RFC 6086 legacy usage, e.g. `application/media_control+xml` for a
   * picture fast update request) and resolve with the final response.
   * @throws SessionDialogError before the 2xx or after the end of the call.
   */
  sendInfo(contentType: string, body: string | Buffer): Promise<SipResponse> {
    return this.session.sendRequest('INFO', { contentType, body });
  }

  private descriptionHandler(): SessionDescriptionHandler {
    return this.handler ?? this.defaultHandler();
  }

  /** Answers with the address and ports of the current local description; re-offers it unchanged. */
  private defaultHandler(): SessionDescriptionHandler {
    const local = this.session.descriptions.local;
    return {
      answerOffer: (offer) => {
        if (local === undefined) throw new SdpNegotiationError('No local session to answer from');
        const current = parseSessionDescription(local);
        const address = current.connection?.ip ?? current.media.find((m) => m.connection)?.connection?.ip;
        if (address === undefined) throw new SdpNegotiationError('No local address');
        const ports: { audio?: number; video?: number } = {};
        for (const m of current.media) if ((m.type === 'audio' || m.type === 'video') && m.port > 0) ports[m.type] ??= m.port;
        return this.sdpOrigin.stamp((origin) => createAnswer(offer, { address, ports, origin }));
      },
      createOffer: () => {
        if (local === undefined) throw new SdpNegotiationError('No local session to offer');
        return local;
      },
    };
  }

  private stopRinging(): void {
    if (this.ringTimer !== undefined) this.clock.clearTimeout(this.ringTimer);
    this.ringTimer = undefined;
  }

  private ended(reason: SessionEndReason): void {
    this.stopRinging();
    if (reason === 'cancelled') this.events.emit('cancelled');
    if (reason === 'remote-bye') this.events.emit('bye');
    this.events.emit('terminated', reason);
    this.events.removeAll();
  }
}
