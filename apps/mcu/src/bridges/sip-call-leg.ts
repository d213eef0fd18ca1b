/**
 * One SIP call into a room: the INVITE's path from the Request-URI to the conference's decision
 * (RFC 3261 §13.3), the lobby wait, the answer with RTP ports from the media port source
 * (RFC 3264), and the call leg's `ParticipantSignalling` towards the conference.
 *
 *   INVITE ─► 100 ─► resolve room ─► plan answer (400/488) ─► ports (503) ─► join
 *     join refused ─► 404 / 403 / 486
 *     lobby ───────► 180 … admit ─► 200 │ reject ─► 603 │ CANCEL ─► 487, leave
 *     connected ───► 200 ─► ACK ─► markConnected
 *   negotiated media ─► onMedia: at the 200 when the INVITE had the offer, else at the ACK's answer;
 *     again after each re-INVITE/UPDATE (answered on the same ports and capabilities)
 *   INFO application/dtmf-relay ─► conference DTMF event
 *   INFO application/media_control+xml picture_fast_update (RFC 5168) ─► onPictureFastUpdate
 *   requestPictureFastUpdate() ─► in-dialog INFO picture_fast_update (at most one per second)
 *   BYE either way, session expiry, ACK timeout ─► leave, ports released
 */
import {
  acceptedKinds,
  createAnswer,
  createOffer,
  DEFAULT_CODECS,
  formatUri,
  MEDIA_CONTROL_CONTENT_TYPE,
  MediaControlError,
  parseMediaControl,
  PICTURE_FAST_UPDATE_XML,
  negotiatedMedia,
  planAnswer,
  renderAnswer,
  SdpError,
  SdpNegotiationError,
  SessionState,
  type AnswerPlan,
  type CodecCapability,
  type IncomingCall,
  type MediaKind,
  type NegotiatedMedia,
  type SessionEndReason,
} from '@mcu/sip';
import type { ConferenceManager } from '../conference/conference-manager';
import type { JoinRefusal, ParticipantSignalling } from '../conference/participant';
import { errorFields } from '../logging/logger';
import { MediaPortsExhaustedError, type MediaPortSource, type MediaPorts } from './media-port-source';
import { dtmfRelayDigit } from './sip-media';
import { sipDialTarget } from './sip-dial-target';

/** The part of the conference a call leg uses. */
export type LegConference = Pick<ConferenceManager, 'resolveDialString' | 'join' | 'markConnected' | 'leave' | 'relayMessage' | 'reportDtmf'>;

/** The logging calls a leg makes (pino fits). */
export interface LegLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What a leg needs from the bridge. */
export interface LegContext {
  conference: LegConference;
  ports: MediaPortSource;
  /** Address written into SDP c= and o= (MCU_PUBLIC_IP). */
  mediaAddress: string;
  /** Codecs offered and accepted (default `DEFAULT_CODECS`); opus only when the media plane runs it. */
  capabilities?: readonly CodecCapability[];
  logger: LegLogger;
  /** Told whenever the negotiated media of the leg is (re)established. */
  onMedia(leg: SipCallLeg, media: NegotiatedMedia): void;
  /** Told when the caller asks for a full picture of the composite it receives (SIP INFO, RFC 5168). */
  onPictureFastUpdate?(leg: SipCallLeg): void;
  /** Monotonic clock, ms (tests); default `performance.now`. */
  now?: () => number;
  /** Told once the leg is over. */
  onEnded(leg: SipCallLeg): void;
}

/** SIP answers to the conference's refusals (see `JoinRefusal`). */
const REFUSALS: Readonly<Record<JoinRefusal, { status: number; reason: string }>> = {
  'not-found': { status: 404, reason: 'Room Not Found' },
  'pin-required': { status: 403, reason: 'PIN Required' },
  'wrong-pin': { status: 403, reason: 'Wrong PIN' },
  full: { status: 486, reason: 'Room Full' },
  locked: { status: 403, reason: 'Room Locked' },
};

/** Readable leave reasons for the roster's log and events. */
const END_REASONS: Readonly<Record<SessionEndReason, string>> = {
  rejected: 'rejected',
  cancelled: 'cancelled by caller',
  'remote-bye': 'caller hung up',
  'local-bye': 'hung up',
  'ack-timeout': 'no ACK for the 200 OK',
  'missing-answer': 'no SDP answer in the ACK',
  'session-expired': 'session timer expired',
  'request-failed': 'caller unreachable',
  shutdown: 'shutdown',
};

/** Shortest interval between two INFO picture_fast_update the MCU sends on one call, ms. */
export const PICTURE_FAST_UPDATE_MIN_INTERVAL_MS = 1000;

/** Responses meaning the peer does not take media_control INFO at all: stop sending it on this call. */
const INFO_REFUSED = new Set([405, 415, 420, 469, 501]);

/** A call leg: the SIP side of one participant. */
export class SipCallLeg implements ParticipantSignalling {
  private participant: string | undefined;
  private readonly held = new Map<MediaKind, MediaPorts>();
  private plan: AnswerPlan | undefined;
  private mediaValue: NegotiatedMedia | undefined;
  private finished = false;
  private lastFastUpdateAt: number | undefined;
  private fastUpdateRefused = false;

  constructor(
    readonly call: IncomingCall,
    private readonly ctx: LegContext,
  ) {
    call.on('terminated', (reason) => this.onTerminated(reason));
    call.on('ack', () => this.onAck());
    call.on('reinvite', (remote, local) => this.readMedia(local, remote, 'answerer'));
    call.on('message', (contentType, _body, request) => this.onMessage(contentType, request.body));
    call.on('info', (contentType, body) => this.onInfo(contentType, body));
    call.setDescriptionHandler({
      answerOffer: (offer) => this.answerReoffer(offer),
      createOffer: () => this.currentLocalDescription(),
    });
  }

  /** The participant id once joined. */
  get participantId(): string | undefined {
    return this.participant;
  }

  /** The negotiated media, once the offer/answer completed. */
  get media(): NegotiatedMedia | undefined {
    return this.mediaValue;
  }

  /** The RTP ports the leg holds, by media kind. */
  get ports(): ReadonlyMap<MediaKind, MediaPorts> {
    return this.held;
  }

  /** `remote` of the participant: the caller's Contact URI with host and port, without parameters. */
  get remote(): string {
    const c = this.call.contact;
    return formatUri({ ...c, port: c.port ?? 5060, params: new Map(), headers: new Map() });
  }

  /** Handle the INVITE. Never rejects: every failure becomes a SIP answer and a log line. */
  async start(): Promise<void> {
    try {
      await this.route();
    } catch (err) {
      this.ctx.logger.error({ ...errorFields(err), callId: this.call.callId }, 'SIP call set-up failed');
      this.refuse(500, 'Server Internal Error');
    }
  }

  private async route(): Promise<void> {
    const call = this.call;
    call.trying();
    const target = sipDialTarget(call.requestUri);
    const resolved = target.dial === '' ? undefined : await this.ctx.conference.resolveDialString(target.dial);
    if (this.finished) return;
    if (!resolved) {
      this.ctx.logger.info({ callId: call.callId, dial: target.dial }, 'SIP INVITE for an unknown room');
      this.refuse(404, 'Room Not Found');
      return;
    }
    const offer = call.offer;
    if (offer !== undefined) {
      try {
        this.plan = planAnswer(offer, { capabilities: this.ctx.capabilities });
      } catch (err) {
        if (!(err instanceof SdpError)) throw err;
        this.ctx.logger.info({ callId: call.callId, reason: err.reason }, 'SIP offer refused');
        this.refuse(err.status, err.reason);
        return;
      }
    }
    const capabilities = this.ctx.capabilities ?? DEFAULT_CODECS;
    if (this.plan && !capabilities.some((c) => c.kind === 'video')) {
      const offered = this.plan.offer.media.some((m, index) => m.type === 'video' && m.port !== 0 && !this.plan?.lines[index]?.accepted);
      if (offered) {
        this.ctx.logger.warn(
          { callId: call.callId, searched: ['FFMPEG_PATH', 'ffmpeg-static', 'PATH'] },
          'the caller offered video but the MCU has no usable ffmpeg: answered audio only (m=video port 0)',
        );
      }
    }
    const kinds: MediaKind[] = this.plan ? acceptedKinds(this.plan) : (['audio', 'video'] as const).filter((k) => capabilities.some((c) => c.kind === k));
    try {
      for (const kind of [...kinds].sort((a, b) => Number(b === 'audio') - Number(a === 'audio'))) {
        try {
          this.held.set(kind, await this.ctx.ports.allocate());
        } catch (err) {
          // Video is dropped (m=video answered with port 0) rather than the call, when audio has its ports.
          if (!(err instanceof MediaPortsExhaustedError) || kind !== 'video' || this.held.size === 0) throw err;
          this.ctx.logger.warn({ callId: call.callId, ...errorFields(err) }, 'no RTP ports left for video: the SIP call is audio only');
        }
      }
    } catch (err) {
      if (!(err instanceof MediaPortsExhaustedError)) throw err;
      this.ctx.logger.warn({ callId: call.callId, ...errorFields(err) }, 'no RTP ports left');
      this.refuse(503, 'No Media Ports', [['Retry-After', '30']]);
      return;
    }
    if (this.finished) return this.releasePorts();
    const result = await this.ctx.conference.join(resolved.room.id, {
      protocol: 'sip',
      displayName: call.displayName || call.from.uri.user || 'SIP caller',
      remote: this.remote,
      pin: resolved.pin ?? target.pinParam,
      signalling: this,
    });
    if (!result.ok) {
      const { status, reason } = REFUSALS[result.reason];
      this.ctx.logger.info({ callId: call.callId, roomId: resolved.room.id, refusal: result.reason }, 'SIP call refused by the conference');
      this.refuse(status, reason);
      return;
    }
    this.participant = result.participant.id;
    if (this.finished) {
      this.ctx.conference.leave(result.participant.id, END_REASONS.cancelled);
      return;
    }
    if (result.lobby) call.ringing();
    else this.answer();
  }

  /** Send the 200 OK: the answer to the INVITE's offer, or our offer (answer then in the ACK). */
  private answer(): void {
    const ports: Partial<Record<MediaKind, number>> = {};
    for (const [kind, p] of this.held) ports[kind] = p.port;
    const render = { address: this.ctx.mediaAddress, ports };
    const plan = this.plan;
    const capabilities = this.ctx.capabilities;
    const sdp = this.call.sdpOrigin.stamp((origin) => (plan ? renderAnswer(plan, { ...render, origin }) : createOffer({ ...render, origin, capabilities })));
    this.call.accept(sdp);
    if (plan && this.call.offer !== undefined) this.readMedia(sdp, this.call.offer, 'answerer');
  }

  private onAck(): void {
    const { local, remote } = this.call.descriptions;
    if (!this.plan && local !== undefined && remote !== undefined) this.readMedia(local, remote, 'offerer');
    if (this.participant !== undefined) this.ctx.conference.markConnected(this.participant);
  }

  private readMedia(local: string, remote: string, localRole: 'offerer' | 'answerer'): void {
    try {
      this.mediaValue = negotiatedMedia({ local, remote, localRole });
      this.ctx.onMedia(this, this.mediaValue);
    } catch (err) {
      this.ctx.logger.warn({ ...errorFields(err), callId: this.call.callId }, 'negotiated media unreadable');
    }
  }

  /** RFC 3264 §8: a re-INVITE/UPDATE offer answered on the ports the leg holds, with the same codecs. */
  private answerReoffer(offer: string): string {
    const ports: Partial<Record<MediaKind, number>> = {};
    for (const [kind, p] of this.held) ports[kind] = p.port;
    return this.call.sdpOrigin.stamp((origin) => createAnswer(offer, { capabilities: this.ctx.capabilities, address: this.ctx.mediaAddress, ports, origin }));
  }

  /** The local description to re-offer in a re-INVITE without an offer (RFC 3261 §14.2). */
  private currentLocalDescription(): string {
    const local = this.call.descriptions.local;
    if (local === undefined) throw new SdpNegotiationError('No local session to offer');
    return local;
  }

  /**
   * Asks the caller's camera for a full picture with an in-dialog INFO `picture_fast_update`
   * (RFC 5168 §4.1), for endpoints that negotiated no RTCP PLI/FIR. At most one per
   * `PICTURE_FAST_UPDATE_MIN_INTERVAL_MS`; never again on this call once the peer refused such an INFO
   * (405, 415, 420, 469, 501). Failures are logged, never thrown.
   * @returns whether an INFO was sent.
   */
  requestPictureFastUpdate(): boolean {
    const state = this.call.state;
    if (this.finished || this.fastUpdateRefused || (state !== SessionState.Confirmed && state !== SessionState.Accepted)) return false;
    const now = (this.ctx.now ?? (() => performance.now()))();
    if (this.lastFastUpdateAt !== undefined && now - this.lastFastUpdateAt < PICTURE_FAST_UPDATE_MIN_INTERVAL_MS) return false;
    this.lastFastUpdateAt = now;
    const callId = this.call.callId;
    this.call.sendInfo(MEDIA_CONTROL_CONTENT_TYPE, PICTURE_FAST_UPDATE_XML).then(
      (res) => {
        if (res.status < 300) return;
        if (INFO_REFUSED.has(res.status)) this.fastUpdateRefused = true;
        this.ctx.logger.info({ callId, status: res.status, reason: res.reason, stopped: this.fastUpdateRefused }, 'SIP INFO picture_fast_update refused');
      },
      (err: unknown) => this.ctx.logger.debug({ callId, ...errorFields(err) }, 'SIP INFO picture_fast_update not sent'),
    );
    return true;
  }

  /**
   * SIP INFO: `application/dtmf-relay` digits become conference DTMF events, `application/media_control+xml`
   * `picture_fast_update` a key frame request (malformed bodies were answered 400 by the dialog);
   * anything else is logged.
   */
  private onInfo(contentType: string | undefined, body: string): void {
    if (contentType === MEDIA_CONTROL_CONTENT_TYPE) {
      this.onMediaControl(body);
      return;
    }
    const digit = contentType === 'application/dtmf-relay' ? dtmfRelayDigit(body) : undefined;
    if (digit === undefined || this.participant === undefined) {
      this.ctx.logger.debug({ callId: this.call.callId, contentType }, 'SIP INFO received');
      return;
    }
    this.ctx.conference.reportDtmf(this.participant, digit, 'sip-info');
  }

  private onMediaControl(body: string): void {
    const callId = this.call.callId;
    try {
      const request = parseMediaControl(body);
      if (request.generalError !== undefined) this.ctx.logger.info({ callId, error: request.generalError }, 'SIP INFO media_control error from the caller');
      if (!request.pictureFastUpdate || this.participant === undefined) return;
      this.ctx.logger.debug({ callId, participantId: this.participant }, 'SIP INFO picture_fast_update');
      this.ctx.onPictureFastUpdate?.(this);
    } catch (err) {
      if (!(err instanceof MediaControlError)) throw err;
      this.ctx.logger.info({ callId, reason: err.reason }, 'SIP INFO media_control unreadable');
    }
  }

  private onMessage(contentType: string | undefined, body: Buffer): void {
    const id = this.participant;
    if (id === undefined) return;
    this.ctx.conference.relayMessage(id, contentType ?? 'text/plain', body).catch((err: unknown) => {
      this.ctx.logger.warn({ ...errorFields(err), participantId: id }, 'SIP MESSAGE not relayed');
    });
  }

  private refuse(status: number, reason: string, headers: Array<[string, string]> = []): void {
    if (this.call.state === SessionState.Early) this.call.reject(status, reason, headers);
    this.releasePorts();
  }

  private onTerminated(reason: SessionEndReason): void {
    if (this.finished) return;
    this.finished = true;
    this.releasePorts();
    if (this.participant !== undefined) this.ctx.conference.leave(this.participant, END_REASONS[reason]);
    this.ctx.onEnded(this);
  }

  private releasePorts(): void {
    for (const p of this.held.values()) p.release();
    this.held.clear();
  }

  // ── ParticipantSignalling ─────────────────────────────────────────────────────────────────────

  /** BYE once answered; 480 while the INVITE waits (lobby). Safe to call twice and after the end. */
  async hangup(reason: string): Promise<void> {
    if (this.finished) return;
    this.ctx.logger.info({ callId: this.call.callId, participantId: this.participant, reason }, 'hanging up SIP call');
    this.call.bye(480);
  }

  /**
   * Lobby → connected: the 200 OK to the waiting INVITE.
   * @throws Error when the call is no longer waiting (cancelled meanwhile).
   */
  async admit(): Promise<void> {
    if (this.finished || this.call.state !== SessionState.Early) throw new Error('the SIP call is no longer waiting');
    this.answer();
  }

  /** Lobby → refused: 603 Decline. */
  async reject(): Promise<void> {
    if (this.finished || this.call.state !== SessionState.Early) return;
    this.call.reject(603, 'Decline');
  }

  /**
   * A message from another participant as an in-dialog MESSAGE (RFC 3428).
   * @throws Error when the call cannot carry it yet or the caller refused it.
   */
  async sendMessage(from: { id: string; displayName: string }, contentType: string, body: Buffer): Promise<void> {
    const state = this.call.state;
    if (state !== SessionState.Confirmed && state !== SessionState.Accepted) throw new Error(`SIP call is ${state}`);
    const res = await this.call.sendMessage(contentType, body);
    if (res.status >= 300) throw new Error(`MESSAGE from ${from.displayName} answered ${res.status} ${res.reason}`);
  }
}
