import type { AudioCodecName } from '../h245/capabilities';
import type { VideoRtpFormat } from '../h245/open-logical-channel';

/** An IPv4 transport address: dotted quad and port. */
export interface H323TransportAddress {
  readonly address: string;
  readonly port: number;
}

/** Codec names the owner sees (RTP encoding names of RFC 3551 §4.5). */
export type H323AudioCodec = 'PCMU' | 'PCMA' | 'G722';

/**
 * One open audio logical channel, described without H.245 terms for the owner (the app bridge hands it to the
 * RTP/mixer plane). Emitted as the call's `media` event once per direction (H.323 §8.1.7 Fast Connect or
 * H.245 §8.4 logical channel signalling).
 */
export interface H323MediaChannel {
  readonly kind: 'audio';
  /** 'send': we transmit to `remoteRtp`; 'receive': the peer transmits to our `localRtpPort`. */
  readonly direction: 'send' | 'receive';
  readonly codec: H323AudioCodec;
  /** RTP payload type (static: 0 PCMU, 8 PCMA, 9 G722). */
  readonly payloadType: number;
  /** RTP clock rate, Hz (8000 for all three; G.722's RTP clock is 8000 Hz, RFC 3551 §4.5.2). */
  readonly clockRate: number;
  /** ms of audio per packet (maxAl-sduAudioFrames). */
  readonly framesPerPacket: number;
  /** Where to send RTP (send direction), or where the peer said it sends from/receives (receive, when known). */
  readonly remoteRtp?: H323TransportAddress;
  readonly remoteRtcp?: H323TransportAddress;
  /** Our RTP port, on the call's local media address. */
  readonly localRtpPort: number;
  /** H.245 logical channel number. */
  readonly channelNumber: number;
}

/**
 * One open video logical channel (H.245 §8.4, session 2), described for the owner: emitted as the call's `video`
 * event once per direction.
 */
export interface H323VideoChannel {
  readonly kind: 'video';
  /** 'send': we transmit to `remoteRtp`; 'receive': the peer transmits to our `localRtpPort`. */
  readonly direction: 'send' | 'receive';
  /** RTP payload format (RFC 6184 H264, RFC 2190 H263, RFC 4629 H263-1998). */
  readonly codec: VideoRtpFormat;
  /** RTP payload type: the channel's dynamicRTPPayloadType, or 34 for RFC 2190 H.263. */
  readonly payloadType: number;
  /** RTP clock rate, Hz (90000 for video, RFC 3551 §5). */
  readonly clockRate: number;
  /** maxBitRate of the channel, bits/s (H.245 maxBitRate × 100). */
  readonly maxBitrateBps: number;
  /**
   * Picture size, pixels: H.263 from the MPI fields (CIF if allowed, else QCIF, else SQCIF); H.264 from the level
   * (QCIF below 1.1, CIF below 3, 640×360 from 3).
   */
  readonly width: number;
  readonly height: number;
  /** H.264: packetization mode (H.241 §8.3.2) and the RFC 6184 profile-level-id of the H.241 level. */
  readonly packetizationMode?: 0 | 1;
  readonly profileLevelId?: string;
  /** H.241 level (H.264) of the channel. */
  readonly level?: number;
  readonly remoteRtp?: H323TransportAddress;
  readonly remoteRtcp?: H323TransportAddress;
  /** Our video RTP port. */
  readonly localRtpPort: number;
  readonly channelNumber: number;
}

/**
 * Our media transport for one call: where we receive RTP (RTCP on port + 1, RFC 3550 §11), and, when the call
 * may carry video, where we receive video RTP (its own port pair, RTP session 2).
 */
export interface H323LocalMedia {
  readonly address: string;
  readonly rtpPort: number;
  /** Our even video RTP port (RTCP on + 1); absent: no video is announced or accepted. */
  readonly videoRtpPort?: number;
}

const CODECS: Readonly<Record<AudioCodecName, { codec: H323AudioCodec; payloadType: number; clockRate: number }>> = {
  g711Ulaw64k: { codec: 'PCMU', payloadType: 0, clockRate: 8000 },
  g711Alaw64k: { codec: 'PCMA', payloadType: 8, clockRate: 8000 },
  'g722-64k': { codec: 'G722', payloadType: 9, clockRate: 8000 },
};

/** The RTP view of an H.245 AudioCapability alternative (H.245 §6.2.8 names → RFC 3551 encodings). */
export function rtpCodecOf(name: AudioCodecName): { codec: H323AudioCodec; payloadType: number; clockRate: number } {
  return CODECS[name];
}

/** The H.245 AudioCapability alternative for an RTP codec name. */
export function h245CodecOf(codec: H323AudioCodec): AudioCodecName {
  return codec === 'PCMU' ? 'g711Ulaw64k' : codec === 'PCMA' ? 'g711Alaw64k' : 'g722-64k';
}
