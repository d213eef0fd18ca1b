/**
 * The video of one room (docs/video-pipeline.md): its video legs, one decoder per camera, one
 * composed picture per distinct view and one encoder per distinct output, driven by a 25 frames/s
 * frame clock.
 *
 * Per tick (40 ms): every receiver's view is laid out (`computeLayout`, the receiver being the
 * viewer); receivers are grouped by (view, codec, size, bitrate, H.264 packetization and profile,
 * payload limit); each distinct view is composed once from the senders' latest decoded pictures
 * and fed to the encoder of every group that shows it. A group's encoder starts when the group
 * appears and stops a grace period after its last receiver left it (so a layout that flips back
 * does not respawn it).
 *
 * A receiver whose view changes keeps receiving from its old encoder until the new group's
 * encoder delivers a key frame (a fresh encoder starts with one; an existing one is asked for one),
 * then switches: the receiver's RTP never pauses, and its SSRC, sequence numbers and timestamps run
 * on (`VideoRtpSender`). A new receiver waits the same way for its first key frame.
 *
 * Participants are the video legs (paired with their audio legs through `audioLegId`) and the room's
 * audio legs without video, which get a placeholder tile with their name. The active speaker
 * comes from the room's audio.
 *
 * Owns its legs, decoders and encoders: `close()` ends them all.
 */
import { randomInt } from 'node:crypto';
import { FrameClock, type FrameClockOptions, type FrameTick, type TimerScheduler } from '../../audio/frame-clock';
import { InvalidArgumentError } from '../../errors';
import { type MediaLogger, errorFields } from '../../media-logger';
import type { RtpPortPair } from '../../rtp/port-allocator';
import { computeLayout, layoutKey, type LayoutParticipant, type Tile } from '../layout';
import type { RawPicture } from '../pipeline/raw-picture';
import { VideoDecoder } from '../pipeline/video-decoder';
import { VideoEncoder } from '../pipeline/video-encoder';
import { encoderBitrateBps } from '../video-bitrate';
import type { EncodedVideoFrame } from '../video-frame';
import { DEFAULT_ROOM_LAYOUT, PIPELINE_CODEC, type RoomLayoutSettings, type VideoLegParams, type VideoLegStats } from '../video-leg-params';
import { codedPictureSize } from '../coded-picture-size';
import { DECODE_BOX, type DecodeSize, decodeSizeFor, outputPixelAspect, sameDecodeSize } from './decode-size';
import { type CheckedVideoLegParams, VideoLeg } from './video-leg';

/** Frames per second of every room's composite. */
export const VIDEO_FRAME_RATE = 25;
/** 90 kHz RTP units per frame clock tick of 40 ms. */
const RTP_UNITS_PER_FRAME = 90000 / VIDEO_FRAME_RATE;
/** The box every camera is decoded into, keeping its display aspect (`decodeSizeFor`). */
export const DECODE_WIDTH = DECODE_BOX.width;
export const DECODE_HEIGHT = DECODE_BOX.height;
/** An encoder without receivers lives on this long, ms (a layout that flips back reuses it). */
export const ENCODER_GRACE_MS = 3000;
/** A receiver waiting for a key frame to switch groups asks again after this long, ms. */
const PENDING_RETRY_MS = 1500;
/** Rates in the stats are over about this window, ms. */
const RATE_WINDOW_MS = 2000;

/** Paints one view (the compositor). */
export interface ViewComposer {
  /**
   * Paints `tiles` onto `canvas`: each participant's latest picture, placeholders where there is
   * none, a slate without tiles.
   */
  compose(canvas: RawPicture, tiles: readonly Tile[], source: (participantId: string) => { picture?: RawPicture; name: string }, pixelAspect?: number): void;
  /** Drops what it cached for a participant that left. */
  forget?(participantId: string): void;
}

/** Options of a `VideoRoom`. */
export interface VideoRoomOptions {
  roomId: string;
  /** The ffmpeg binary for decoders and encoders. */
  ffmpegPath: string;
  composer: ViewComposer;
  /** SDES CNAME of our streams. */
  cname: string;
  logger: MediaLogger;
  /** The room's audio legs in joining order (audio-only participants get placeholder tiles). */
  audioLegs(): readonly string[];
  /** The room's active speaker as an audio leg id, or null. */
  activeSpeaker(): string | null;
  /** The display name of a leg (audio or video), if set. */
  displayName(legId: string): string | undefined;
  /** The room's layout, read every tick. */
  layout(): RoomLayoutSettings;
  /** The MCU asked a leg's camera for a key frame (RTCP sent where allowed; signalling may add its own). */
  onKeyframeRequestSent(legId: string): void;
  /** Monotonic ms. Default `performance.now`. */
  clock?: () => number;
  /** Frame clock time source and timers (tests). */
  frameClock?: Pick<FrameClockOptions, 'now' | 'timers'>;
  rtcpTimers?: TimerScheduler;
  rtcpIntervalMs?: number;
  /** Grace period of an encoder without receivers, ms; default `ENCODER_GRACE_MS`. */
  encoderGraceMs?: number;
}

/** Tick counters of a room's video. */
export interface VideoRoomStats {
  ticks: number;
  /** Exceptions caught in ticks. */
  errors: number;
  /** Encoders running (one per distinct output) and decoders running (one per camera). */
  encoders: number;
  decoders: number;
  /** Distinct views composed in the last tick. */
  views: number;
  /** Time spent inside ticks, ms. */
  busyMs: number;
}

/** One distinct output: a view in one codec, size and bitrate, and its encoder. */
interface EncodeGroup {
  /** `paramsKey#viewKey`; changes when the group is re-keyed to its receivers' new view. */
  key: string;
  /** Codec, size, bitrate, frame rate, payload limit, H.264 mode and profile: what the encoder was started with. */
  readonly paramsKey: string;
  viewKey: string;
  tiles: readonly Tile[];
  readonly width: number;
  readonly height: number;
  /** Width/height of one pixel of its pictures as displayed (`outputPixelAspect`). */
  readonly pixelAspect: number;
  /** Pictures/s fed to the encoder (the receiver's `frameRate`, at most the room's 25). */
  readonly frameRate: number;
  readonly encoder: VideoEncoder;
  /** Frames the encoder delivered (0: its next frame is its first, a key frame). */
  framesOut: number;
  emptySince: number | undefined;
}

/** What a receiver should get this tick. */
interface Target {
  readonly key: string;
  readonly paramsKey: string;
  readonly viewKey: string;
  readonly tiles: readonly Tile[];
  readonly params: Readonly<CheckedVideoLegParams>;
  readonly receivers: LegState[];
}

/** A video leg and what the room keeps for it. */
interface LegState {
  readonly leg: VideoLeg;
  readonly audioLegId: string | undefined;
  decoder: VideoDecoder | undefined;
  /** Size the decoder outputs (the camera's display aspect, `decodeSizeFor`). */
  decodeSize: DecodeSize | undefined;
  /** Latest decoded picture of its camera. */
  picture: RawPicture | undefined;
  /** The group whose frames it receives now. */
  current: EncodeGroup | undefined;
  /** The group it moves to at that group's next key frame. */
  pending: EncodeGroup | undefined;
  /** When the pending group was last asked for a key frame, ms. */
  pendingAskedAt: number;
  keyframeRequestsReceived: number;
  decodeErrorsBase: number;
  restartsBase: number;
  samples: { at: number; framesIn: number; framesOut: number; bytesIn: number; bytesOut: number }[];
}

/** The video of one room. */
export class VideoRoom {
  readonly roomId: string;
  private readonly legs = new Map<string, LegState>();
  private readonly groups = new Map<string, EncodeGroup>();
  private readonly clock: FrameClock;
  private readonly now: () => number;
  private readonly lastSpokeAt = new Map<string, number>();
  private readonly failing = new Set<string>();
  private counters = { ticks: 0, errors: 0, views: 0, busyMs: 0 };
  private closed = false;
  private groupCount = 0;
  private closing: Promise<void> | undefined;
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly opts: VideoRoomOptions) {
    this.roomId = opts.roomId;
    this.now = opts.clock ?? (() => performance.now());
    // 20 ms ticks of the shared frame clock; every second one composes (25 frames/s).
    this.clock = new FrameClock({
      periodMs: 20,
      onTick: (tick) => this.onTick(tick),
      onError: (err) => opts.logger.error({ roomId: this.roomId, ...errorFields(err) }, 'video room tick failed'),
      ...opts.frameClock,
    });
  }

  /** Number of video legs. */
  get size(): number {
    return this.legs.size;
  }

  /** Ids of the video legs, in joining order. */
  legIds(): string[] {
    return [...this.legs.keys()];
  }

  /** True when the room has the video leg. */
  hasLeg(legId: string): boolean {
    return this.legs.has(legId);
  }

  /** The video leg paired with an audio leg, if any. */
  videoLegOfAudio(audioLegId: string): string | undefined {
    for (const [id, s] of this.legs) if (s.audioLegId === audioLegId) return id;
    return undefined;
  }

  /**
   * Adds a video leg: opens its RTP endpoint on `pair`; its camera becomes a tile and it receives
   * the composite from its first key frame on.
   * @throws InvalidArgumentError for a duplicate id, a closed room or invalid parameters. On a throw
   *   `pair` stays the caller's.
   */
  addLeg(legId: string, pair: RtpPortPair, params: VideoLegParams, options: { audioLegId?: string } = {}): void {
    if (this.closed) throw new InvalidArgumentError(`Room ${this.roomId} is closed`);
    if (this.legs.has(legId)) throw new InvalidArgumentError(`Video leg ${legId} is already in room ${this.roomId}`);
    const state: LegState = {
      leg: undefined as unknown as VideoLeg,
      audioLegId: options.audioLegId,
      decoder: undefined,
      decodeSize: undefined,
      picture: undefined,
      current: undefined,
      pending: undefined,
      pendingAskedAt: 0,
      keyframeRequestsReceived: 0,
      decodeErrorsBase: 0,
      restartsBase: 0,
      samples: [],
    };
    (state as { leg: VideoLeg }).leg = new VideoLeg({
      legId,
      pair,
      params,
      ssrc: randomInt(1, 2 ** 32 - 1),
      cname: this.opts.cname,
      clock: this.now,
      logger: this.opts.logger,
      timers: this.opts.rtcpTimers,
      rtcpIntervalMs: this.opts.rtcpIntervalMs,
      onFrame: (frame) => this.onCameraFrame(state, frame),
      onKeyframeRequestReceived: () => this.requestKeyframe(legId),
      onKeyframeRequestSent: () => this.opts.onKeyframeRequestSent(legId),
    });
    this.legs.set(legId, state);
    this.clock.start();
  }

  /**
   * Renegotiates a video leg. A new format restarts its decoder (from the camera's next key frame).
   * Its outgoing stream keeps its numbering; with a new codec or H.264 packetization it pauses until
   * the encoder of its new format delivers a key frame, otherwise it moves over at that key frame.
   * @throws InvalidArgumentError for an unknown leg or invalid parameters.
   */
  updateLeg(legId: string, changes: Partial<VideoLegParams>): void {
    const state = this.get(legId);
    const before = state.leg.current;
    const { formatChanged } = state.leg.update(changes);
    const after = state.leg.current;
    if (formatChanged || !state.leg.sending) this.stopDecoder(state);
    if (!state.leg.sending) state.picture = undefined;
    // Pictures of another codec or packetization cannot go out in the new one: the receiver waits
    // for its new group's key frame instead.
    const outputChanged =
      before.codec !== after.codec || (after.codec === 'H264' && (before.h264.packetizationMode !== after.h264.packetizationMode || before.maxPayloadOctets !== after.maxPayloadOctets));
    if (!state.leg.receiving || outputChanged) {
      state.current = undefined;
      state.pending = undefined;
    }
  }

  /**
   * A receiver asked for a key frame (RTCP PLI/FIR, SIP INFO, H.245 videoFastUpdatePicture): its
   * encoder emits one within 500 ms, at most one per second per encoder. Unknown legs are ignored.
   */
  requestKeyframe(legId: string): void {
    const state = this.legs.get(legId);
    if (!state) return;
    state.keyframeRequestsReceived++;
    const group = state.pending ?? state.current;
    if (group && group.framesOut > 0) group.encoder.requestKeyframe();
  }

  /**
   * Statistics of a video leg.
   * @throws InvalidArgumentError for an unknown leg.
   */
  stats(legId: string): VideoLegStats {
    const state = this.get(legId);
    const p = state.leg.current;
    const e = state.leg.endpointStats();
    const c = state.leg.legCounters();
    const s = state.leg.sender.stats();
    const d = state.decoder?.stats();
    const rates = this.rates(state);
    return {
      legId,
      codec: p.codec,
      payloadType: p.payloadType,
      direction: p.direction,
      width: p.width,
      height: p.height,
      ssrc: state.leg.ssrc,
      remoteSsrc: state.leg.remoteSourceSsrc,
      packetsIn: e.rtpPacketsReceived,
      bytesIn: e.rtpOctetsReceived,
      packetsOut: e.rtpPacketsSent,
      bytesOut: e.rtpOctetsSent,
      packetsLost: c.packetsLost,
      fpsIn: rates.fpsIn,
      fpsOut: rates.fpsOut,
      bitrateInBps: rates.bitrateInBps,
      bitrateOutBps: rates.bitrateOutBps,
      keyframesRequested: c.keyframesRequested,
      keyframeRequestsReceived: state.keyframeRequestsReceived,
      keyframesSent: s.keyframes,
      decodeErrors: state.decodeErrorsBase + (d?.decodeErrors ?? 0) + c.depacketizerMalformed,
      processRestarts: state.restartsBase + (d?.restarts ?? 0) + (state.current?.encoder.stats().restarts ?? 0),
    };
  }

  /** Tick counters and process counts. */
  roomStats(): VideoRoomStats {
    let decoders = 0;
    for (const s of this.legs.values()) if (s.decoder) decoders++;
    return { ticks: this.counters.ticks, errors: this.counters.errors, encoders: this.groups.size, decoders, views: this.counters.views, busyMs: this.counters.busyMs };
  }

  /**
   * Removes a video leg: RTCP BYE, ports released, its decoder stopped. Encoders only it used stop
   * after the grace period (at once when the room empties). Unknown ids resolve at once.
   */
  async removeLeg(legId: string, reason?: string): Promise<void> {
    const state = this.legs.get(legId);
    if (!state) return;
    this.legs.delete(legId);
    this.failing.delete(legId);
    this.opts.composer.forget?.(state.audioLegId ?? legId);
    const decoder = state.decoder;
    state.decoder = undefined;
    const closing: Promise<void>[] = [state.leg.close(reason)];
    if (decoder) closing.push(decoder.close());
    if (this.legs.size === 0) {
      this.clock.stop();
      for (const group of [...this.groups.values()]) this.retire(group);
    }
    await Promise.all(closing);
  }

  /** Stops the clock, every leg, decoder and encoder; resolves when every ffmpeg child has exited. Idempotent. */
  close(reason?: string): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.clock.stop();
      this.closing = (async () => {
        await Promise.all(this.legIds().map((id) => this.removeLeg(id, reason)));
        for (const group of [...this.groups.values()]) this.retire(group);
        await Promise.all([...this.retiring]);
      })();
    }
    return this.closing;
  }

  private get(legId: string): LegState {
    const state = this.legs.get(legId);
    if (!state) throw new InvalidArgumentError(`No video leg ${legId} in room ${this.roomId}`);
    return state;
  }

  private onCameraFrame(state: LegState, frame: EncodedVideoFrame): void {
    if (this.closed || !this.legs.has(state.leg.legId)) return;
    const codec = PIPELINE_CODEC[state.leg.current.codec];
    if (frame.keyframe) {
      // The camera's size and aspect come with its key frames; a change restarts its decoder at
      // the new size (the tile keeps the last picture until the new decoder's first).
      const coded = codedPictureSize(codec, frame.data);
      const size = coded || !state.decodeSize ? decodeSizeFor(coded) : state.decodeSize;
      if (state.decoder && !sameDecodeSize(state.decodeSize, size)) this.stopDecoder(state);
      state.decodeSize = size;
    }
    if (!state.decoder) {
      if (!frame.keyframe || !state.decodeSize) return;
      const legId = state.leg.legId;
      const decoder: VideoDecoder = new VideoDecoder({
        ffmpegPath: this.opts.ffmpegPath,
        codec,
        width: state.decodeSize.width,
        height: state.decodeSize.height,
        fit: state.decodeSize.fit,
        name: `${this.roomId}/${legId}`,
        logger: this.opts.logger,
        onPicture: (p) => {
          // Not from a decoder being replaced (its last pictures may still come out).
          if (this.legs.get(legId) === state && state.decoder === decoder) state.picture = p;
        },
        onNeedKeyframe: () => state.leg.decoderNeedsKeyframe(),
      });
      state.decoder = decoder;
    }
    state.decoder.decode(frame);
  }

  private stopDecoder(state: LegState): void {
    const decoder = state.decoder;
    if (!decoder) return;
    const d = decoder.stats();
    state.decodeErrorsBase += d.decodeErrors;
    state.restartsBase += d.restarts;
    state.decoder = undefined;
    state.decodeSize = undefined;
    this.track(decoder.close());
  }

  private onTick(tick: FrameTick): void {
    if (tick.index % 2 !== 0 || this.closed) return;
    const started = this.now();
    this.counters.ticks++;
    try {
      this.tick(started, tick.index / 2);
    } finally {
      this.counters.busyMs += this.now() - started;
    }
  }

  /** One frame of the room: `frame` counts 40 ms periods since the clock started. */
  private tick(now: number, frame: number): void {
    const rtpTimestamp = (frame * RTP_UNITS_PER_FRAME) >>> 0;
    for (const [id, s] of this.legs) this.guard(id, () => s.leg.tick());
    const { participants, byParticipant } = this.participants(now);
    const speaker = this.opts.activeSpeaker();
    const layout = this.opts.layout() ?? DEFAULT_ROOM_LAYOUT;

    // Lay out every receiver's view.
    const targets = new Map<string, Target>();
    for (const [id, s] of this.legs) {
      if (!s.leg.receiving) continue;
      this.guard(id, () => {
        const p = s.leg.current;
        const tiles = computeLayout({
          layout: layout.layout,
          width: p.width,
          height: p.height,
          participants,
          selfView: layout.selfView,
          viewerId: s.audioLegId ?? id,
          activeSpeakerId: speaker,
        });
        const paramsKey = paramsKeyOf(p);
        const viewKey = `${p.width}x${p.height}@${outputPixelAspect(p.codec, p.width, p.height).toFixed(4)}|${layoutKey(tiles)}`;
        const key = `${paramsKey}#${viewKey}`;
        const target = targets.get(key);
        if (target) target.receivers.push(s);
        else targets.set(key, { key, paramsKey, viewKey, tiles, params: p, receivers: [s] });
      });
    }
    this.rekeyGroups(targets);

    // Find each receiver's group; a receiver that changes group switches at the group's next key frame.
    const used = new Set<EncodeGroup>();
    for (const target of targets.values()) {
      this.guard(`target ${target.viewKey}`, () => {
        const group = this.groups.get(target.key) ?? this.createGroup(target);
        for (const s of target.receivers) {
          if (s.current === group) s.pending = undefined;
          else if (s.pending !== group || now - s.pendingAskedAt >= PENDING_RETRY_MS) {
            // A fresh encoder starts with a key frame; an existing one is asked (again, if its key
            // frame has not come after a while).
            s.pending = group;
            s.pendingAskedAt = now;
            if (group.framesOut > 0) group.encoder.requestKeyframe();
          }
        }
      });
    }
    for (const s of this.legs.values()) {
      if (s.current) used.add(s.current);
      if (s.pending) used.add(s.pending);
    }

    // Compose each distinct view once and feed the groups that show it.
    const canvases = new Map<string, RawPicture>();
    const source = (participantId: string): { picture?: RawPicture; name: string } => ({
      picture: byParticipant.get(participantId)?.picture,
      name: this.nameOf(participantId, byParticipant.get(participantId)),
    });
    for (const group of this.groups.values()) {
      if (!used.has(group)) {
        group.emptySince ??= now;
        if (now - group.emptySince >= (this.opts.encoderGraceMs ?? ENCODER_GRACE_MS)) this.retire(group);
        continue;
      }
      group.emptySince = undefined;
      // Outputs below the room's rate get the frames where their own frame count advances.
      if (group.frameRate < VIDEO_FRAME_RATE && Math.floor((frame * group.frameRate) / VIDEO_FRAME_RATE) === Math.floor(((frame - 1) * group.frameRate) / VIDEO_FRAME_RATE)) {
        continue;
      }
      this.guard(`view ${group.viewKey}`, () => {
        let canvas = canvases.get(group.viewKey);
        if (!canvas) {
          // A fresh buffer per view and tick: the encoders' pipes may still hold the previous one.
          canvas = { width: group.width, height: group.height, data: Buffer.allocUnsafe((group.width * group.height * 3) / 2) };
          this.opts.composer.compose(canvas, group.tiles, source, group.pixelAspect);
          canvases.set(group.viewKey, canvas);
        }
        group.encoder.encode(canvas, rtpTimestamp);
      });
    }
    this.counters.views = canvases.size;
    if (this.counters.ticks % 12 === 0) this.sample(now);
  }

  /**
   * Participants in joining order: the room's audio legs (each with its paired video leg, if any;
   * without one, a placeholder tile), then video legs whose audio leg is not in the room. A paired
   * participant's id is its audio leg's id, so its tile keeps its id and place when its video leg
   * starts after its audio leg (no new views, no new encoders).
   */
  private participants(now: number): { participants: LayoutParticipant[]; byParticipant: Map<string, LegState> } {
    const speaker = this.opts.activeSpeaker();
    if (speaker !== null) this.lastSpokeAt.set(speaker, now);
    const byParticipant = new Map<string, LegState>();
    for (const [id, s] of this.legs) byParticipant.set(s.audioLegId ?? id, s);
    const list: LayoutParticipant[] = [];
    const listed = new Set<string>();
    for (const audioId of this.opts.audioLegs()) {
      const s = byParticipant.get(audioId);
      listed.add(audioId);
      list.push({ id: audioId, name: this.nameOf(audioId, s), hasVideo: s?.leg.sending ?? false, lastSpokeAt: this.lastSpokeAt.get(audioId) });
    }
    for (const [id, s] of byParticipant) {
      if (listed.has(id)) continue;
      list.push({ id, name: this.nameOf(id, s), hasVideo: s.leg.sending, lastSpokeAt: this.lastSpokeAt.get(id) });
    }
    return { participants: list, byParticipant };
  }

  /** The name of a participant: set on its video leg, else on its audio leg. */
  private nameOf(participantId: string, s: LegState | undefined): string {
    const own = s ? this.opts.displayName(s.leg.legId) : undefined;
    return own ?? this.opts.displayName(participantId) ?? '';
  }

  /**
   * A view change that moves all the receivers of a group together (a join, a leave, a layout
   * change, in the common case) does not need another encoder: the group takes the new view and
   * its encoder simply gets the new pictures, with no key frame and no switch. A group is re-keyed
   * when nobody wants its old view any more and every receiver it serves wants the same new one.
   */
  private rekeyGroups(targets: ReadonlyMap<string, Target>): void {
    for (const target of targets.values()) {
      if (this.groups.has(target.key)) continue;
      for (const group of this.groups.values()) {
        if (group.paramsKey !== target.paramsKey || targets.has(group.key)) continue;
        let members = 0;
        let all = true;
        for (const s of this.legs.values()) {
          if (s.current !== group) continue;
          members++;
          if (!target.receivers.includes(s)) all = false;
        }
        if (members === 0 || !all) continue;
        this.groups.delete(group.key);
        group.key = target.key;
        group.viewKey = target.viewKey;
        group.tiles = target.tiles;
        this.groups.set(group.key, group);
        break;
      }
    }
  }

  /** A new group for a target, its encoder spawned (its first picture is a key frame). */
  private createGroup(target: Target): EncodeGroup {
    const p = target.params;
    const frameRate = Math.min(VIDEO_FRAME_RATE, p.frameRate);
    const group: EncodeGroup = {
      key: target.key,
      paramsKey: target.paramsKey,
      viewKey: target.viewKey,
      tiles: target.tiles,
      width: p.width,
      height: p.height,
      pixelAspect: outputPixelAspect(p.codec, p.width, p.height),
      frameRate,
      encoder: undefined as unknown as VideoEncoder,
      framesOut: 0,
      emptySince: undefined,
    };
    (group as { encoder: VideoEncoder }).encoder = new VideoEncoder({
      ffmpegPath: this.opts.ffmpegPath,
      codec: PIPELINE_CODEC[p.codec],
      width: p.width,
      height: p.height,
      frameRate,
      bitrateBps: bitrateOf(p),
      profileLevelId: p.codec === 'H264' ? p.h264.profileLevelId : undefined,
      packetizationMode: p.codec === 'H264' ? p.h264.packetizationMode : undefined,
      maxPayloadOctets: p.maxPayloadOctets,
      name: `${this.roomId} ${p.codec} ${p.width}x${p.height} #${++this.groupCount}`,
      logger: this.opts.logger,
      clock: this.now,
      onFrame: (frame) => this.onEncodedFrame(group, frame),
    });
    this.groups.set(group.key, group);
    return group;
  }

  private onEncodedFrame(group: EncodeGroup, frame: EncodedVideoFrame): void {
    if (this.groups.get(group.key) !== group) return; // retired
    group.framesOut++;
    // An encoder's first picture is a key frame whatever the splitter could tell from its header.
    const decodable = frame.keyframe || group.framesOut === 1;
    for (const [id, s] of this.legs) {
      if (s.pending === group && decodable) {
        s.current = group;
        s.pending = undefined;
      }
      if (s.current !== group) continue;
      this.guard(id, () => s.leg.sendFrame(frame));
    }
  }

  private retire(group: EncodeGroup): void {
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
    for (const s of this.legs.values()) {
      if (s.current === group) s.current = undefined;
      if (s.pending === group) s.pending = undefined;
    }
    this.track(group.encoder.close());
  }

  private track(closing: Promise<void>): void {
    this.retiring.add(closing);
    void closing.finally(() => this.retiring.delete(closing));
  }

  /** Counter samples about every half second for the rates in `stats`. */
  private sample(now: number): void {
    for (const s of this.legs.values()) {
      const e = s.leg.endpointStats();
      s.samples.push({ at: now, framesIn: s.leg.legCounters().framesIn, framesOut: s.leg.sender.stats().frames, bytesIn: e.rtpOctetsReceived, bytesOut: e.rtpOctetsSent });
      while (s.samples.length > 2 && now - s.samples[1].at >= RATE_WINDOW_MS) s.samples.shift();
    }
  }

  private rates(s: LegState): { fpsIn: number; fpsOut: number; bitrateInBps: number; bitrateOutBps: number } {
    const first = s.samples[0];
    const now = this.now();
    if (!first || now - first.at < 100) return { fpsIn: 0, fpsOut: 0, bitrateInBps: 0, bitrateOutBps: 0 };
    const e = s.leg.endpointStats();
    const seconds = (now - first.at) / 1000;
    const round = (v: number): number => Math.round(v * 10) / 10;
    return {
      fpsIn: round((s.leg.legCounters().framesIn - first.framesIn) / seconds),
      fpsOut: round((s.leg.sender.stats().frames - first.framesOut) / seconds),
      bitrateInBps: Math.round(((e.rtpOctetsReceived - first.bytesIn) * 8) / seconds),
      bitrateOutBps: Math.round(((e.rtpOctetsSent - first.bytesOut) * 8) / seconds),
    };
  }

  private guard(what: string, step: () => void): void {
    try {
      step();
    } catch (err) {
      this.counters.errors++;
      if (this.failing.has(what)) return;
      if (this.failing.size >= 256) this.failing.clear(); // views come and go: keep the set bounded
      this.failing.add(what);
      this.opts.logger.error({ roomId: this.roomId, what, ...errorFields(err) }, 'video room step failed (later failures only counted)');
    }
  }
}

/** The receiver's output bitrate, bit/s. */
function bitrateOf(p: Readonly<CheckedVideoLegParams>): number {
  return encoderBitrateBps({ tiasBps: p.maxBitrateBps, frameRate: Math.min(VIDEO_FRAME_RATE, p.frameRate), maxPayloadSize: p.maxPayloadOctets });
}

/** Everything an encoder is started with, as a string: receivers with equal keys can share one. */
function paramsKeyOf(p: Readonly<CheckedVideoLegParams>): string {
  const h264 = p.codec === 'H264' ? `|m${p.h264.packetizationMode}|${p.h264.profileLevelId}` : '';
  return `${p.codec}|${p.width}x${p.height}|${bitrateOf(p)}|${Math.min(VIDEO_FRAME_RATE, p.frameRate)}fps|${p.maxPayloadOctets}${h264}`;
}
