/**
 * The SDP file through which ffmpeg receives an RTP video stream itself (its `sdp` demuxer), as the
 * plain-ffmpeg reference of the benchmark and the interoperability tests use it (RFC 4566 session
 * description; rtpmap names from RFC 6184, RFC 7741, RFC 4629, RFC 3551).
 */
import { InvalidArgumentError } from '../errors';
import type { VideoCodecName } from './ffmpeg-args';

/** rtpmap encoding names by codec (90 kHz clock for all). */
export const RTPMAP_NAMES: Readonly<Record<VideoCodecName, string>> = {
  h264: 'H264',
  vp8: 'VP8',
  h263p: 'H263-1998',
  h263: 'H263',
  h261: 'H261',
};

/** Options of `rtpInputSdp`. */
export interface RtpInputSdpOptions {
  readonly codec: VideoCodecName;
  /** RTP payload type (0..127; 34 for H.263 and 31 for H.261 by RFC 3551). */
  readonly payloadType: number;
  /** Local UDP port ffmpeg listens on for RTP (RTCP on port + 1). */
  readonly port: number;
  /** Local IPv4 address; default 127.0.0.1. */
  readonly address?: string;
  /** `a=fmtp` parameters, e.g. `packetization-mode=1;profile-level-id=42e01f`. */
  readonly fmtp?: string;
}

/**
 * SDP text describing one video stream arriving at `address:port`.
 * @throws InvalidArgumentError for a payload type or port out of range, or an fmtp with a line break.
 */
export function rtpInputSdp(o: RtpInputSdpOptions): string {
  if (!Number.isInteger(o.payloadType) || o.payloadType < 0 || o.payloadType > 127) throw new InvalidArgumentError(`payload type ${o.payloadType}`);
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65534) throw new InvalidArgumentError(`RTP port ${o.port}`);
  if (o.fmtp !== undefined && /[\r\n]/.test(o.fmtp)) throw new InvalidArgumentError('fmtp with a line break');
  const address = o.address ?? '127.0.0.1';
  const lines = [
    'v=0',
    `o=- 0 0 IN IP4 ${address}`,
    's=tessera',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=video ${o.port} RTP/AVP ${o.payloadType}`,
    `a=rtpmap:${o.payloadType} ${RTPMAP_NAMES[o.codec]}/90000`,
    ...(o.fmtp ? [`a=fmtp:${o.payloadType} ${o.fmtp}`] : []),
    'a=recvonly',
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** ffmpeg input arguments reading an SDP file (the protocols it needs whitelisted). */
export function rtpInputArgs(sdpPath: string): string[] {
  return ['-protocol_whitelist', 'file,udp,rtp', '-f', 'sdp', '-i', sdpPath];
}
