/**
 * The media plane's facade: RTP ports for call legs, rooms of mixed audio, leg renegotiation, mute,
 * DTMF, statistics and room events. Signalling-agnostic: it knows RTP addresses, payload types and
 * codecs, never SIP or H.323. The signalling side allocates a leg's ports before answering (so the
 * port can go into its SDP answer or H.245 OpenLogicalChannelAck), then starts the leg with what
 * was negotiated.
 *
 * Ownership: engine → rooms → legs → RTP endpoints → port pairs; closing a parent closes its
 * children. A room exists while it has legs.
 */
import { randomUUID } from 'node:crypto';
import { type AudioCodecFactory, type AudioLegStats } from './audio/audio-leg';
import type { AudioLegParams } from './audio/audio-leg-params';
import { MIXER_SAMPLE_RATE } from './audio/audio-mixer';
import { createAudioCodec } from './audio/codec-registry';
import type { FrameClockOptions, TimerScheduler } from './audio/frame-clock';
import type { OpusBinding } from './audio/opus-codec';
import type { ActiveSpeakerOptions } from './audio/active-speaker';
import { RoomAudio, type RoomAudioTickStats } from './audio/room-audio';
import { PromptLeg } from './audio/prompt-leg';
import type { TonePrompt } from './audio/tone-source';
import { InvalidArgumentError, MediaMixerError, UnsupportedCodecError } from './errors';
import { type MediaLogger, silentMediaLogger } from './media-logger';
import type { JitterBufferOptions } from './rtp/jitter-buffer';
import { PortAllocator, type RtpPortPair } from './rtp/port-allocator';
import { type Listener, TypedEvents } from './typed-events';
import { Compositor } from './video/compose/compositor';
import { LabelRenderer } from './video/compose/label-renderer';
import type { FfmpegCapabilities, LocatedFfmpeg } from './video/ffmpeg-locator';
import { LAYOUT_NAMES } from './video/layout';
import { VideoRoom, type VideoRoomStats } from './video/room/video-room';
import { FfmpegNotFoundError } from './video/video-errors';
import {
  DEFAULT_ROOM_LAYOUT,
  type RoomLayoutSettings,
  type VideoLegParams,
  type VideoLegStats,
  type VideoPayloadFormat,
  videoPayloadFormat,
} from './video/video-leg-params';

/** Creates a libopus encoder/decoder pair, mono, at `sampleRate` Hz (one per leg and direction). */
export type OpusBindingFactory = (sampleRate: number) => OpusBinding;

/** Options of a `MediaEngine`. */
export interface MediaEngineOptions {
  /** Lowest RTP port (`MCU_RTP_PORT_MIN`), inclusive. */
  portMin: number;
  /** Highest RTP/RTCP port (`MCU_RTP_PORT_MAX`), inclusive. */
  portMax: number;
  /** Address the RTP sockets bind on (`0.0.0.0` for all interfaces). */
  host: string;
  /** Address the signalling layer advertises in SDP `c=` (`MCU_PUBLIC_IP`); also our RTCP CNAME's host. */
  publicAddress: string;
  logger?: MediaLogger;
  /**
   * libopus for Opus legs (one binding per leg direction, hence a factory). Without it an `opus` leg
   * fails at `startLeg` with UnsupportedCodecError, and `supportsCodec('opus')` is false.
   */
  opus?: OpusBindingFactory;
  /** Jitter buffer bounds, ms (default 20–200, starting at 40). */
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'initialDelayMs'>;
  /** Fixed RTCP report interval, ms (default: RFC 3550 §6.3.1, about 5 s). */
  rtcpIntervalMs?: number;
  /** Active-speaker tuning (default: 1 s to take the floor, gate −45 dBFS). */
  activeSpeaker?: Omit<ActiveSpeakerOptions, 'frameMs'>;
  /** Monotonic ms (tests). */
  clock?: () => number;
  /** Frame clock time source and timers (tests). */
  frameClock?: Pick<FrameClockOptions, 'now' | 'timers'>;
  /** RTCP timers (tests). */
  rtcpTimers?: TimerScheduler;
  /**
   * The video pipeline's ffmpeg (located once at start-up by `FfmpegLocator`). Without it every
   * `startVideoLeg` throws FfmpegNotFoundError and `supportsVideoCodec` is false: audio still works.
   */
  video?: {
    ffmpeg: LocatedFfmpeg;
    capabilities: FfmpegCapabilities;
    /** TrueType font for the name labels (`findFontFile`); no font, no labels. */
    fontFile?: string;
  };
  /** Why video is unavailable (the locator's FfmpegNotFoundError), thrown again by `startVideoLeg`. */
  videoUnavailable?: Error;
}

/** Ports held for a leg between the offer/answer and `startLeg`. */
export interface LegAllocation {
  /** The leg's id in the engine (events and statistics name legs by it). */
  readonly legId: string;
  /** Address for the SDP `c=` line (the engine's `publicAddress`). */
  readonly localAddress: string;
  /** Even RTP port for the SDP `m=` line. */
  readonly localPort: number;
  /** RTCP port (`localPort + 1`, RFC 3550 §11); unused with rtcp-mux. */
  readonly localRtcpPort: number;
  /** Gives the ports back; after `startLeg` it stops the leg like `stopLeg`. Safe to call twice. */
  release(): void;
}

/** Events of the engine, each naming its room. */
export interface MediaEngineEvents {
  /** A DTMF digit received as RFC 4733 events, once per key press. */
  dtmf: { roomId: string; legId: string; digit: string; durationMs: number };
  /** The room's active speaker changed (dominated ≥ 1 s), or the floor emptied (null). */
  'active-speaker': { roomId: string; legId: string | null };
  /**
   * The MCU needs a key frame from this video leg's sender (start, loss, SSRC change, undecodable
   * picture), repeated with backoff until one decodes. The engine has already sent RTCP PLI/FIR
   * where the leg allows it; the signalling side also sends H.245 videoFastUpdatePicture (H.323) or
   * SIP INFO picture_fast_update where the endpoint relies on those.
   */
  'video-keyframe-request': { roomId: string; legId: string };
}

interface LegEntry {
  pair: RtpPortPair;
  roomId?: string;
  /** Started as a video leg (`startVideoLeg`). */
  video?: boolean;
  /** The tone the leg hears before it is started in a room. */
  prompt?: PromptLeg;
}

/** The media plane of the MCU. */
export class MediaEngine {
  /** The address to advertise in SDP. */
  readonly publicAddress: string;
  private readonly allocator: PortAllocator;
  private readonly logger: MediaLogger;
  private readonly events: TypedEvents<MediaEngineEvents>;
  private readonly legs = new Map<string, LegEntry>();
  private readonly rooms = new Map<string, RoomAudio>();
  private readonly videoRooms = new Map<string, VideoRoom>();
  private readonly layouts = new Map<string, RoomLayoutSettings>();
  private readonly displayNames = new Map<string, string>();
  private labels: LabelRenderer | undefined;
  private readonly codecFactory: AudioCodecFactory;
  private closing: Promise<void> | undefined;

  /** @throws InvalidArgumentError for an invalid port range. */
  constructor(private readonly opts: MediaEngineOptions) {
    this.publicAddress = opts.publicAddress;
    this.allocator = new PortAllocator({ min: opts.portMin, max: opts.portMax, host: opts.host });
    this.logger = opts.logger ?? silentMediaLogger;
    this.events = new TypedEvents<MediaEngineEvents>(this.logger);
    this.codecFactory = (p) => {
      const codec = createAudioCodec(p.codec, p.clockRate, { opusBinding: opts.opus, opusSampleRate: MIXER_SAMPLE_RATE });
      if (codec) return codec;
      throw new UnsupportedCodecError(p.codec, p.codec === 'opus' && !opts.opus ? 'no Opus binding configured' : `no implementation at ${p.clockRate} Hz`);
    };
  }

  /** Subscribes to an event; returns the function that unsubscribes. Listener errors are logged. */
  on<K extends keyof MediaEngineEvents>(name: K, listener: Listener<MediaEngineEvents, K>): () => void {
    return this.events.on(name, listener);
  }

  /** Removes a listener. */
  off<K extends keyof MediaEngineEvents>(name: K, listener: Listener<MediaEngineEvents, K>): void {
    this.events.off(name, listener);
  }

  /** Whether a codec can be negotiated (`PCMU`, `PCMA`, `G722` always; `opus` with a binding). */
  supportsCodec(name: string): boolean {
    const upper = name.toUpperCase();
    return upper === 'PCMU' || upper === 'PCMA' || upper === 'G722' || (upper === 'OPUS' && this.opts.opus !== undefined);
  }

  /**
   * Binds an RTP/RTCP port pair for a leg about to be negotiated.
   * @param options.legId the id to give the leg (default a random UUID).
   * @throws PortRangeExhaustedError when no pair is free (answer the call with 503).
   * @throws InvalidArgumentError for a leg id already in use; MediaMixerError after `close()`.
   */
  async allocateLeg(options: { legId?: string } = {}): Promise<LegAllocation> {
    this.assertOpen();
    const legId = options.legId ?? randomUUID();
    if (this.legs.has(legId)) throw new InvalidArgumentError(`Leg id ${legId} is in use`);
    const pair = await this.allocator.allocatePair();
    if (this.closing || this.legs.has(legId)) {
      pair.release();
      this.assertOpen();
      throw new InvalidArgumentError(`Leg id ${legId} is in use`);
    }
    pair.rtp.on('error', (err) => this.logger.warn({ legId, err: err.message }, 'RTP socket error'));
    pair.rtcp.on('error', (err) => this.logger.warn({ legId, err: err.message }, 'RTCP socket error'));
    const entry: LegEntry = { pair };
    this.legs.set(legId, entry);
    return {
      legId,
      localAddress: this.publicAddress,
      localPort: pair.rtpPort,
      localRtcpPort: pair.rtcpPort,
      release: () => {
        if (this.legs.get(legId) === entry) void this.stopLeg(legId);
      },
    };
  }

  /**
   * Starts media on an allocated leg in a room (created on first use): RTP to and from the remote,
   * mixing from the next 20 ms tick.
   * @returns the leg id.
   * @throws InvalidArgumentError for an allocation not (or no longer) held, a leg already started, or
   *   invalid parameters (the field is named); UnsupportedCodecError (e.g. Opus without a binding).
   *   The allocation stays held after a throw: release it or retry.
   */
  startLeg(roomId: string, allocation: LegAllocation, params: AudioLegParams): string {
    this.assertOpen();
    const entry = this.legs.get(allocation.legId);
    if (!entry || entry.pair.rtpPort !== allocation.localPort) throw new InvalidArgumentError(`Allocation ${allocation.legId} is not held`);
    if (entry.roomId !== undefined) throw new InvalidArgumentError(`Leg ${allocation.legId} already started in room ${entry.roomId}`);
    const existing = this.rooms.get(roomId);
    const room = existing ?? this.newRoom(roomId);
    const prompt = entry.prompt;
    // The prompt's endpoint leaves the sockets synchronously; its BYE is still in flight on them.
    if (prompt) void prompt.close('joining the room');
    entry.prompt = undefined;
    try {
      room.addLeg(allocation.legId, entry.pair, params);
    } catch (err) {
      if (!existing) void room.close();
      throw err;
    }
    if (!existing) this.rooms.set(roomId, room);
    entry.roomId = roomId;
    this.logger.info({ roomId, legId: allocation.legId, codec: params.codec, ptimeMs: params.ptimeMs, direction: params.direction }, 'media leg started');
    return allocation.legId;
  }

  /**
   * Plays a generated tone to an allocated leg that is not in a room yet (e.g. while its caller keys a
   * PIN): RTP with `params`' codec, every 20 ms; what the remote sends is received (RFC 4733 digits
   * become `dtmf` events with roomId `''`) but mixed nowhere. A later `startLeg` on the same allocation
   * ends the tone and carries the leg into its room on the same ports (new SSRC after an RTCP BYE,
   * RFC 3550 §6.6); `stopPrompt`/`stopLeg`/`release` end it too. A second call replaces the tone.
   * @throws InvalidArgumentError for an allocation not held, a leg already in a room, invalid
   *   parameters or an impossible tone; UnsupportedCodecError. The allocation stays held after a throw.
   */
  startPrompt(allocation: LegAllocation, params: AudioLegParams, prompt: TonePrompt): void {
    this.assertOpen();
    const entry = this.legs.get(allocation.legId);
    if (!entry || entry.pair.rtpPort !== allocation.localPort) throw new InvalidArgumentError(`Allocation ${allocation.legId} is not held`);
    if (entry.roomId !== undefined) throw new InvalidArgumentError(`Leg ${allocation.legId} already started in room ${entry.roomId}`);
    const legId = allocation.legId;
    if (entry.prompt) void entry.prompt.close('prompt replaced');
    entry.prompt = undefined;
    entry.prompt = new PromptLeg({
      legId,
      pair: entry.pair,
      params,
      prompt,
      codecFactory: this.codecFactory,
      mixerRate: MIXER_SAMPLE_RATE,
      cname: `tessera@${this.publicAddress}`,
      logger: this.logger,
      clock: this.opts.clock,
      frameClock: this.opts.frameClock,
      rtcpTimers: this.opts.rtcpTimers,
      rtcpIntervalMs: this.opts.rtcpIntervalMs,
      jitter: this.opts.jitter,
      onDtmf: (digit, durationMs) => this.events.emit('dtmf', { roomId: '', legId, digit, durationMs }),
    });
    this.logger.info({ legId, codec: params.codec, frequencies: prompt.frequencies }, 'prompt tone started');
  }

  /** Ends a leg's prompt tone (RTCP BYE); the ports stay held. No-op without a prompt. */
  async stopPrompt(legId: string): Promise<void> {
    const entry = this.legs.get(legId);
    const prompt = entry?.prompt;
    if (!entry || !prompt) return;
    entry.prompt = undefined;
    await prompt.close();
  }

  /** Whether the leg is hearing a prompt tone. */
  isPrompting(legId: string): boolean {
    return this.legs.get(legId)?.prompt !== undefined;
  }

  /**
   * Renegotiates a started leg (re-INVITE / UPDATE): any subset of the parameters.
   * @throws InvalidArgumentError for an unknown leg or invalid parameters; UnsupportedCodecError.
   */
  updateLeg(legId: string, changes: Partial<AudioLegParams>): void {
    this.roomOf(legId).updateLeg(legId, changes);
  }

  /**
   * Ends a leg: RTCP BYE, ports released; the room closes with its last leg. Works on allocated
   * legs that never started. Unknown ids resolve at once.
   */
  async stopLeg(legId: string, reason?: string): Promise<void> {
    const entry = this.legs.get(legId);
    if (!entry) return;
    this.legs.delete(legId);
    this.displayNames.delete(legId);
    if (entry.video) {
      const videoRoom = entry.roomId === undefined ? undefined : this.videoRooms.get(entry.roomId);
      if (!videoRoom) {
        entry.pair.release();
        return;
      }
      this.logger.info({ roomId: videoRoom.roomId, legId }, 'video leg stopped');
      const removed = videoRoom.removeLeg(legId, reason);
      if (videoRoom.size === 0 && this.videoRooms.get(videoRoom.roomId) === videoRoom) {
        this.videoRooms.delete(videoRoom.roomId);
        await Promise.all([removed, videoRoom.close()]);
        return;
      }
      await removed;
      return;
    }
    const room = entry.roomId === undefined ? undefined : this.rooms.get(entry.roomId);
    if (!room) {
      const prompt = entry.prompt;
      entry.prompt = undefined;
      if (prompt) await prompt.close(reason);
      entry.pair.release();
      return;
    }
    const s = room.stats(legId);
    this.logger.info(
      { roomId: room.roomId, legId, packetsIn: s.packetsIn, packetsOut: s.packetsOut, lost: s.lost, jitterMs: s.jitterMs, malformed: s.malformed, foreign: s.foreign },
      'media leg stopped',
    );
    const removed = room.removeLeg(legId, reason);
    if (room.size === 0 && this.rooms.get(room.roomId) === room) {
      this.rooms.delete(room.roomId);
      await Promise.all([removed, room.close()]);
      return;
    }
    await removed;
  }

  /**
   * Server-side mute: removes/restores the leg's audio in everyone's mix from the next tick.
   * @throws InvalidArgumentError for an unknown or not started leg.
   */
  setMuted(legId: string, muted: boolean): void {
    this.roomOf(legId).setMuted(legId, muted);
  }

  /**
   * Sends a DTMF digit to a leg as RFC 4733 events.
   * @param durationMs 40 ms up to 0xFFFF RTP units (8.19 s at 8 kHz, 1.36 s for Opus at 48 kHz).
   * @throws InvalidArgumentError for an unknown leg, no negotiated telephone-event, a bad digit or duration.
   */
  sendDtmf(legId: string, digit: string, durationMs: number): void {
    this.roomOf(legId).sendDtmf(legId, digit, durationMs);
  }

  /**
   * Statistics of a started leg.
   * @throws InvalidArgumentError for an unknown or not started leg.
   */
  stats(legId: string): AudioLegStats {
    return this.roomOf(legId).stats(legId);
  }

  /** The room's active speaker (leg id), or null; null for an unknown room. */
  activeSpeaker(roomId: string): string | null {
    return this.rooms.get(roomId)?.activeSpeaker ?? null;
  }

  /** Tick counters of a room's frame clock (ticks, skipped after stalls, caught errors); undefined for an unknown room. */
  roomStats(roomId: string): RoomAudioTickStats | undefined {
    return this.rooms.get(roomId)?.tickStats();
  }

  /** Ids of the rooms with legs. */
  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  /** Ids of the started legs of a room (empty for an unknown room). */
  legsOf(roomId: string): string[] {
    return this.rooms.get(roomId)?.legIds() ?? [];
  }

  /**
   * Whether a video payload format can be negotiated: ffmpeg was found and its build has the
   * encoder (libx264 for H264, libvpx for VP8, h263p for H263-1998/2000, h263 for H263, h261 for H261).
   */
  supportsVideoCodec(format: VideoPayloadFormat): boolean {
    const video = this.opts.video;
    if (!video) return false;
    const encoders = video.capabilities.videoEncoders;
    switch (videoPayloadFormat(String(format))) {
      case 'H264':
        return encoders.libx264;
      case 'VP8':
        return encoders.libvpx;
      case 'H263-1998':
      case 'H263-2000':
        return encoders.h263p;
      case 'H263':
        return encoders.h263;
      case 'H261':
        return encoders.h261;
      default:
        return false;
    }
  }

  /**
   * Starts a video leg on an allocated port pair in a room (created on first use): the remote's
   * camera becomes a tile of the room's composite, and the remote receives the composite in
   * `params.codec` (docs/video-pipeline.md). `options.audioLegId` pairs it with the participant's
   * audio leg (active speaker, one tile per participant); `options.displayName` labels the tile.
   * @returns the leg id.
   * @throws FfmpegNotFoundError when no usable ffmpeg was found at start-up (the message names
   *   FFMPEG_PATH, ffmpeg-static and PATH); UnsupportedCodecError for a format this ffmpeg cannot
   *   encode; InvalidArgumentError as `startLeg`. The allocation stays held after a throw.
   */
  startVideoLeg(roomId: string, allocation: LegAllocation, params: VideoLegParams, options: { displayName: string; audioLegId?: string }): string {
    this.assertOpen();
    const video = this.opts.video;
    if (!video) throw this.opts.videoUnavailable ?? new FfmpegNotFoundError([]);
    if (!this.supportsVideoCodec(params.codec)) {
      throw new UnsupportedCodecError(String(params.codec), `video leg ${allocation.legId}: this ffmpeg has no encoder for it`);
    }
    const entry = this.legs.get(allocation.legId);
    if (!entry || entry.pair.rtpPort !== allocation.localPort) throw new InvalidArgumentError(`Allocation ${allocation.legId} is not held`);
    if (entry.roomId !== undefined) throw new InvalidArgumentError(`Leg ${allocation.legId} already started in room ${entry.roomId}`);
    const prompt = entry.prompt;
    if (prompt) void prompt.close('video leg started');
    entry.prompt = undefined;
    const existing = this.videoRooms.get(roomId);
    const room = existing ?? this.newVideoRoom(roomId, video.ffmpeg.path, video.fontFile);
    try {
      room.addLeg(allocation.legId, entry.pair, params, { audioLegId: options.audioLegId });
    } catch (err) {
      if (!existing) void room.close();
      throw err;
    }
    if (!existing) this.videoRooms.set(roomId, room);
    entry.roomId = roomId;
    entry.video = true;
    if (options.displayName) this.displayNames.set(allocation.legId, options.displayName);
    this.logger.info(
      { roomId, legId: allocation.legId, codec: params.codec, payloadType: params.payloadType, direction: params.direction, audioLegId: options.audioLegId },
      'video leg started',
    );
    return allocation.legId;
  }

  /**
   * Renegotiates a started video leg (re-INVITE, new OLC): any subset of the parameters.
   * @throws InvalidArgumentError for an unknown leg or invalid parameters; UnsupportedCodecError.
   */
  updateVideoLeg(legId: string, changes: Partial<VideoLegParams>): void {
    const room = this.videoRoomOf(legId);
    if (changes.codec !== undefined && !this.supportsVideoCodec(changes.codec)) {
      throw new UnsupportedCodecError(String(changes.codec), `video leg ${legId}: this ffmpeg has no encoder for it`);
    }
    room.updateLeg(legId, changes);
  }

  /**
   * The room's layout; kept for a room that has no legs yet, applied from the next video frame.
   * Default `DEFAULT_ROOM_LAYOUT` (`auto`, no self view).
   * @throws InvalidArgumentError for an unknown layout name.
   */
  setLayout(roomId: string, settings: RoomLayoutSettings): void {
    if (!LAYOUT_NAMES.includes(settings?.layout)) {
      throw new InvalidArgumentError(`Unknown layout ${JSON.stringify(settings?.layout)}; use one of ${LAYOUT_NAMES.join(', ')}`);
    }
    if (settings.selfView !== undefined && typeof settings.selfView !== 'boolean') throw new InvalidArgumentError('selfView must be a boolean');
    this.layouts.set(roomId, { layout: settings.layout, selfView: settings.selfView ?? false });
  }

  /** The room's layout (the default for a room never set). */
  layoutOf(roomId: string): RoomLayoutSettings {
    return { ...(this.layouts.get(roomId) ?? DEFAULT_ROOM_LAYOUT) };
  }

  /** Forgets a room's layout (the room was deleted). */
  clearLayout(roomId: string): void {
    this.layouts.delete(roomId);
  }

  /**
   * The name drawn on the tile of a leg (audio or video; an audio-only participant's placeholder
   * carries it). A video leg and the audio leg it is paired with share the name. Unknown legs are ignored.
   */
  setDisplayName(legId: string, displayName: string): void {
    const entry = this.legs.get(legId);
    if (!entry || typeof displayName !== 'string') return;
    this.displayNames.set(legId, displayName);
    for (const room of this.videoRooms.values()) {
      const paired = room.videoLegOfAudio(legId);
      if (paired !== undefined) this.displayNames.set(paired, displayName);
    }
  }

  /**
   * A video receiver asked for a key frame through signalling (SIP INFO picture_fast_update, H.245
   * videoFastUpdatePicture): its encoder emits an IDR within 500 ms, at most one per second per encoder.
   * Unknown or audio legs are ignored.
   */
  requestKeyframe(legId: string): void {
    const entry = this.legs.get(legId);
    if (!entry?.video || entry.roomId === undefined) return;
    this.videoRooms.get(entry.roomId)?.requestKeyframe(legId);
  }

  /**
   * Statistics of a started video leg.
   * @throws InvalidArgumentError for an unknown or not started video leg.
   */
  videoStats(legId: string): VideoLegStats {
    return this.videoRoomOf(legId).stats(legId);
  }

  /** Counters of a room's video (ticks, encoders and decoders running); undefined for a room without video. */
  videoRoomStats(roomId: string): VideoRoomStats | undefined {
    return this.videoRooms.get(roomId)?.roomStats();
  }

  /** Port pairs held and the range's capacity (health reporting). */
  portUsage(): { inUse: number; capacity: number } {
    return { inUse: this.allocator.inUse(), capacity: this.allocator.capacity() };
  }

  /** Stops every leg and room and releases every port. Idempotent; later calls return the same promise. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        await Promise.all([...this.legs.keys()].map((id) => this.stopLeg(id, 'MCU shutting down')));
        await Promise.all([...this.rooms.values()].map((room) => room.close()));
        await Promise.all([...this.videoRooms.values()].map((room) => room.close()));
        this.rooms.clear();
        this.videoRooms.clear();
        await this.labels?.close();
        this.labels = undefined;
        this.events.clear();
      })();
    }
    return this.closing;
  }

  private newRoom(roomId: string): RoomAudio {
    const room = new RoomAudio({
      roomId,
      codecFactory: this.codecFactory,
      cname: `tessera@${this.publicAddress}`,
      logger: this.logger,
      clock: this.opts.clock,
      frameClock: this.opts.frameClock,
      rtcpTimers: this.opts.rtcpTimers,
      rtcpIntervalMs: this.opts.rtcpIntervalMs,
      jitter: this.opts.jitter,
      activeSpeaker: this.opts.activeSpeaker,
    });
    room.events.on('dtmf', (e) => this.events.emit('dtmf', { roomId, ...e }));
    room.events.on('active-speaker', (e) => this.events.emit('active-speaker', { roomId, ...e }));
    return room;
  }

  private newVideoRoom(roomId: string, ffmpegPath: string, fontFile: string | undefined): VideoRoom {
    this.labels ??= new LabelRenderer({ ffmpegPath, fontFile, logger: this.logger });
    const room = new VideoRoom({
      roomId,
      ffmpegPath,
      composer: new Compositor({ labels: this.labels }),
      cname: `tessera@${this.publicAddress}`,
      logger: this.logger,
      audioLegs: () => this.rooms.get(roomId)?.legIds() ?? [],
      activeSpeaker: () => this.rooms.get(roomId)?.activeSpeaker ?? null,
      displayName: (legId) => this.displayNames.get(legId),
      layout: () => this.layouts.get(roomId) ?? DEFAULT_ROOM_LAYOUT,
      onKeyframeRequestSent: (legId) => this.events.emit('video-keyframe-request', { roomId, legId }),
      clock: this.opts.clock,
      frameClock: this.opts.frameClock,
      rtcpTimers: this.opts.rtcpTimers,
      rtcpIntervalMs: this.opts.rtcpIntervalMs,
    });
    return room;
  }

  private videoRoomOf(legId: string): VideoRoom {
    const entry = this.legs.get(legId);
    const room = entry?.video && entry.roomId !== undefined ? this.videoRooms.get(entry.roomId) : undefined;
    if (!room) throw new InvalidArgumentError(`Video leg ${legId} is not started`);
    return room;
  }

  private roomOf(legId: string): RoomAudio {
    const entry = this.legs.get(legId);
    const room = entry?.roomId === undefined || entry.video ? undefined : this.rooms.get(entry.roomId);
    if (!room) throw new InvalidArgumentError(`No started leg ${legId}`);
    return room;
  }

  private assertOpen(): void {
    if (this.closing) throw new MediaMixerError('Media engine is closed');
  }
}
