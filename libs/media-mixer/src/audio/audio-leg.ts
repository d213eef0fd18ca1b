/**
 * One participant's audio in a room: its RTP endpoint, receive path (jitter buffer → decode →
 * mixer rate), send path (mix → codec → RTP), RFC 4733 DTMF both ways, the RFC 6464 level the
 * client reports, server-side mute and the negotiated direction (hold/resume).
 *
 * Driven by the room's frame clock: `receiveFrame()` before the mix, `sendFrame()` after it.
 */
import { deserializeAudioLevelIndication, type RtpPacket } from 'werift-rtp';
import type { TimerScheduler } from './frame-clock';
import type { MediaLogger } from '../media-logger';
import type { RtpPortPair } from '../rtp/port-allocator';
import { RtpEndpoint, type RtpEndpointStats } from '../rtp/rtp-endpoint';
import type { JitterBufferOptions, JitterBufferStats } from '../rtp/jitter-buffer';
import type { AudioCodec } from './audio-codec';
import { type AudioLegParams, type CheckedAudioLegParams, type MediaDirection, checkAudioLegParams, mixesFrom, sendsTo } from './audio-leg-params';
import { AudioReceivePath } from './audio-receive-path';
import { AudioSendPath } from './audio-send-path';
import { DtmfReceiver, type ReceivedDtmf } from './dtmf-receiver';

/** Creates a codec instance for negotiated parameters; throws `UnsupportedCodecError` when it cannot. */
export type AudioCodecFactory = (params: CheckedAudioLegParams) => AudioCodec;

/** RFC 3389 comfort noise, static payload type 13 (RFC 3551 Table 4): accepted and ignored. */
const COMFORT_NOISE_PT = 13;
/** A level from the RFC 6464 extension is used for this long after its packet arrived. */
const EXTENSION_LEVEL_TTL_MS = 100;

/** Options of an `AudioLeg`. */
export interface AudioLegOptions {
  legId: string;
  pair: RtpPortPair;
  params: AudioLegParams;
  codecFactory: AudioCodecFactory;
  /** Our SSRC on this leg. */
  ssrc: number;
  cname: string;
  mixerRate: number;
  frameMs: number;
  /** Monotonic ms. */
  clock: () => number;
  onDtmf: (dtmf: ReceivedDtmf) => void;
  logger: MediaLogger;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'initialDelayMs'>;
  rtcpIntervalMs?: number;
  timers?: TimerScheduler;
}

/** Statistics of one leg (the participant stats endpoint). */
export interface AudioLegStats {
  legId: string;
  codec: string;
  payloadType: number;
  ptimeMs: number;
  direction: MediaDirection;
  muted: boolean;
  /** Not sending to the leg (`recvonly` or `inactive`: the remote put the call on hold). */
  held: boolean;
  ssrc: number;
  remoteSsrc?: number;
  /** RTP packets and payload octets received and sent. */
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Incoming packets lost, cumulative (RFC 3550 §A.3). */
  lost: number;
  /** Incoming loss in the last RTCP interval, 0…1. */
  fractionLost: number;
  /** Incoming interarrival jitter, ms (RFC 3550 §A.8). */
  jitterMs: number;
  /** Round-trip time from RTCP (RFC 3550 §6.4.1), ms, once measured. */
  rttMs?: number;
  /** The peer's report on what we send (loss, jitter), once received. */
  remote?: RtpEndpointStats['rtcp']['remote'];
  remoteLeft: boolean;
  latched: boolean;
  rtpTarget?: string;
  malformed: number;
  foreign: number;
  unknownPayloadType: number;
  sendErrors: number;
  decodeErrors: number;
  /** Lost Opus frames rebuilt from the next packet's in-band FEC (RFC 6716 §2.1.7). */
  fecRecovered: number;
  encodeErrors: number;
  dtmfReceived: number;
  dtmfSent: number;
  jitterBuffer: JitterBufferStats;
}

/** Audio of one leg. */
export class AudioLeg {
  readonly legId: string;
  private params: CheckedAudioLegParams;
  private readonly endpoint: RtpEndpoint;
  private receive: AudioReceivePath;
  private send: AudioSendPath;
  private sendCodec: AudioCodec;
  private dtmfIn: DtmfReceiver | undefined;
  private muted = false;
  private extensionLevel: { rms: number; atMs: number } | undefined;
  private dtmfReceived = 0;

  /**
   * @throws InvalidArgumentError for invalid parameters; UnsupportedCodecError from the factory.
   *   Nothing is opened when it throws; the caller still owns `pair`.
   */
  constructor(private readonly opts: AudioLegOptions) {
    this.legId = opts.legId;
    this.params = checkAudioLegParams(opts.params);
    this.receive = this.newReceivePath(opts.codecFactory(this.params));
    this.sendCodec = opts.codecFactory(this.params);
    this.send = this.newSendPath(this.sendCodec);
    this.dtmfIn = this.newDtmfReceiver();
    this.endpoint = new RtpEndpoint({
      pair: opts.pair,
      remote: transportOf(this.params),
      payloadTypes: payloadTypesOf(this.params),
      ssrc: opts.ssrc,
      cname: opts.cname,
      clockRate: this.params.clockRate,
      onRtp: (packet, arrivalMs) => this.onRtp(packet, arrivalMs),
      clock: opts.clock,
      timers: opts.timers,
      rtcpIntervalMs: opts.rtcpIntervalMs,
      logger: opts.logger,
      logContext: { legId: opts.legId },
    });
  }

  /** Current direction from the MCU's side. */
  get direction(): MediaDirection {
    return this.params.direction;
  }

  /** Does the room send this leg a mix? */
  get sending(): boolean {
    return sendsTo(this.params.direction);
  }

  /** Is this leg's audio mixed into the others' (direction permitting, mute aside)? */
  get mixing(): boolean {
    return mixesFrom(this.params.direction);
  }

  get isMuted(): boolean {
    return this.muted;
  }

  /** Local RTP port. */
  get localPort(): number {
    return this.endpoint.localPort;
  }

  /** Server-side mute; the room applies it to the mixer. */
  setMuted(muted: boolean): void {
    this.muted = muted;
  }

  /**
   * Applies a renegotiation (re-INVITE). Fields left out keep their values. A new codec, payload type
   * or packet time replaces the codec instances and paths; the outgoing stream keeps its SSRC,
   * sequence numbers and timeline. Resuming mixing starts a fresh jitter buffer.
   * @throws InvalidArgumentError / UnsupportedCodecError; the leg is unchanged then.
   */
  update(changes: Partial<AudioLegParams>): void {
    const merged: AudioLegParams = { ...this.params, ...changes };
    if (changes.remotePort !== undefined && changes.remoteRtcpPort === undefined) merged.remoteRtcpPort = undefined;
    const next = checkAudioLegParams(merged);
    const prev = this.params;
    const codecChanged = next.codec !== prev.codec || next.clockRate !== prev.clockRate || next.channels !== prev.channels;
    const sendChanged = codecChanged || next.payloadType !== prev.payloadType || next.ptimeMs !== prev.ptimeMs || next.telephoneEventPt !== prev.telephoneEventPt;
    const receiveCodec = codecChanged || (!mixesFrom(prev.direction) && mixesFrom(next.direction)) ? this.opts.codecFactory(next) : undefined;
    const sendCodec = sendChanged ? this.opts.codecFactory(next) : undefined;
    this.endpoint.update({ remote: transportOf(next), payloadTypes: payloadTypesOf(next), clockRate: next.clockRate });
    this.params = next;
    if (receiveCodec) {
      this.receive.close();
      this.receive = this.newReceivePath(receiveCodec);
    }
    if (sendCodec) {
      this.sendCodec.close?.();
      this.sendCodec = sendCodec;
      this.send = this.newSendPath(sendCodec, this.send.position());
    }
    if (codecChanged || next.telephoneEventPt !== prev.telephoneEventPt) this.dtmfIn = this.newDtmfReceiver();
  }

  /**
   * Queues a DTMF digit to send as RFC 4733 events.
   * @throws InvalidArgumentError without negotiated telephone-event, for a bad digit or duration.
   */
  sendDtmf(digit: string, durationMs: number): void {
    this.send.sendDtmf(digit, durationMs);
  }

  /**
   * This tick's incoming audio at the mixer rate, or undefined when the leg is not mixed (direction)
   * or has not sent audio yet. Also ends DTMF events whose end packets were lost.
   */
  receiveFrame(nowMs: number): Int16Array | undefined {
    this.dtmfIn?.poll(nowMs);
    return this.mixing ? this.receive.pullFrame() : undefined;
  }

  /**
   * Encodes and sends this tick's mix.
   * @param mix the leg's mix-minus at the mixer rate, or undefined when the mixer gives it none (held).
   */
  sendFrame(mix: Int16Array | undefined): void {
    for (const packet of this.send.tick(this.sending ? mix : undefined)) this.endpoint.sendRtp(packet.header, packet.payload);
  }

  /**
   * The speech level the client reported in the RFC 6464 header extension within the last 100 ms, as
   * an RMS in sample units (0 dBov = 32767), or undefined.
   */
  reportedLevel(nowMs: number): number | undefined {
    const ext = this.extensionLevel;
    return ext && nowMs - ext.atMs <= EXTENSION_LEVEL_TTL_MS ? ext.rms : undefined;
  }

  /** Statistics snapshot. */
  stats(): AudioLegStats {
    const e = this.endpoint.stats();
    return {
      legId: this.legId,
      codec: this.params.codec,
      payloadType: this.params.payloadType,
      ptimeMs: this.params.ptimeMs,
      direction: this.params.direction,
      muted: this.muted,
      held: !this.sending,
      ssrc: this.endpoint.ssrc,
      remoteSsrc: e.rtcp.remoteSsrc,
      packetsIn: e.rtpPacketsReceived,
      packetsOut: e.rtpPacketsSent,
      bytesIn: e.rtpOctetsReceived,
      bytesOut: e.rtpOctetsSent,
      lost: e.rtcp.packetsLost,
      fractionLost: e.rtcp.fractionLost,
      jitterMs: e.rtcp.jitterMs,
      rttMs: e.rtcp.roundTripTimeMs,
      remote: e.rtcp.remote,
      remoteLeft: e.rtcp.remoteLeft,
      latched: e.latched,
      rtpTarget: e.rtpTarget,
      malformed: e.malformed,
      foreign: e.foreign,
      unknownPayloadType: e.unknownPayloadType,
      sendErrors: e.sendErrors,
      decodeErrors: this.receive.counters.decodeErrors,
      fecRecovered: this.receive.counters.fecRecovered,
      encodeErrors: this.send.counters.encodeErrors,
      dtmfReceived: this.dtmfReceived,
      dtmfSent: this.send.counters.dtmfSent,
      jitterBuffer: this.receive.jitterStats(),
    };
  }

  /** Sends RTCP BYE, releases the ports and the codecs' native state. Idempotent. */
  close(reason?: string): Promise<void> {
    this.receive.close();
    this.sendCodec.close?.();
    return this.endpoint.close(reason);
  }

  private onRtp(packet: RtpPacket, arrivalMs: number): void {
    const h = packet.header;
    if (h.payloadType === this.params.telephoneEventPt) {
      if (this.dtmfIn?.onPacket(h.timestamp, packet.payload, arrivalMs) === 'malformed') {
        this.opts.logger.debug({ legId: this.legId, octets: packet.payload.length }, 'malformed telephone-event payload dropped');
      }
      return;
    }
    if (h.payloadType !== this.params.payloadType) return; // comfort noise: the jitter buffer plays silence
    this.readAudioLevel(packet, arrivalMs);
    if (!this.mixing) return;
    this.receive.push({
      ssrc: h.ssrc,
      sequenceNumber: h.sequenceNumber,
      timestamp: h.timestamp,
      marker: h.marker,
      payloadType: h.payloadType,
      payload: packet.payload,
    });
  }

  /** RFC 6464 §3: V bit and the level in −dBov (0…127, 127 = silence). */
  private readAudioLevel(packet: RtpPacket, arrivalMs: number): void {
    const id = this.params.audioLevelExtensionId;
    if (id === undefined || !packet.header.extension) return;
    const ext = packet.header.extensions.find((e) => e.id === id);
    if (!ext || ext.payload.length < 1) return;
    const { level } = deserializeAudioLevelIndication(ext.payload);
    this.extensionLevel = { rms: level >= 127 ? 0 : 32767 * 10 ** (-level / 20), atMs: arrivalMs };
  }

  private newReceivePath(codec: AudioCodec): AudioReceivePath {
    return new AudioReceivePath({ codec, mixerRate: this.opts.mixerRate, frameMs: this.opts.frameMs, clock: this.opts.clock, jitter: this.opts.jitter });
  }

  private newSendPath(codec: AudioCodec, continueFrom?: ReturnType<AudioSendPath['position']>): AudioSendPath {
    return new AudioSendPath({
      codec,
      payloadType: this.params.payloadType,
      ptimeMs: this.params.ptimeMs,
      telephoneEventPt: this.params.telephoneEventPt,
      mixerRate: this.opts.mixerRate,
      frameMs: this.opts.frameMs,
      continueFrom,
    });
  }

  private newDtmfReceiver(): DtmfReceiver | undefined {
    if (this.params.telephoneEventPt === undefined) return undefined;
    return new DtmfReceiver({
      clockRate: this.params.clockRate,
      onDigit: (dtmf) => {
        this.dtmfReceived++;
        this.opts.onDtmf(dtmf);
      },
    });
  }
}

function transportOf(p: CheckedAudioLegParams): { rtp: { address: string; port: number }; rtcpPort: number; rtcpMux: boolean } {
  return { rtp: { address: p.remoteAddress, port: p.remotePort }, rtcpPort: p.remoteRtcpPort, rtcpMux: p.rtcpMux };
}

function payloadTypesOf(p: CheckedAudioLegParams): number[] {
  const types = [p.payloadType, COMFORT_NOISE_PT];
  if (p.telephoneEventPt !== undefined) types.push(p.telephoneEventPt);
  return types;
}
