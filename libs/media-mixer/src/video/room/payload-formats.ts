/**
 * The RTP payload format of each negotiated video format, both ways: which depacketizer turns a
 * sender's packets into pictures and which packetizer turns coded pictures into a receiver's
 * payloads (RFC 6184 H.264, RFC 7741 VP8, RFC 4629 H.263-1998/2000, RFC 2190 H.263, RFC 4587 H.261).
 */
import type { RtpPacket } from 'werift-rtp';
import { parseSpropParameterSets } from '../h264-parameters';
import { H264Depacketizer, H264Packetizer } from '../rtp-h264';
import { H261Depacketizer, H261Packetizer } from '../rtp-h261';
import { H263Depacketizer, H263Packetizer } from '../rtp-h263';
import { Rfc2190Depacketizer, Rfc2190Packetizer } from '../rtp-h263-rfc2190';
import { Vp8Depacketizer, Vp8Packetizer } from '../rtp-vp8';
import type { DepacketizeResult, DepacketizerStats, RtpPayloadChunk } from '../video-frame';
import type { VideoPayloadFormat } from '../video-leg-params';

/** What the room needs of any depacketizer. */
export interface VideoDepacketizer {
  /** Adds one RTP packet (sequence order); never throws on network input. */
  push(packet: RtpPacket): DepacketizeResult;
  /** True until the first key frame and after loss until the next one. */
  readonly needsKeyframe: boolean;
  readonly stats: Readonly<DepacketizerStats>;
  /** Forgets the picture in progress and waits for a key frame. */
  reset(): void;
}

/** What the room needs of any packetizer. */
export interface VideoPacketizer {
  /**
   * Splits one coded picture into RTP payloads, the last with the marker bit.
   * @throws CodecError / InvalidArgumentError for a picture the format cannot carry.
   */
  packetize(picture: Buffer): RtpPayloadChunk[];
}

/**
 * A depacketizer for `codec`.
 * @param spropParameterSets H.264 `sprop-parameter-sets` (RFC 6184 §8.1), used until the stream
 *   carries its own; malformed values are ignored (the stream's in-band sets still work).
 */
export function createDepacketizer(codec: VideoPayloadFormat, spropParameterSets?: string): VideoDepacketizer {
  switch (codec) {
    case 'H264': {
      let parameterSets;
      try {
        parameterSets = spropParameterSets ? parseSpropParameterSets(spropParameterSets) : undefined;
      } catch {
        parameterSets = undefined;
      }
      return new H264Depacketizer({ parameterSets });
    }
    case 'VP8':
      return new Vp8Depacketizer();
    case 'H263-1998':
    case 'H263-2000':
      return new H263Depacketizer();
    case 'H263':
      return new Rfc2190Depacketizer();
    case 'H261':
      return new H261Depacketizer();
  }
}

/** Options of `createPacketizer`. */
export interface PacketizerOptions {
  codec: VideoPayloadFormat;
  /** Largest RTP payload, octets. */
  maxPayloadOctets: number;
  /** H.264 packetization-mode (RFC 6184 §6.2, §6.3); default 1. */
  packetizationMode?: 0 | 1;
}

/**
 * A packetizer for `codec`. Each receiver has its own (the VP8 PictureID and the H.264 parameter
 * sets it repeats are per stream).
 * @throws InvalidArgumentError for a payload limit below 16 octets.
 */
export function createPacketizer(o: PacketizerOptions): VideoPacketizer {
  const maxPayloadSize = o.maxPayloadOctets;
  switch (o.codec) {
    case 'H264':
      return new H264Packetizer({ packetizationMode: o.packetizationMode ?? 1, maxPayloadSize });
    case 'VP8':
      return new Vp8Packetizer({ maxPayloadSize });
    case 'H263-1998':
    case 'H263-2000':
      return new H263Packetizer({ maxPayloadSize });
    case 'H263':
      return new Rfc2190Packetizer({ maxPayloadSize });
    case 'H261':
      return new H261Packetizer({ maxPayloadSize });
  }
}
