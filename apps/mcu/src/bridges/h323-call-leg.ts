/**
 * One H.323 call into a room: the Setup's path from its called aliases to the conference's decision, the
 * gatekeeper's admission (ARQ, H.225.0 §7.8) when registered, the answer with our RTP port (Connect with the
 * Fast Connect answer, or H.245 OpenLogicalChannel), and the leg's `ParticipantSignalling` towards the
 * conference.
 *
 *   Setup ─► CallProceeding (stack) ─► resolve room ─► ARQ ─► RTP ports ─► join
 *     no room ──────────► ReleaseComplete unreachableDestination, cause 1
 *     full / locked ────► ReleaseComplete destinationRejection, cause 21
 *     PIN wrong ────────► ReleaseComplete destinationRejection, cause 21
 *     PIN missing ──────► Connect, PIN keyed as DTMF (UserInputIndication) ending in '#' ─► join
 *                         (meanwhile the transmit channel carries the PIN prompt tone, until the PIN is accepted)
 *                         (3 wrong PINs or 30 s without one ─► ReleaseComplete destinationRejection, cause 21)
 *     ARJ ──────────────► ReleaseComplete destinationRejection, cause 21
 *     no RTP ports ─────► ReleaseComplete gatewayResources, cause 47
 *     lobby ────────────► Alerting … admit ─► Connect │ reject ─► ReleaseComplete
 *     connected ────────► Connect ─► markConnected; the transmit channel starts the leg's media
 *     video channels ───► (in the room) the participant's video leg starts/updates; H.245
 *                         videoFastUpdatePicture ⇄ keyframe requests of the room
 *   ReleaseComplete either way, connection lost ─► leave, ports released, DRQ
 */
import type { H323Alias, H323MediaChannel, H323ReleaseInfo, H323ReleaseReason, H323VideoChannel, IncomingCall } from '@mcu/h323';
import type { JoinRefusal, JoinRequest, ParticipantSignalling } from '../conference/participant';
import { errorFields } from '../logging/logger';
import { MediaPortsExhaustedError } from './media-port-source';
import { VFU_MIN_INTERVAL_MS, type H323LegMedia, type H323MediaSource } from './h323-media';
import { PIN_ATTEMPTS, PIN_ENTRY_TIMEOUT_MS, PinEntry } from './h323-pin-entry';
import type { LegConference, LegLogger } from './sip-call-leg';

/** The gatekeeper's part in a call (absent without MCU_H323_GATEKEEPER). */
export interface LegAdmission {
  /** ARQ for the incoming call; `true` when admitted (ACF, or pre-granted). Never rejects. */
  admit(call: IncomingCall): Promise<boolean>;
  /** DRQ after the call ended (only for admitted calls). Never rejects. */
  disengage(call: IncomingCall): void;
}

/** What a leg needs from the bridge. */
export interface H323LegContext {
  conference: LegConference;
  media: H323MediaSource;
  admission?: LegAdmission;
  logger: LegLogger;
  /** How long a caller has to key one PIN, ms (default `PIN_ENTRY_TIMEOUT_MS`, 30 s). */
  pinEntryTimeoutMs?: number;
  /** Told once the leg is over. */
  onEnded(leg: H323CallLeg): void;
}

/** ReleaseComplete reasons for the conference's refusals (H.225.0 ReleaseCompleteReason / Q.850 cause). */
const REFUSALS: Readonly<Record<JoinRefusal, H323ReleaseReason>> = {
  'not-found': 'unknownDestination',
  'pin-required': 'rejected',
  'wrong-pin': 'rejected',
  full: 'busy',
  locked: 'busy',
};

/**
 * The dial strings a Setup designates a room by, in the order they are tried: `dialedDigits` aliases (room
 * number, `<number>*<pin>`), `h323-ID` aliases (room id or name), E.164 party numbers, then the Called party
 * number IE (Q.931 §4.5.8). Duplicates and blanks dropped.
 */
export function dialStringsOf(setup: IncomingCall['setup']): string[] {
  const order: ReadonlyArray<H323Alias['type']> = ['dialedDigits', 'h323-ID', 'e164'];
  const out: string[] = [];
  for (const type of order) for (const alias of setup.calledAliases) if (alias.type === type) out.push(alias.value.trim());
  if (setup.calledPartyNumber) out.push(setup.calledPartyNumber.digits.trim());
  return [...new Set(out.filter((d) => d !== ''))];
}

/** `remote` of an H.323 participant: the caller's first alias (if any) and its signalling address. */
export function remoteOf(call: IncomingCall): string {
  const alias = call.setup.callingAliases.find((a) => a.type === 'h323-ID' || a.type === 'dialedDigits' || a.type === 'e164');
  const { address, port } = call.setup.signallingAddress;
  return alias ? `${alias.value}@${address}:${port}` : `${address}:${port}`;
}

/** A call leg: the H.323 side of one participant. */
export class H323CallLeg implements ParticipantSignalling {
  private participant: string | undefined;
  private roomId: string | undefined;
  private media: H323LegMedia | undefined;
  private admitted = false;
  private mediaStarted = false;
  private finished = false;
  private answered = false;
  /** Connected (after PIN entry) but waiting in the room's lobby: no media until admitted. */
  private inLobby = false;
  /** The transmit channel, kept when it opens before the caller is in a room (PIN entry). */
  private sendChannel: H323MediaChannel | undefined;
  /** The PIN prompt tone is playing on the transmit channel. */
  private prompting = false;
  /** The open video channels (ours to the endpoint, the endpoint's to us). */
  private readonly videoChannels: { send?: H323VideoChannel; receive?: H323VideoChannel } = {};
  /** Unsubscribes from the room's keyframe requests for this participant's camera. */
  private stopKeyframeRequests: (() => void) | undefined;
  /** When the last videoFastUpdatePicture went out (ms, monotonic), for the rate limit. */
  private lastFastUpdateAt = -Infinity;
  /** While the PIN is keyed: the room, the request to join it with, the digits, the attempts and the timer. */
  private pin: { roomId: string; request: Omit<JoinRequest, 'pin'>; entry: PinEntry; attempts: number; timer?: NodeJS.Timeout; joining: boolean } | undefined;

  constructor(
    readonly call: IncomingCall,
    private readonly ctx: H323LegContext,
  ) {
    call.on('released', (info) => this.onReleased(info));
    call.on('media', (channel) => this.onMedia(channel));
    call.on('mediaClosed', (channelNumber, direction) => this.ctx.logger.debug({ call: call.label, channelNumber, direction }, 'H.323 channel closed'));
    call.on('userInput', (input) => this.onUserInput(input));
    call.on('video', (channel) => this.onVideo(channel));
    call.on('videoClosed', (channelNumber, direction) => this.onVideoClosed(channelNumber, direction));
    call.on('videoFastUpdate', (channelNumber) => this.onFastUpdate(channelNumber));
  }

  /** The participant id once joined. */
  get participantId(): string | undefined {
    return this.participant;
  }

  /** Our RTP port, once allocated. */
  get rtpPort(): number | undefined {
    return this.media?.rtpPort;
  }

  /** Handle the Setup. Never rejects: every failure becomes a ReleaseComplete and a log line. */
  async start(): Promise<void> {
    try {
      await this.route();
    } catch (err) {
      this.ctx.logger.error({ ...errorFields(err), call: this.call.label }, 'H.323 call set-up failed');
      this.refuse('resourceUnavailable');
    }
  }

  private async route(): Promise<void> {
    const call = this.call;
    const dials = dialStringsOf(call.setup);
    let resolved: Awaited<ReturnType<LegConference['resolveDialString']>>;
    for (const dial of dials) {
      resolved = await this.ctx.conference.resolveDialString(dial);
      if (resolved) break;
    }
    if (this.finished) return;
    if (!resolved) {
      this.ctx.logger.info({ call: call.label, dials }, 'H.323 Setup for an unknown room');
      this.refuse('unknownDestination');
      return;
    }
    if (this.ctx.admission) {
      const admitted = await this.ctx.admission.admit(call);
      if (this.finished) return;
      if (!admitted) {
        this.ctx.logger.info({ call: call.label, roomId: resolved.room.id }, 'gatekeeper refused the H.323 call');
        this.refuse('rejected');
        return;
      }
      this.admitted = true;
    }
    try {
      this.media = await this.ctx.media.allocate();
    } catch (err) {
      if (!(err instanceof MediaPortsExhaustedError)) throw err;
      this.ctx.logger.warn({ call: call.label, ...errorFields(err) }, 'no RTP ports left');
      this.refuse('resourceUnavailable');
      return;
    }
    if (this.finished) return this.releaseMedia();
    const request: Omit<JoinRequest, 'pin'> = {
      protocol: 'h323',
      displayName: call.setup.displayName || call.setup.callingAliases[0]?.value || 'H.323 caller',
      remote: remoteOf(call),
      signalling: this,
    };
    const result = await this.ctx.conference.join(resolved.room.id, { ...request, ...(resolved.pin === undefined ? {} : { pin: resolved.pin }) });
    if (!result.ok && result.reason === 'pin-required' && !this.finished) {
      this.ctx.logger.info({ call: call.label, roomId: resolved.room.id }, 'H.323 caller connected to key the room PIN');
      this.pin = { roomId: resolved.room.id, request, entry: new PinEntry(), attempts: 0, joining: false };
      this.armPinTimer();
      await this.answer();
      this.startPrompt();
      return;
    }
    if (!result.ok) {
      this.ctx.logger.info({ call: call.label, roomId: resolved.room.id, refusal: result.reason }, 'H.323 call refused by the conference');
      this.refuse(REFUSALS[result.reason]);
      return;
    }
    this.participant = result.participant.id;
    this.roomId = resolved.room.id;
    if (this.finished) {
      this.ctx.conference.leave(result.participant.id, 'caller hung up');
      return;
    }
    if (result.lobby) call.alert();
    else await this.answer();
  }

  /** Connect with our RTP address; then the participant counts as connected. */
  private async answer(): Promise<void> {
    const media = this.media;
    if (!media || this.finished) return;
    if (this.answered) {
      if (this.participant !== undefined) this.ctx.conference.markConnected(this.participant);
      return;
    }
    this.answered = true;
    try {
      await this.call.accept({
        localMedia: { address: media.address, rtpPort: media.rtpPort, ...(media.video ? { videoRtpPort: media.video.rtpPort } : {}) },
        ...(media.video ? { fastStartVideo: media.video.fastStartCodecs } : {}),
      });
    } catch (err) {
      // Released while answering (the caller hung up, the answer timer fired): nothing left to answer.
      if (this.finished) {
        this.ctx.logger.debug({ ...errorFields(err), call: this.call.label }, 'H.323 call released before Connect');
        return;
      }
      throw err;
    }
    if (this.participant !== undefined && !this.finished) this.ctx.conference.markConnected(this.participant);
  }

  private onMedia(channel: H323MediaChannel): void {
    this.ctx.logger.info(
      { call: this.call.label, direction: channel.direction, codec: channel.codec, remoteRtp: channel.remoteRtp, localRtpPort: channel.localRtpPort },
      'H.323 audio channel open',
    );
    if (channel.direction === 'send') {
      this.sendChannel = channel;
      // A new transmit channel while the PIN is keyed gets the prompt anew (the media plane replaces it).
      this.prompting = false;
    }
    this.startPrompt();
    this.startMedia();
  }

  /** While the PIN is keyed after Connect, with the transmit channel open: the caller hears the PIN prompt tone. */
  private startPrompt(): void {
    const channel = this.sendChannel;
    if (!this.pin || !this.answered || this.prompting || this.finished || !this.media || !channel?.remoteRtp) return;
    this.prompting = true;
    this.media.prompt(channel);
  }

  /** The PIN was accepted: the prompt tone ends (room audio follows once the leg's media starts). */
  private stopPrompt(): void {
    if (!this.prompting) return;
    this.prompting = false;
    this.media?.stopPrompt();
  }

  /** Starts the leg's media once the caller is in a room and the transmit channel is open. */
  private startMedia(): void {
    const channel = this.sendChannel;
    if (!channel || this.mediaStarted || this.inLobby || !this.media || !this.roomId || !this.participant) return;
    if (!channel.remoteRtp) {
      this.ctx.logger.warn({ call: this.call.label }, 'H.323 transmit channel without an RTP address');
      return;
    }
    this.mediaStarted = true;
    this.media.start(this.roomId, this.participant, channel);
    this.startVideo();
  }

  private onVideo(channel: H323VideoChannel): void {
    this.ctx.logger.info(
      { call: this.call.label, direction: channel.direction, codec: channel.codec, payloadType: channel.payloadType, size: `${channel.width}x${channel.height}`, maxBitrateBps: channel.maxBitrateBps, remoteRtp: channel.remoteRtp },
      'H.323 video channel open',
    );
    this.videoChannels[channel.direction] = channel;
    this.startVideo();
  }

  private onVideoClosed(channelNumber: number, direction: 'send' | 'receive'): void {
    this.ctx.logger.info({ call: this.call.label, channelNumber, direction }, 'H.323 video channel closed');
    if (this.videoChannels[direction]?.channelNumber !== channelNumber) return;
    delete this.videoChannels[direction];
    this.startVideo();
  }

  /**
   * Starts, updates or suspends the participant's video leg from the open video channels, once the caller is in
   * the room (not keying a PIN, not in the lobby) and its audio leg runs (so the two are paired), and follows the
   * room's keyframe requests for its camera.
   */
  private startVideo(): void {
    const video = this.media?.video;
    const participant = this.participant;
    if (!video || !this.mediaStarted || this.finished || this.inLobby || !this.roomId || participant === undefined || this.pin) return;
    if (!this.videoChannels.send && !this.videoChannels.receive && !this.stopKeyframeRequests) return;
    video.update(participant, this.videoChannels);
    this.stopKeyframeRequests ??= video.onKeyframeWanted(participant, () => this.askFastUpdate());
  }

  /** The room wants an intra picture from the endpoint's camera: videoFastUpdatePicture, at most one per VFU_MIN_INTERVAL_MS. */
  private askFastUpdate(): void {
    const now = performance.now();
    if (this.finished || now - this.lastFastUpdateAt < VFU_MIN_INTERVAL_MS) return;
    if (this.call.requestVideoFastUpdate()) {
      this.lastFastUpdateAt = now;
      this.ctx.logger.debug({ call: this.call.label }, 'H.323 videoFastUpdatePicture sent');
    }
  }

  /** The endpoint asked for an intra picture of the composite it receives (H.245 videoFastUpdatePicture). */
  private onFastUpdate(channelNumber: number): void {
    this.ctx.logger.debug({ call: this.call.label, channelNumber }, 'H.323 videoFastUpdatePicture received');
    const participant = this.participant;
    if (participant === undefined || this.finished || this.inLobby || !this.media?.video) return;
    this.media.video.keyframeRequested(participant);
  }

  private onUserInput(input: string): void {
    this.ctx.logger.info({ call: this.call.label, participantId: this.participant, input: this.pin ? '(PIN digits)' : input }, 'H.323 user input');
    const pin = this.pin;
    if (!pin) {
      // In the room: each keyed digit is a room DTMF event (H.245 §6.2.9 UserInputIndication).
      if (this.participant !== undefined && !this.finished) {
        for (const digit of input) this.ctx.conference.reportDtmf(this.participant, digit.toUpperCase(), 'h245');
      }
      return;
    }
    if (pin.joining || this.finished) return;
    const [keyed] = pin.entry.feed(input);
    if (keyed !== undefined) void this.tryPin(keyed);
  }

  private armPinTimer(): void {
    const pin = this.pin;
    if (!pin) return;
    if (pin.timer) clearTimeout(pin.timer);
    pin.timer = setTimeout(() => {
      this.ctx.logger.info({ call: this.call.label, roomId: pin.roomId }, 'no PIN keyed in time; releasing the H.323 call');
      this.call.hangUp('rejected');
    }, this.ctx.pinEntryTimeoutMs ?? PIN_ENTRY_TIMEOUT_MS);
  }

  private async tryPin(keyed: string): Promise<void> {
    const pin = this.pin;
    if (!pin) return;
    pin.joining = true;
    try {
      const result = await this.ctx.conference.join(pin.roomId, { ...pin.request, pin: keyed });
      if (this.finished) {
        if (result.ok) this.ctx.conference.leave(result.participant.id, 'caller hung up');
        return;
      }
      if (result.ok) {
        if (pin.timer) clearTimeout(pin.timer);
        this.pin = undefined;
        this.stopPrompt();
        this.participant = result.participant.id;
        this.roomId = pin.roomId;
        // In a lobby the participant waits with the call connected; admit() then marks it connected and starts media.
        this.inLobby = result.lobby;
        if (!result.lobby) this.ctx.conference.markConnected(result.participant.id);
        this.startMedia();
        return;
      }
      pin.attempts++;
      if (result.reason !== 'wrong-pin' || pin.attempts >= PIN_ATTEMPTS) {
        this.ctx.logger.info({ call: this.call.label, roomId: pin.roomId, refusal: result.reason, attempts: pin.attempts }, 'H.323 caller refused after PIN entry');
        this.call.hangUp(REFUSALS[result.reason]);
        return;
      }
      this.armPinTimer();
    } catch (err) {
      this.ctx.logger.error({ ...errorFields(err), call: this.call.label }, 'PIN check failed');
      this.call.hangUp('resourceUnavailable');
    } finally {
      pin.joining = false;
    }
  }

  private refuse(reason: H323ReleaseReason): void {
    this.call.reject(reason);
    this.releaseMedia();
  }

  private onReleased(info: H323ReleaseInfo): void {
    if (this.finished) return;
    this.finished = true;
    if (this.pin?.timer) clearTimeout(this.pin.timer);
    this.pin = undefined;
    this.ctx.logger.info({ call: this.call.label, participantId: this.participant, ...info }, 'H.323 call released');
    this.stopKeyframeRequests?.();
    this.stopKeyframeRequests = undefined;
    this.releaseMedia();
    if (this.participant !== undefined) this.ctx.conference.leave(this.participant, info.by === 'remote' ? 'caller hung up' : 'hung up');
    if (this.admitted) this.ctx.admission?.disengage(this.call);
    this.ctx.onEnded(this);
  }

  private releaseMedia(): void {
    this.media?.release();
  }

  // ── ParticipantSignalling ─────────────────────────────────────────────────────────────────────

  /** ReleaseComplete (normal call clearing, cause 16); safe to call twice and after the end. */
  async hangup(reason: string): Promise<void> {
    if (this.finished) return;
    this.ctx.logger.info({ call: this.call.label, participantId: this.participant, reason }, 'hanging up H.323 call');
    this.call.hangUp(reason === 'shutdown' ? 'shutdown' : 'normal');
  }

  /**
   * Lobby → connected: Connect.
   * @throws Error when the call is no longer waiting (released meanwhile).
   */
  async admit(): Promise<void> {
    if (this.finished) throw new Error('the H.323 call is no longer waiting');
    await this.answer();
    this.inLobby = false;
    this.startMedia();
  }

  /** Lobby → refused: ReleaseComplete destinationRejection (cause 21). */
  async reject(): Promise<void> {
    if (this.finished) return;
    if (this.answered) this.call.hangUp('rejected');
    else this.call.reject('rejected');
  }
}
