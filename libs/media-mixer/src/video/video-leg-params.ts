/**
 * What the signalling side negotiated for one participant's video (SIP SDP m=video, RFC 3264; H.323
 * OpenLogicalChannel, H.245 §8.4), in the media plane's terms, and the statistics of a video leg.
 *
 * A video leg is its own RTP/RTCP port pair (`MediaEngine.allocateLeg`), started with
 * `MediaEngine.startVideoLeg`. It both sends its camera into the room and receives the composite
 * of the room in `codec` at `width`×`height`.
 */
import type { MediaDirection } from '../audio/audio-leg-params';
import type { VideoCodecName } from './ffmpeg-args';
import type { LayoutName } from './layout';

/** Video payload formats by their SDP encoding names (RFC 6184, 7741, 4629, 2190, 4587). */
export type VideoPayloadFormat = 'H264' | 'VP8' | 'H263-1998' | 'H263-2000' | 'H263' | 'H261';

/** Every format, for lookups by SDP/H.245 name (matched case-insensitively by `videoPayloadFormat`). */
export const VIDEO_PAYLOAD_FORMATS: readonly VideoPayloadFormat[] = ['H264', 'VP8', 'H263-1998', 'H263-2000', 'H263', 'H261'];

/** The pipeline codec (ffmpeg's decoder/encoder family) of each payload format. */
export const PIPELINE_CODEC: Readonly<Record<VideoPayloadFormat, VideoCodecName>> = {
  H264: 'h264',
  VP8: 'vp8',
  'H263-1998': 'h263p',
  'H263-2000': 'h263p',
  H263: 'h263',
  H261: 'h261',
};

/** The payload format named `name` (SDP encoding name, any case), or undefined. */
export function videoPayloadFormat(name: string): VideoPayloadFormat | undefined {
  const upper = name.toUpperCase();
  return VIDEO_PAYLOAD_FORMATS.find((f) => f === upper);
}

/** Parameters of one video leg. */
export interface VideoLegParams {
  /** Where RTP goes (updated by symmetric latching to where the remote's RTP comes from). */
  remoteAddress: string;
  remotePort: number;
  /** Remote RTCP port; default `remotePort + 1` (RFC 3550 §11), unused with `rtcpMux`. */
  remoteRtcpPort?: number;
  /** RTP and RTCP on one port (RFC 5761). */
  rtcpMux: boolean;
  /** Dynamic or static payload type of the negotiated format, both directions. */
  payloadType: number;
  codec: VideoPayloadFormat;
  /** RTP clock, Hz; 90000 for every video format here (RFC 3551 §5). */
  clockRate?: number;
  /** From the MCU's side: `sendrecv`, `sendonly` (we only send the composite), `recvonly`, `inactive`. */
  direction: MediaDirection;
  /** H.264 fmtp (RFC 6184 §8.1): what the receiver accepts. Default mode 1, 42e01f. */
  h264?: {
    packetizationMode: 0 | 1;
    /** Hex, e.g. `42e01f`; the encoder codes Constrained Baseline at this level. */
    profileLevelId?: string;
    /** The sender's parameter sets (base64, comma separated), fed to its decoder before its first IDR. */
    spropParameterSets?: string;
  };
  /**
   * Highest video bitrate the receiver accepts, bits/s (SDP `b=TIAS`, or `b=AS`×1000 less packet
   * overhead; H.245 `maxBitRate`×100). Default 1 000 000.
   */
  maxBitrateBps?: number;
  /** Size of the composite the receiver gets, pixels (even). Default 640×360; CIF 352×288 for H.263/H.261. */
  width?: number;
  height?: number;
  /** Frames/s of the composite; default 25 (the room's video frame clock). */
  frameRate?: number;
  /** Largest RTP payload sent, octets; default 1200. */
  maxPayloadOctets?: number;
  /**
   * Keyframe requests the remote understands (SDP `a=rtcp-fb:* nack pli`, `ccm fir`; RFC 4585/5104).
   * The MCU always sends PLI to senders that allow it, FIR when only FIR is allowed, and accepts
   * both from every receiver. Default: PLI allowed.
   */
  feedback?: { pli?: boolean; fir?: boolean };
}

/** What a participant sees of its room: set per room over REST, `PUT /api/rooms/:id/layout`. */
export interface RoomLayoutSettings {
  layout: LayoutName;
  /** Show the receiver its own camera (default false). */
  selfView: boolean;
}

/** The default layout of a room. */
export const DEFAULT_ROOM_LAYOUT: Readonly<RoomLayoutSettings> = { layout: 'auto', selfView: false };

/** Statistics of a video leg (the participant stats endpoint). Rates over the last ~2 s. */
export interface VideoLegStats {
  legId: string;
  codec: VideoPayloadFormat;
  payloadType: number;
  direction: MediaDirection;
  /** Size of the composite sent, pixels. */
  width: number;
  height: number;
  /** Our SSRC towards the remote, and the remote's. */
  ssrc: number;
  remoteSsrc?: number;
  /** RTP packets and payload octets received and sent. */
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  /** Incoming packets lost (sequence gaps), cumulative. */
  packetsLost: number;
  /** Pictures received from the remote (complete, depacketized) and decoded, per second. */
  fpsIn: number;
  /** Pictures sent to the remote, per second. */
  fpsOut: number;
  /** Incoming and outgoing RTP payload bitrate, bits/s. */
  bitrateInBps: number;
  bitrateOutBps: number;
  /** Keyframe requests the MCU sent to the remote (PLI/FIR or through signalling). */
  keyframesRequested: number;
  /** Keyframe requests the remote sent to the MCU (PLI, FIR, SIP INFO, H.245). */
  keyframeRequestsReceived: number;
  /** Keyframes (IDR, VP8 key frame, INTRA) sent to the remote. */
  keyframesSent: number;
  /** Pictures of the remote its decoder rejected, plus malformed payloads. */
  decodeErrors: number;
  /** Restarts of the ffmpeg processes serving this leg (its decoder, its encoder). */
  processRestarts: number;
}
