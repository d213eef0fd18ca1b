/**
 * One participant's video in a room: the RTP endpoint of its video port pair, the depacketizer of
 * the format it sends, the key frame requests towards its camera (RTCP PLI or FIR, RFC 4585
 * §6.3.1 / RFC 5104 §4.3.1, and the engine event that lets signalling send H.245
 * videoFastUpdatePicture or SIP INFO picture_fast_update), the key frame requests from it (RTCP
 * PLI/FIR in, RFC 4585 §3.5.2), and the RTP stream of the composite it receives (`VideoRtpSender`).
 *
 * The leg knows nothing of ffmpeg: the room decodes what `onFrame` delivers and hands the leg the
 * coded pictures of the receiver's encoder.
 */
import type { RtpPacket } from 'werift-rtp';
import type { MediaDirection } from '../../audio/audio-leg-params';
import type { TimerScheduler } from '../../audio/frame-clock';
import { InvalidArgumentError } from '../../errors';
import { type MediaLogger, errorFields } from '../../media-logger';
import type { RtpPortPair } from '../../rtp/port-allocator';
import { RtpEndpoint } from '../../rtp/rtp-endpoint';
import type { RtcpCompound } from '../../rtp/rtcp-compound';
import { encoderArgs } from '../ffmpeg-args';
import { KeyframeRequester } from '../keyframe-requester';
import { serializeFir, serializePli } from '../rtcp-feedback';
import type { EncodedVideoFrame } from '../video-frame';
import { PIPELINE_CODEC, type VideoLegParams, type VideoPayloadFormat } from '../video-leg-params';
import { createDepacketizer, type VideoDepacketizer } from './payload-formats';
import { VideoRtpSender } from './video-rtp-sender';

/** Video RTP clock (RFC 3551 §5). */
export const VIDEO_CLOCK_RATE = 90000;

/** Video leg parameters with every default applied. */
export interface CheckedVideoLegParams {
  remoteAddress: string;
  remotePort: number;
  remoteRtcpPort: number;
  rtcpMux: boolean;
  payloadType: number;
  codec: VideoPayloadFormat;
  direction: MediaDirection;
  h264: { packetizationMode: 0 | 1; profileLevelId: string; spropParameterSets?: string };
  maxBitrateBps: number;
  width: number;
  height: number;
  frameRate: number;
  maxPayloadOctets: number;
  feedback: { pli: boolean; fir: boolean };
}

const DIRECTIONS: readonly MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/**
 * Applies the defaults of `VideoLegParams` and checks every field.
 * @throws InvalidArgumentError naming the first bad field.
 */
export function checkVideoLegParams(p: VideoLegParams): CheckedVideoLegParams {
  const codec = p.codec;
  if (!['H264', 'VP8', 'H263-1998', 'H263-2000', 'H263', 'H261'].includes(codec)) throw new InvalidArgumentError(`codec ${String(codec)} is not a video format`);
  if (typeof p.remoteAddress !== 'string' || p.remoteAddress === '') throw new InvalidArgumentError('remoteAddress missing');
  checkPort('remotePort', p.remotePort);
  const remoteRtcpPort = p.remoteRtcpPort ?? p.remotePort + 1;
  if (!p.rtcpMux) checkPort('remoteRtcpPort', remoteRtcpPort);
  if (!Number.isInteger(p.payloadType) || p.payloadType < 0 || p.payloadType > 127) throw new InvalidArgumentError(`payloadType ${p.payloadType} outside 0…127`);
  if (p.clockRate !== undefined && p.clockRate !== VIDEO_CLOCK_RATE) throw new InvalidArgumentError(`clockRate ${p.clockRate}: video uses 90000 Hz`);
  if (!DIRECTIONS.includes(p.direction)) throw new InvalidArgumentError(`direction ${String(p.direction)}`);
  const cif = codec === 'H263' || codec === 'H263-1998' || codec === 'H263-2000' || codec === 'H261';
  const width = p.width ?? (cif ? 352 : 640);
  const height = p.height ?? (cif ? 288 : 360);
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 4096 || v % 2 !== 0) throw new InvalidArgumentError(`${name} ${v} must be even, 16…4096`);
  }
  const frameRate = p.frameRate ?? 25;
  if (!(frameRate > 0 && frameRate <= 60)) throw new InvalidArgumentError(`frameRate ${frameRate} outside (0, 60]`);
  const maxBitrateBps = p.maxBitrateBps ?? 1_000_000;
  if (!(maxBitrateBps > 0) || !Number.isFinite(maxBitrateBps)) throw new InvalidArgumentError(`maxBitrateBps ${maxBitrateBps}`);
  const maxPayloadOctets = p.maxPayloadOctets ?? 1200;
  if (!Number.isInteger(maxPayloadOctets) || maxPayloadOctets < 100 || maxPayloadOctets > 1450) throw new InvalidArgumentError(`maxPayloadOctets ${maxPayloadOctets} outside 100…1450`);
  const mode = p.h264?.packetizationMode ?? 1;
  if (mode !== 0 && mode !== 1) throw new InvalidArgumentError(`h264.packetizationMode ${String(mode)}`);
  const profileLevelId = (p.h264?.profileLevelId ?? '42e01f').toLowerCase();
  if (!/^[0-9a-f]{6}$/.test(profileLevelId)) throw new InvalidArgumentError(`h264.profileLevelId ${profileLevelId}`);
  // The composite must be encodable as negotiated (H.263 and H.261 only at their picture formats).
  encoderArgs({ codec: PIPELINE_CODEC[codec], width, height, frameRate, bitrateBps: maxBitrateBps, profileLevelId: codec === 'H264' ? profileLevelId : undefined });
  return {
    remoteAddress: p.remoteAddress,
    remotePort: p.remotePort,
    remoteRtcpPort,
    rtcpMux: p.rtcpMux,
    payloadType: p.payloadType,
    codec,
    direction: p.direction,
    h264: { packetizationMode: mode, profileLevelId, spropParameterSets: p.h264?.spropParameterSets },
    maxBitrateBps: Math.round(maxBitrateBps),
    width,
    height,
    frameRate,
    maxPayloadOctets,
    feedback: { pli: p.feedback?.pli ?? (p.feedback?.fir ? false : true), fir: p.feedback?.fir ?? false },
  };
}

/** The MCU sends the composite to the remote. */
export function receivesComposite(direction: MediaDirection): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

/** The remote's camera is taken into the room (for video, `recvonly` is a camera-only endpoint). */
export function sendsCamera(direction: MediaDirection): boolean {
  return direction === 'sendrecv' || direction === 'recvonly';
}

/** Options of a `VideoLeg`. */
export interface VideoLegOptions {
  legId: string;
  pair: RtpPortPair;
  params: VideoLegParams;
  /** Our SSRC towards the remote. */
  ssrc: number;
  cname: string;
  /** Monotonic ms. */
  clock: () => number;
  logger: MediaLogger;
  /** A complete picture from the remote's camera (only from its first key frame on, and after loss from the next). */
  onFrame(frame: EncodedVideoFrame): void;
  /** The remote asked for a key frame (RTCP PLI/FIR). */
  onKeyframeRequestReceived(): void;
  /** The MCU asked the remote for a key frame (sent as RTCP where allowed; signalling does the rest). */
  onKeyframeRequestSent(): void;
  rtcpIntervalMs?: number;
  timers?: TimerScheduler;
}

/** Counters of a leg (rates are computed by the room). */
export interface VideoLegCounters {
  framesIn: number;
  keyframesIn: number;
  keyframesRequested: number;
  keyframeRequestsReceived: number;
  malformed: number;
}

/** One participant's video RTP. */
export class VideoLeg {
  readonly legId: string;
  private params: CheckedVideoLegParams;
  private readonly endpoint: RtpEndpoint;
  private depacketizer: VideoDepacketizer;
  private readonly requester: KeyframeRequester;
  readonly sender: VideoRtpSender;
  /** The decoder (or a renegotiation) wants a key frame although the depacketizer does not. */
  private decoderWantsKeyframe = false;
  private remoteSsrc: number | undefined;
  /** FIR command sequence number last served, per requesting SSRC (RFC 5104 §4.3.1.2: repetitions keep it). */
  private readonly firSequence = new Map<number, number>();
  private readonly counters: VideoLegCounters = { framesIn: 0, keyframesIn: 0, keyframesRequested: 0, keyframeRequestsReceived: 0, malformed: 0 };
  private closed = false;

  /**
   * @throws InvalidArgumentError for invalid parameters. Nothing is opened when it throws; the
   *   caller still owns `pair`.
   */
  constructor(private readonly opts: VideoLegOptions) {
    this.legId = opts.legId;
    this.params = checkVideoLegParams(opts.params);
    this.depacketizer = createDepacketizer(this.params.codec, this.params.h264.spropParameterSets);
    this.requester = new KeyframeRequester({ clock: opts.clock });
    this.sender = new VideoRtpSender({
      codec: this.params.codec,
      payloadType: this.params.payloadType,
      maxPayloadOctets: this.params.maxPayloadOctets,
      packetizationMode: this.params.h264.packetizationMode,
      send: (header, payload) => this.endpoint.sendRtp(header, payload),
    });
    this.endpoint = new RtpEndpoint({
      pair: opts.pair,
      remote: transportOf(this.params),
      payloadTypes: [this.params.payloadType],
      ssrc: opts.ssrc,
      cname: opts.cname,
      clockRate: VIDEO_CLOCK_RATE,
      sessionBandwidth: this.params.maxBitrateBps,
      onRtp: (packet) => this.onRtp(packet),
      onRtcp: (compound) => this.onRtcp(compound),
      clock: opts.clock,
      timers: opts.timers,
      rtcpIntervalMs: opts.rtcpIntervalMs,
      logger: opts.logger,
      logContext: { legId: opts.legId, media: 'video' },
    });
  }

  /** Negotiated parameters, defaults applied. */
  get current(): Readonly<CheckedVideoLegParams> {
    return this.params;
  }

  /** Local RTP port. */
  get localPort(): number {
    return this.endpoint.localPort;
  }

  /** Our SSRC. */
  get ssrc(): number {
    return this.endpoint.ssrc;
  }

  /** The MCU sends this leg the composite. */
  get receiving(): boolean {
    return receivesComposite(this.params.direction);
  }

  /** This leg's camera is a tile. */
  get sending(): boolean {
    return sendsCamera(this.params.direction);
  }

  /**
   * Applies a renegotiation. A new format or payload type starts a new depacketizer (and a key frame
   * request); the outgoing stream keeps its SSRC, sequence numbers and timeline.
   * @throws InvalidArgumentError; the leg is unchanged then.
   */
  update(changes: Partial<VideoLegParams>): { formatChanged: boolean } {
    const merged: VideoLegParams = { ...this.params, ...changes, h264: { ...this.params.h264, ...changes.h264 }, feedback: { ...this.params.feedback, ...changes.feedback } };
    if (changes.remotePort !== undefined && changes.remoteRtcpPort === undefined) merged.remoteRtcpPort = undefined;
    // A new format without a size gets that format's default size (CIF for H.263/H.261).
    if (changes.codec !== undefined && changes.codec !== this.params.codec && changes.width === undefined && changes.height === undefined) {
      merged.width = undefined;
      merged.height = undefined;
    }
    const next = checkVideoLegParams(merged);
    const prev = this.params;
    this.endpoint.update({ remote: transportOf(next), payloadTypes: [next.payloadType] });
    this.sender.reconfigure({ codec: next.codec, payloadType: next.payloadType, maxPayloadOctets: next.maxPayloadOctets, packetizationMode: next.h264.packetizationMode });
    this.params = next;
    const formatChanged = next.codec !== prev.codec || next.payloadType !== prev.payloadType;
    if (formatChanged || next.h264.spropParameterSets !== prev.h264.spropParameterSets) {
      this.depacketizer = createDepacketizer(next.codec, next.h264.spropParameterSets);
    }
    return { formatChanged };
  }

  /** The decoder lost its footing (restart, decode error): ask the camera for a key frame until one arrives. */
  decoderNeedsKeyframe(): void {
    this.decoderWantsKeyframe = true;
    this.pollKeyframe();
  }

  /** Frame clock tick: repeats outstanding key frame requests on their schedule. */
  tick(): void {
    this.pollKeyframe();
  }

  /** Sends one coded picture of the composite (no-op when the direction excludes it). */
  sendFrame(frame: EncodedVideoFrame): void {
    if (this.closed || !this.receiving) return;
    this.sender.sendFrame(frame);
  }

  /** Counters. */
  legCounters(): VideoLegCounters & { packetsLost: number; depacketizerMalformed: number } {
    const d = this.depacketizer.stats;
    return { ...this.counters, packetsLost: d.lostPackets, depacketizerMalformed: d.malformedPackets };
  }

  /** The endpoint's counters. */
  endpointStats(): ReturnType<RtpEndpoint['stats']> {
    return this.endpoint.stats();
  }

  /** The remote's SSRC, once heard. */
  get remoteSourceSsrc(): number | undefined {
    return this.remoteSsrc;
  }

  /** RTCP BYE, ports released. Idempotent. */
  close(reason?: string): Promise<void> {
    this.closed = true;
    return this.endpoint.close(reason);
  }

  private onRtp(packet: RtpPacket): void {
    if (this.closed || !this.sending) return;
    if (packet.header.payloadType !== this.params.payloadType) return;
    this.remoteSsrc = packet.header.ssrc;
    const result = this.depacketizer.push(packet);
    for (const frame of result.frames) {
      this.counters.framesIn++;
      if (frame.keyframe) {
        this.counters.keyframesIn++;
        this.decoderWantsKeyframe = false;
      }
      this.opts.onFrame(frame);
    }
    this.pollKeyframe();
  }

  private onRtcp(compound: RtcpCompound): void {
    if (this.closed) return;
    for (const request of compound.keyframeRequests) {
      // A FIR names its targets; a PLI its media source. Requests for other streams are ignored.
      if (request.kind === 'pli') {
        if (request.mediaSsrc !== this.ssrc && request.mediaSsrc !== 0) continue;
      } else {
        const entry = request.entries.find((e) => e.ssrc === this.ssrc);
        if (!entry) continue;
        // A repeated FIR (same sequence number) is the same request, already served.
        if (this.firSequence.get(request.senderSsrc) === entry.sequenceNumber) continue;
        if (this.firSequence.size > 16) this.firSequence.clear();
        this.firSequence.set(request.senderSsrc, entry.sequenceNumber);
      }
      this.counters.keyframeRequestsReceived++;
      this.opts.onKeyframeRequestReceived();
    }
  }

  private pollKeyframe(): void {
    if (this.closed) return;
    const needs = this.sending && (this.depacketizer.needsKeyframe || this.decoderWantsKeyframe);
    // Nothing to ask before the camera's first packet: the request needs its SSRC.
    if (needs && this.remoteSsrc === undefined) return;
    const action = this.requester.poll(needs);
    if (!action) return;
    this.counters.keyframesRequested++;
    const media = this.remoteSsrc ?? 0;
    try {
      if (this.params.feedback.pli) this.endpoint.sendFeedback(serializePli(this.ssrc, media));
      else if (this.params.feedback.fir) this.endpoint.sendFeedback(serializeFir(this.ssrc, [{ ssrc: media, sequenceNumber: action.firSequenceNumber }]));
    } catch (err) {
      this.opts.logger.warn({ legId: this.legId, ...errorFields(err) }, 'video key frame request not sent');
    }
    this.opts.onKeyframeRequestSent();
  }
}

function transportOf(p: CheckedVideoLegParams): { rtp: { address: string; port: number }; rtcpPort: number; rtcpMux: boolean } {
  return { rtp: { address: p.remoteAddress, port: p.remotePort }, rtcpPort: p.remoteRtcpPort, rtcpMux: p.rtcpMux };
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`${name} ${port} outside 1…65535`);
}
