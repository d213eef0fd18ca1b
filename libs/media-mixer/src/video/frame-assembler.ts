/**
 * Groups the RTP packets of one video stream into pictures, the part every video payload format
 * shares: a picture is the run of packets with one RTP timestamp, ended by the marker bit (RFC 3550
 * §5.1; RFC 6184 §5.1, RFC 7741 §4.1, RFC 4629 §5.1) or, for senders that omit the marker, by the
 * first packet of the next timestamp. Loss is found by sequence number (RFC 3550 §A.1 arithmetic):
 * a gap drops the picture in progress, and from then on only a key frame is delivered, because
 * pictures predicted from a lost one would decode into garbage.
 *
 * Packets must come in sequence order (a reordering buffer sits in front when the network
 * reorders); a packet older than the last accepted one is counted as late and ignored.
 */
import type { RtpPacket } from 'werift-rtp';
import { CodecError } from '../errors';
import type { DepacketizeResult, DepacketizerStats, EncodedVideoFrame } from './video-frame';

/**
 * Largest picture assembled, in payload octets (a 1080p key frame is well under 1 MiB). A sender
 * whose packets of one timestamp add up to more (e.g. never setting the marker nor changing the
 * timestamp) has that picture dropped instead of held in memory; the decoder's own limit is the same.
 */
export const MAX_PICTURE_OCTETS = 4 * 1024 * 1024;

/** The payload-format specific half of a depacketizer. */
export interface PayloadAssembler<Unit> {
  /**
   * Parses one RTP payload (never empty). Returns `undefined` for payloads the format says to
   * ignore (for example reserved H.264 NAL unit types).
   * @throws CodecError when the payload breaks the format.
   */
  parse(payload: Buffer): Unit | undefined;
  /**
   * Builds a picture from the units of one timestamp, in sequence order, none missing.
   * @returns the picture, or `undefined` when the units do not make a whole picture.
   */
  assemble(units: readonly Unit[]): { data: Buffer; keyframe: boolean } | undefined;
  /**
   * The unit is certainly the first of its picture (checked only after loss, to tell a whole
   * picture after the gap from one whose first packets were lost).
   */
  startsPicture(unit: Unit): boolean;
}

/** Frame assembly over a payload-format specific `PayloadAssembler`. */
export class FrameAssembler<Unit> {
  /** Counters since construction. */
  readonly stats: DepacketizerStats = {
    packets: 0,
    malformedPackets: 0,
    lostPackets: 0,
    latePackets: 0,
    framesOut: 0,
    keyframesOut: 0,
    framesDropped: 0,
    ssrcChanges: 0,
  };
  private ssrc: number | undefined;
  private lastSequence: number | undefined;
  private units: Unit[] = [];
  /** Payload octets of the picture in progress. */
  private octets = 0;
  private timestamp: number | undefined;
  /** The picture in progress already lost a packet: it is dropped when it ends. */
  private broken = false;
  private awaitingKeyframe = true;
  /**
   * Packets may be missing before the next packet that carries payload: after loss, and at the
   * start of a stream (the first packet heard may be in the middle of a picture).
   */
  private lossPending = true;

  constructor(private readonly format: PayloadAssembler<Unit>) {}

  /** True until the first key frame and after every loss until the next one. */
  get needsKeyframe(): boolean {
    return this.awaitingKeyframe;
  }

  /**
   * Adds one RTP packet (its header from werift-rtp's `RtpPacket.deSerialize`, padding removed).
   * Never throws on network input: malformed payloads are counted and treated like loss.
   */
  push(packet: RtpPacket): DepacketizeResult {
    const frames: EncodedVideoFrame[] = [];
    const { ssrc, sequenceNumber, timestamp, marker } = packet.header;
    this.stats.packets++;

    if (this.ssrc !== ssrc) {
      if (this.ssrc !== undefined) {
        this.stats.ssrcChanges++;
        this.dropInProgress();
        this.awaitingKeyframe = true;
      }
      this.ssrc = ssrc;
      this.lastSequence = undefined;
      this.lossPending = true;
    }

    if (this.lastSequence !== undefined) {
      const delta = (sequenceNumber - this.lastSequence) & 0xffff;
      if (delta === 0 || delta >= 0x8000) {
        this.stats.latePackets++;
        return { frames, needsKeyframe: this.awaitingKeyframe };
      }
      if (delta > 1) {
        this.stats.lostPackets += delta - 1;
        this.awaitingKeyframe = true;
        this.lossPending = true;
      }
    }
    this.lastSequence = sequenceNumber;

    // Padding-only packets (RFC 3550 §5.1 P bit) keep the sequence but carry no picture data.
    if (packet.payload.length === 0) return { frames, needsKeyframe: this.awaitingKeyframe };

    const gap = this.lossPending;
    this.lossPending = false;
    if (this.timestamp !== undefined && timestamp !== this.timestamp) {
      // Without loss, a new timestamp ends a picture whose sender omitted the marker; after loss,
      // the picture in progress may have lost its tail and is dropped.
      if (gap) this.dropInProgress();
      else this.finish(frames);
    } else if (gap && this.timestamp !== undefined) {
      this.broken = true;
    }
    // Loss right before a new picture: it is whole only if this packet is its first one.
    const headMayBeLost = gap && this.timestamp === undefined;
    this.timestamp = timestamp;

    try {
      const unit = this.format.parse(packet.payload);
      if (headMayBeLost && (unit === undefined || !this.format.startsPicture(unit))) this.broken = true;
      this.octets += packet.payload.length;
      if (this.octets > MAX_PICTURE_OCTETS && !this.broken) {
        // Oversized: dropped when it ends; its units are not kept meanwhile.
        this.markLoss();
        this.units = [];
      }
      // A broken picture is dropped when it ends: only a whole one needs its units.
      if (unit !== undefined && !this.broken) this.units.push(unit);
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      this.stats.malformedPackets++;
      this.markLoss();
    }
    if (marker) this.finish(frames);
    return { frames, needsKeyframe: this.awaitingKeyframe };
  }

  /** Forgets the picture in progress and waits for a key frame (e.g. after a re-INVITE). */
  reset(): void {
    this.dropInProgress();
    this.lastSequence = undefined;
    this.lossPending = true;
    this.awaitingKeyframe = true;
  }

  private markLoss(): void {
    this.broken = true;
    this.awaitingKeyframe = true;
  }

  private dropInProgress(): void {
    if (this.units.length > 0 || this.broken) this.stats.framesDropped++;
    this.units = [];
    this.octets = 0;
    this.timestamp = undefined;
    this.broken = false;
  }

  private finish(out: EncodedVideoFrame[]): void {
    const rtpTimestamp = this.timestamp;
    const units = this.units;
    const broken = this.broken;
    this.units = [];
    this.octets = 0;
    this.timestamp = undefined;
    this.broken = false;
    if (rtpTimestamp === undefined) return;
    if (units.length === 0) {
      if (broken) this.stats.framesDropped++;
      return;
    }
    const picture = broken ? undefined : this.format.assemble(units);
    if (!picture) {
      this.stats.framesDropped++;
      this.awaitingKeyframe = true;
      return;
    }
    if (this.awaitingKeyframe && !picture.keyframe) {
      this.stats.framesDropped++;
      return;
    }
    if (picture.keyframe) {
      this.awaitingKeyframe = false;
      this.stats.keyframesOut++;
    }
    this.stats.framesOut++;
    out.push({ data: picture.data, rtpTimestamp, keyframe: picture.keyframe });
  }
}
