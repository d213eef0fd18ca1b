/**
 * The conference's media side: joins each participant's signalling (which negotiates RTP) to the
 * media plane (`MediaEngine`, which mixes it). Bridges allocate a leg's ports here before answering,
 * then hand over what was negotiated (`connect`) on every offer/answer; the conference's operator
 * actions (mute) and the media plane's observations (DTMF, active speaker) flow through here to the
 * other side.
 *
 *   bridge ──allocate()──► engine.allocateLeg      (port for the SDP answer / OLC ack; 503 when exhausted)
 *   bridge ──connect()───► engine.startLeg, then updateLeg on re-INVITE / hold
 *   conference 'participant-muted' ─► engine.setMuted          (from the next 20 ms frame)
 *   conference 'participant-left' ──► legs released (RTCP BYE, ports back)
 *   conference 'room-layout' / first join in a room ─► engine.setLayout; 'room-deleted' ─► engine.clearLayout
 *   bridge ──connectVideo()► engine.startVideoLeg (paired with the audio leg, named), then updateVideoLeg
 *   bridge ──requestKeyframe() (SIP INFO / H.245 VFU) ─► engine.requestKeyframe (IDR of its composite)
 *   engine 'dtmf' ──────────► conference.reportDtmf(…, 'rtp')
 *   engine 'active-speaker' ► conference.setActiveSpeaker
 *   engine 'video-keyframe-request' ► onVideoKeyframeRequest listeners (bridge asks the camera by signalling)
 */
import type { AudioLegParams, AudioLegStats, LegAllocation, MediaEngine, TonePrompt, VideoLegParams, VideoLegStats, VideoPayloadFormat } from '@mcu/media-mixer';
import { errorFields } from '../logging/logger';
import { MediaNotStartedError, ParticipantNotFoundError } from './conference-errors';
import type { ConferenceLogger, ConferenceManager } from './conference-manager';
import type { Room } from './room';


/** The media plane as the conference uses it (`MediaEngine` fits). */
export type ConferenceMediaEngine = Pick<
  MediaEngine,
  | 'allocateLeg'
  | 'startLeg'
  | 'updateLeg'
  | 'setMuted'
  | 'stats'
  | 'on'
  | 'supportsCodec'
  | 'startPrompt'
  | 'stopPrompt'
  | 'supportsVideoCodec'
  | 'startVideoLeg'
  | 'updateVideoLeg'
  | 'setDisplayName'
  | 'requestKeyframe'
  | 'videoStats'
  | 'setLayout'
  | 'clearLayout'
>;

/** One participant's audio leg. */
interface MediaLeg {
  readonly participantId: string;
  readonly roomId: string;
  readonly allocation: LegAllocation;
}

/** Media statistics of one participant, in REST terms (see `ParticipantStatsDto`). */
export interface ParticipantMediaStats {
  participantId: string;
  codec: string;
  payloadType: number;
  ptimeMs: number;
  direction: string;
  muted: boolean;
  held: boolean;
  /** RTP packets and payload octets received from / sent to the participant. */
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  /** Incoming packets lost, cumulative (RFC 3550 §A.3). */
  packetsLost: number;
  /** Incoming loss over the last RTCP interval, 0…1. */
  fractionLost: number;
  /** Interarrival jitter of the incoming stream, ms (RFC 3550 §A.8). */
  jitterMs: number;
  /** Round-trip time from RTCP SR/RR (RFC 3550 §6.4.1), ms; null until measured. */
  roundTripMs: number | null;
  /** The participant's RTCP report on what we send, once received: loss 0…1, cumulative lost, jitter ms. */
  remote: { fractionLost: number; packetsLost: number; jitterMs: number } | null;
  /** The participant's video leg; null when it has none (audio only, video declined or not yet negotiated). */
  video: ParticipantVideoStats | null;
}

/** Video statistics of one participant, in REST terms (see `ParticipantVideoStatsDto`). Rates over the last ~2 s. */
export interface ParticipantVideoStats {
  /** SDP encoding name (`H264`, `VP8`, `H263-1998`, …) and its payload type, both directions. */
  codec: string;
  payloadType: number;
  direction: string;
  /** Size of the composite sent to the participant, pixels. */
  width: number;
  height: number;
  /** Pictures per second received from the participant's camera / sent to it. */
  fpsIn: number;
  fpsOut: number;
  /** RTP payload bitrate in / out, bits/s. */
  bitrateIn: number;
  bitrateOut: number;
  /** RTP packets and payload octets received / sent. */
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  /** Incoming packets lost (sequence gaps), cumulative. */
  packetsLost: number;
  /** Key frames the MCU asked the participant's camera for (PLI/FIR, SIP INFO, H.245). */
  keyframesRequested: number;
  /** Key frames (IDR, VP8 key frame, INTRA picture) sent to the participant. */
  keyframesSent: number;
  /** Key frame requests the participant sent (PLI, FIR, SIP INFO picture_fast_update, H.245 videoFastUpdatePicture). */
  keyframeRequestsReceived: number;
  /** Pictures of the participant's camera that did not decode, plus malformed payloads. */
  decodeErrors: number;
  /** Restarts of the ffmpeg processes serving this participant. */
  processRestarts: number;
}

/** Wires the `ConferenceManager` to the `MediaEngine`. */
export class ConferenceMedia {
  private readonly legs = new Map<string, MediaLeg>();
  private readonly participantOfLeg = new Map<string, string>();
  private readonly videoLegs = new Map<string, MediaLeg>();
  private readonly participantOfVideoLeg = new Map<string, string>();
  private readonly keyframeListeners = new Set<(participantId: string) => void>();
  /** Rooms whose stored layout the engine has (set on boot, first join, or a change). */
  private readonly layoutsApplied = new Set<string>();
  private closed = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly conference: ConferenceManager,
    private readonly engine: ConferenceMediaEngine,
    private readonly logger: ConferenceLogger,
  ) {
    this.unsubscribe.push(
      conference.on('participant-muted', (p) => this.applyMute(p.id, p.muted)),
      conference.on('participant-left', (p) => this.release(p.id)),
      conference.on('participant-joined', (p) => this.loadLayout(p.roomId)),
      conference.on('room-created', (room) => this.applyLayout(room)),
      conference.on('room-layout', (room) => this.applyLayout(room)),
      conference.on('room-deleted', (room) => {
        this.layoutsApplied.delete(room.id);
        this.engine.clearLayout(room.id);
      }),
      engine.on('dtmf', (e) => {
        const participantId = this.participantOfLeg.get(e.legId);
        if (participantId !== undefined) conference.reportDtmf(participantId, e.digit, 'rtp');
      }),
      engine.on('active-speaker', (e) => {
        conference.setActiveSpeaker(e.roomId, e.legId === null ? null : (this.participantOfLeg.get(e.legId) ?? null));
      }),
      engine.on('video-keyframe-request', (e) => {
        const participantId = this.participantOfVideoLeg.get(e.legId);
        if (participantId !== undefined) this.emitKeyframeRequest(participantId);
      }),
    );
  }

  /**
   * Gives the media plane the stored layout of every room (at start-up; rooms joined later are loaded
   * on their first join anyway). Never rejects: a Redis failure is logged.
   */
  async loadLayouts(): Promise<void> {
    try {
      for (const room of await this.conference.listRooms()) if (!this.layoutsApplied.has(room.id)) this.applyLayout(room);
    } catch (err) {
      this.logger.warn({ ...errorFields(err) }, 'room layouts not loaded; each room gets its layout on its first join');
    }
  }

  /** Whether a codec can be negotiated (SDP encoding name: `PCMU`, `PCMA`, `G722`, `opus` with libopus). */
  supportsCodec(name: string): boolean {
    return this.engine.supportsCodec(name);
  }

  /**
   * RTP/RTCP ports for a leg about to be negotiated (before the SDP answer or OLC ack).
   * @throws PortRangeExhaustedError (`@mcu/media-mixer`) when MCU_RTP_PORT_MIN..MAX is used up: answer 503.
   */
  allocate(): Promise<LegAllocation> {
    return this.engine.allocateLeg();
  }

  /**
   * What the participant's signalling negotiated for its audio (first answer, re-INVITE, UPDATE):
   * starts the leg in the participant's room on the first call (muted if the participant already
   * is), updates it afterwards (hold/resume via `direction`, new address, codec or packet time).
   * Ignored (logged) for a participant no longer live.
   * @throws InvalidArgumentError / UnsupportedCodecError (`@mcu/media-mixer`) for parameters the media
   *   plane cannot run; the allocation stays held (released when the participant leaves).
   */
  connect(participantId: string, allocation: LegAllocation, params: AudioLegParams): void {
    const participant = this.conference.findParticipant(participantId);
    if (participant === undefined) {
      this.logger.debug({ participantId }, 'negotiated media for a participant no longer in the roster');
      return;
    }
    const existing = this.legs.get(participantId);
    if (existing !== undefined && existing.allocation.legId === allocation.legId) {
      this.engine.updateLeg(allocation.legId, params);
      this.logger.info({ participantId, legId: allocation.legId, direction: params.direction, codec: params.codec }, 'media leg updated');
      return;
    }
    if (existing !== undefined) this.release(participantId);
    this.engine.startLeg(participant.roomId, allocation, params);
    this.legs.set(participantId, { participantId, roomId: participant.roomId, allocation });
    this.participantOfLeg.set(allocation.legId, participantId);
    this.engine.setDisplayName(allocation.legId, participant.displayName);
    if (participant.muted) this.applyMute(participantId, true);
  }

  /** Whether a video payload format can be negotiated (ffmpeg found at start-up and its build encodes it). */
  supportsVideoCodec(format: VideoPayloadFormat): boolean {
    return this.engine.supportsVideoCodec(format);
  }

  /**
   * What the participant's signalling negotiated for its video (SDP m=video, RFC 3264; H.323 video
   * OpenLogicalChannels, H.245 §8.4) on `allocation` (a port pair from `allocate`, separate from the
   * audio leg's): starts the video leg in the participant's room on the first call — labelled with the
   * display name and paired with the audio leg when that one runs — and updates it afterwards (hold,
   * resume, new address, codec, bitrate). A different allocation replaces the previous video leg.
   * Ignored (logged) for a participant no longer live.
   * @throws FfmpegNotFoundError when the MCU runs without video; UnsupportedCodecError /
   *   InvalidArgumentError (`@mcu/media-mixer`) for parameters the pipeline cannot run. The allocation
   *   stays held (released when the participant leaves).
   */
  connectVideo(participantId: string, allocation: LegAllocation, params: VideoLegParams): void {
    const participant = this.conference.findParticipant(participantId);
    if (participant === undefined) {
      this.logger.debug({ participantId }, 'negotiated video for a participant no longer in the roster');
      return;
    }
    const existing = this.videoLegs.get(participantId);
    if (existing !== undefined && existing.allocation.legId === allocation.legId) {
      this.engine.updateVideoLeg(allocation.legId, params);
      this.logger.info({ participantId, legId: allocation.legId, direction: params.direction, codec: params.codec }, 'video leg updated');
      return;
    }
    if (existing !== undefined) this.releaseVideo(participantId);
    const audioLegId = this.legs.get(participantId)?.allocation.legId;
    this.engine.startVideoLeg(participant.roomId, allocation, params, { displayName: participant.displayName, ...(audioLegId === undefined ? {} : { audioLegId }) });
    this.videoLegs.set(participantId, { participantId, roomId: participant.roomId, allocation });
    this.participantOfVideoLeg.set(allocation.legId, participantId);
  }

  /**
   * The participant's signalling declined video (m=video with port 0, channels closed): its video leg,
   * if started, goes `inactive` (its camera leaves the composite, nothing is sent); the ports stay held.
   */
  suspendVideo(participantId: string): void {
    const leg = this.videoLegs.get(participantId);
    if (leg === undefined) return;
    try {
      this.engine.updateVideoLeg(leg.allocation.legId, { direction: 'inactive' });
      this.logger.info({ participantId, legId: leg.allocation.legId }, 'video leg suspended');
    } catch (err) {
      this.logger.warn({ participantId, ...errorFields(err) }, 'video leg not suspended');
    }
  }

  /** Whether the participant's video leg runs. */
  hasVideo(participantId: string): boolean {
    return this.videoLegs.has(participantId);
  }

  /**
   * The participant asked for a key frame of the composite it receives (SIP INFO picture_fast_update,
   * RFC 5168; H.245 videoFastUpdatePicture): its encoder emits an IDR within 500 ms, at most one per
   * second per encoder. Ignored without a video leg.
   */
  requestKeyframe(participantId: string): void {
    const leg = this.videoLegs.get(participantId);
    if (leg === undefined) {
      this.logger.debug({ participantId }, 'key frame request from a participant without video ignored');
      return;
    }
    this.engine.requestKeyframe(leg.allocation.legId);
  }

  /**
   * Calls `listener(participantId)` whenever the room needs a key frame from that participant's camera
   * (its stream starts, loses packets, changes SSRC or does not decode; repeated with backoff until one
   * decodes). RTCP PLI/FIR has already been sent where the leg allows it; the bridge adds SIP INFO or
   * H.245 videoFastUpdatePicture where the endpoint relies on those. Returns the unsubscribe.
   */
  onVideoKeyframeRequest(listener: (participantId: string) => void): () => void {
    this.keyframeListeners.add(listener);
    return () => {
      this.keyframeListeners.delete(listener);
    };
  }

  /**
   * A tone for a caller that is connected but not yet in a room (an H.323 caller keying the room PIN):
   * sent on the negotiated `params` until `connect` on the same allocation carries the leg into the
   * room (same ports), `stopPrompt`, or the allocation's release.
   * @throws InvalidArgumentError / UnsupportedCodecError (`@mcu/media-mixer`) for parameters or a tone the
   *   media plane cannot run, or an allocation already started; the allocation stays held.
   */
  prompt(allocation: LegAllocation, params: AudioLegParams, tone: TonePrompt): void {
    this.engine.startPrompt(allocation, params, tone);
    this.logger.info({ legId: allocation.legId, codec: params.codec }, 'prompt tone started');
  }

  /** Ends the tone `prompt` started (RTCP BYE); the ports stay held. No-op without one. */
  stopPrompt(allocation: LegAllocation): void {
    this.engine.stopPrompt(allocation.legId).catch((err: unknown) => this.logger.warn({ legId: allocation.legId, ...errorFields(err) }, 'prompt tone not stopped cleanly'));
  }

  /**
   * The participant's signalling declined audio (m-line with port 0) or negotiated something the
   * mixer cannot run: its leg, if started, goes `inactive` (neither sent to nor mixed).
   */
  suspend(participantId: string): void {
    const leg = this.legs.get(participantId);
    if (leg === undefined) return;
    this.engine.updateLeg(leg.allocation.legId, { direction: 'inactive' });
    this.logger.info({ participantId, legId: leg.allocation.legId }, 'media leg suspended');
  }

  /** Whether the participant's audio leg runs. */
  hasMedia(participantId: string): boolean {
    return this.legs.has(participantId);
  }

  /**
   * RTP/RTCP statistics of a live participant's audio.
   * @throws ParticipantNotFoundError (404) when it is not live in `roomId`; MediaNotStartedError (409)
   *   while it has no media yet (lobby, offer/answer not complete).
   */
  stats(roomId: string, participantId: string): ParticipantMediaStats {
    const leg = this.legs.get(participantId);
    if (this.conference.findParticipant(participantId)?.roomId !== roomId) throw new ParticipantNotFoundError(participantId, roomId);
    if (leg === undefined) throw new MediaNotStartedError(participantId);
    return { ...toParticipantStats(participantId, this.engine.stats(leg.allocation.legId)), video: this.videoStatsOf(participantId) };
  }

  /** Stops every leg's bookkeeping and unsubscribes (the engine itself is closed by its module). */
  close(): void {
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    this.keyframeListeners.clear();
    for (const id of [...this.videoLegs.keys()]) this.releaseVideo(id);
    for (const id of [...this.legs.keys()]) this.release(id);
  }

  private applyLayout(room: Room): void {
    if (this.closed) return;
    try {
      this.engine.setLayout(room.id, { layout: room.layout, selfView: room.selfView });
      this.layoutsApplied.add(room.id);
      this.logger.info({ roomId: room.id, layout: room.layout, selfView: room.selfView }, 'room layout applied');
    } catch (err) {
      this.logger.warn({ roomId: room.id, layout: room.layout, ...errorFields(err) }, 'room layout not applied');
    }
  }

  /** Fetches the room's layout unless the engine already has it (a change meanwhile wins over the fetch). */
  private loadLayout(roomId: string): void {
    if (this.layoutsApplied.has(roomId)) return;
    this.conference.getRoom(roomId).then(
      (room) => {
        if (!this.layoutsApplied.has(roomId)) this.applyLayout(room);
      },
      (err: unknown) => this.logger.warn({ roomId, ...errorFields(err) }, 'room layout not loaded'),
    );
  }

  private emitKeyframeRequest(participantId: string): void {
    for (const listener of [...this.keyframeListeners]) {
      try {
        listener(participantId);
      } catch (err) {
        this.logger.warn({ participantId, ...errorFields(err) }, 'video key frame request listener threw');
      }
    }
  }

  private videoStatsOf(participantId: string): ParticipantVideoStats | null {
    const leg = this.videoLegs.get(participantId);
    if (leg === undefined) return null;
    try {
      return toVideoStats(this.engine.videoStats(leg.allocation.legId));
    } catch (err) {
      this.logger.debug({ participantId, ...errorFields(err) }, 'video statistics unavailable');
      return null;
    }
  }

  private applyMute(participantId: string, muted: boolean): void {
    const leg = this.legs.get(participantId);
    if (leg === undefined) return;
    try {
      this.engine.setMuted(leg.allocation.legId, muted);
    } catch (err) {
      this.logger.warn({ participantId, muted, ...errorFields(err) }, 'mute not applied to the media leg');
    }
  }

  private releaseVideo(participantId: string): void {
    const leg = this.videoLegs.get(participantId);
    if (leg === undefined) return;
    this.videoLegs.delete(participantId);
    this.participantOfVideoLeg.delete(leg.allocation.legId);
    leg.allocation.release();
  }

  private release(participantId: string): void {
    this.releaseVideo(participantId);
    const leg = this.legs.get(participantId);
    if (leg === undefined) return;
    this.legs.delete(participantId);
    this.participantOfLeg.delete(leg.allocation.legId);
    leg.allocation.release();
  }
}

function toVideoStats(s: VideoLegStats): ParticipantVideoStats {
  return {
    codec: s.codec,
    payloadType: s.payloadType,
    direction: s.direction,
    width: s.width,
    height: s.height,
    fpsIn: s.fpsIn,
    fpsOut: s.fpsOut,
    bitrateIn: s.bitrateInBps,
    bitrateOut: s.bitrateOutBps,
    packetsIn: s.packetsIn,
    bytesIn: s.bytesIn,
    packetsOut: s.packetsOut,
    bytesOut: s.bytesOut,
    packetsLost: s.packetsLost,
    keyframesRequested: s.keyframesRequested,
    keyframesSent: s.keyframesSent,
    keyframeRequestsReceived: s.keyframeRequestsReceived,
    decodeErrors: s.decodeErrors,
    processRestarts: s.processRestarts,
  };
}

function toParticipantStats(participantId: string, s: AudioLegStats): Omit<ParticipantMediaStats, 'video'> {
  return {
    participantId,
    codec: s.codec,
    payloadType: s.payloadType,
    ptimeMs: s.ptimeMs,
    direction: s.direction,
    muted: s.muted,
    held: s.held,
    packetsIn: s.packetsIn,
    bytesIn: s.bytesIn,
    packetsOut: s.packetsOut,
    bytesOut: s.bytesOut,
    packetsLost: s.lost,
    fractionLost: s.fractionLost,
    jitterMs: s.jitterMs,
    roundTripMs: s.rttMs ?? null,
    remote: s.remote === undefined ? null : { fractionLost: s.remote.fractionLost, packetsLost: s.remote.cumulativeLost, jitterMs: s.remote.jitterMs },
  };
}
