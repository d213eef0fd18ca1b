/**
 * The RTP stream the MCU sends to one video receiver (RFC 3550 §5.1): its own sequence numbers and
 * timestamps, continuous whatever encoder the pictures come from. A layout change, a key frame
 * handover or an encoder restart only changes which encoder feeds `sendFrame`; the numbering goes
 * on. The SSRC is the leg's RTP endpoint's.
 *
 * Timestamps: the 90 kHz timestamp of each picture (RFC 3551 §5) is the room's frame clock time the
 * picture was composed at (every encoder of a room gets the same clock), plus a random offset per
 * receiver (RFC 3550 §5.1); a picture never gets a timestamp below its predecessor's.
 */
import { randomInt } from 'node:crypto';
import { CodecError, InvalidArgumentError } from '../../errors';
import type { OutgoingRtpHeader } from '../../rtp/rtp-endpoint';
import { NalUnitType, nalUnitType, splitAnnexB } from '../h264-nal-unit';
import { H264Packetizer } from '../rtp-h264';
import type { EncodedVideoFrame } from '../video-frame';
import type { VideoPayloadFormat } from '../video-leg-params';
import { createPacketizer, type VideoPacketizer } from './payload-formats';

/** What the sender packetizes for. */
export interface VideoRtpSenderFormat {
  codec: VideoPayloadFormat;
  payloadType: number;
  /** Largest RTP payload, octets (≥ 16). */
  maxPayloadOctets: number;
  /** H.264 packetization-mode; default 1. */
  packetizationMode?: 0 | 1;
}

/** Options of a `VideoRtpSender`. */
export interface VideoRtpSenderOptions extends VideoRtpSenderFormat {
  /** Sends one packet (the leg's `RtpEndpoint.sendRtp`); false when nothing went out. */
  send(header: OutgoingRtpHeader, payload: Buffer): boolean;
  /** First sequence number (16 bits); default random. */
  initialSequenceNumber?: number;
  /** Added to every picture's timestamp (32 bits); default random. */
  timestampOffset?: number;
}

/** Counters of a `VideoRtpSender`. */
export interface VideoRtpSenderStats {
  /** Pictures sent. */
  frames: number;
  /** Key frames among them. */
  keyframes: number;
  /** Packets and payload octets handed to the endpoint. */
  packets: number;
  octets: number;
  /** Pictures the payload format could not carry (e.g. an H.264 NAL unit over the limit in mode 0). */
  packetizeErrors: number;
}

/** One receiver's outgoing video RTP stream. */
export class VideoRtpSender {
  private format: VideoRtpSenderFormat;
  private packetizer: VideoPacketizer;
  private sequenceNumber: number;
  private readonly timestampOffset: number;
  private lastTimestamp: number | undefined;
  private readonly counters: VideoRtpSenderStats = { frames: 0, keyframes: 0, packets: 0, octets: 0, packetizeErrors: 0 };

  /** @throws InvalidArgumentError for a payload limit below 16 octets or a payload type outside 0..127. */
  constructor(private readonly opts: VideoRtpSenderOptions) {
    this.format = checkFormat(opts);
    this.packetizer = createPacketizer(this.format);
    this.sequenceNumber = (opts.initialSequenceNumber ?? randomInt(0, 0x10000)) & 0xffff;
    this.timestampOffset = (opts.timestampOffset ?? randomInt(0, 2 ** 32 - 1)) >>> 0;
  }

  /** The sequence number the next packet gets. */
  get nextSequenceNumber(): number {
    return this.sequenceNumber;
  }

  /** RTP timestamp of the latest picture sent, if any. */
  get latestTimestamp(): number | undefined {
    return this.lastTimestamp;
  }

  /** The format packetized now. */
  get currentFormat(): Readonly<VideoRtpSenderFormat> {
    return this.format;
  }

  /**
   * Changes payload type, codec or packetization (renegotiation). The numbering continues.
   * @throws InvalidArgumentError as the constructor; the sender is unchanged then.
   */
  reconfigure(format: VideoRtpSenderFormat): void {
    const next = checkFormat(format);
    const samePacketizer =
      next.codec === this.format.codec && next.maxPayloadOctets === this.format.maxPayloadOctets && next.packetizationMode === this.format.packetizationMode;
    if (!samePacketizer) this.packetizer = createPacketizer(next);
    this.format = next;
  }

  /**
   * Packetizes and sends one coded picture; `frame.rtpTimestamp` is the room's frame clock time
   * (90 kHz). Never throws: a picture the format cannot carry is counted and dropped.
   * @returns the number of packets sent.
   */
  sendFrame(frame: EncodedVideoFrame): number {
    let chunks;
    try {
      chunks = this.packetize(frame.data);
    } catch (err) {
      if (!(err instanceof CodecError) && !(err instanceof InvalidArgumentError)) throw err;
      this.counters.packetizeErrors++;
      return 0;
    }
    if (chunks.length === 0) return 0;
    let timestamp = (frame.rtpTimestamp + this.timestampOffset) >>> 0;
    // Never backwards (RFC 3550 §5.1: the timestamp is monotonic for a stream).
    if (this.lastTimestamp !== undefined && ((timestamp - this.lastTimestamp) | 0) < 0) timestamp = this.lastTimestamp;
    this.lastTimestamp = timestamp;
    let sent = 0;
    for (const chunk of chunks) {
      const header: OutgoingRtpHeader = { payloadType: this.format.payloadType, sequenceNumber: this.sequenceNumber, timestamp, marker: chunk.marker };
      this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
      if (this.opts.send(header, chunk.payload)) {
        sent++;
        this.counters.packets++;
        this.counters.octets += chunk.payload.length;
      }
    }
    this.counters.frames++;
    if (frame.keyframe) this.counters.keyframes++;
    return sent;
  }

  /**
   * The payloads of one picture. In H.264 packetization-mode 0 every NAL unit travels alone
   * (RFC 6184 §6.2), so SEI messages over the payload limit (x264 writes its settings into one on
   * the first IDR) are left out instead of losing the picture: they carry nothing a decoder needs.
   */
  private packetize(data: Buffer): ReturnType<VideoPacketizer['packetize']> {
    const p = this.packetizer;
    if (this.format.codec !== 'H264' || this.format.packetizationMode !== 0 || !(p instanceof H264Packetizer)) return p.packetize(data);
    const limit = this.format.maxPayloadOctets;
    return p.packetizeNalUnits(splitAnnexB(data).filter((nal) => nal.length <= limit || nalUnitType(nal) !== NalUnitType.Sei));
  }

  /** Counters since construction. */
  stats(): VideoRtpSenderStats {
    return { ...this.counters };
  }
}

function checkFormat(f: VideoRtpSenderFormat): VideoRtpSenderFormat {
  if (!Number.isInteger(f.payloadType) || f.payloadType < 0 || f.payloadType > 127) throw new InvalidArgumentError(`payloadType ${f.payloadType} outside 0…127`);
  if (!Number.isInteger(f.maxPayloadOctets) || f.maxPayloadOctets < 16) throw new InvalidArgumentError(`maxPayloadOctets ${f.maxPayloadOctets} below 16`);
  return { codec: f.codec, payloadType: f.payloadType, maxPayloadOctets: f.maxPayloadOctets, packetizationMode: f.codec === 'H264' ? (f.packetizationMode ?? 1) : undefined };
}
