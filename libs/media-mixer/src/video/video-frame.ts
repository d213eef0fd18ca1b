/**
 * Shapes shared by the video payload formats: the encoded frames that depacketizers produce and
 * packetizers consume, and the RTP payloads packetizers produce (RTP headers are added by the
 * sending stream with werift-rtp's `RtpHeader`, which owns SSRC, sequence numbers and timestamps).
 */

/** Largest RTP payload the MCU sends, in octets: 1200 leaves room for IP, UDP, RTP and tunnels. */
export const DEFAULT_MAX_PAYLOAD_OCTETS = 1200;

/** One encoded picture: an H.264 access unit (Annex B), a VP8 frame, or an H.263 picture. */
export interface EncodedVideoFrame {
  /** The bitstream of the picture in the form its decoder reads from a file or pipe. */
  readonly data: Buffer;
  /** RTP timestamp of the picture (90 kHz clock for every video format here, RFC 3551 §5). */
  readonly rtpTimestamp: number;
  /** The picture can be decoded without earlier ones (IDR with SPS/PPS, VP8 key frame, INTRA). */
  readonly keyframe: boolean;
}

/** One RTP payload and the marker bit its packet carries (set on the last packet of a picture). */
export interface RtpPayloadChunk {
  readonly payload: Buffer;
  readonly marker: boolean;
}

/** What a depacketizer returns for each RTP packet pushed into it. */
export interface DepacketizeResult {
  /** Pictures completed by this packet, in order (usually none or one). */
  readonly frames: EncodedVideoFrame[];
  /**
   * The stream cannot be decoded until a key frame arrives: at the start, after loss, a malformed
   * packet or an SSRC change. Stays true until a key frame is delivered; the caller asks the
   * sender for one (`KeyframeRequester`).
   */
  readonly needsKeyframe: boolean;
}

/** Counters of a depacketizer, for the per-participant stats. */
export interface DepacketizerStats {
  /** RTP packets pushed. */
  packets: number;
  /** Packets whose payload broke the format (counted, their picture dropped). */
  malformedPackets: number;
  /** Packets missing by sequence number. */
  lostPackets: number;
  /** Duplicates and packets older than the last one accepted (ignored). */
  latePackets: number;
  /** Pictures delivered. */
  framesOut: number;
  /** Key frames among them. */
  keyframesOut: number;
  /** Pictures dropped: incomplete, malformed, or not decodable while waiting for a key frame. */
  framesDropped: number;
  /** Times the sender's SSRC changed. */
  ssrcChanges: number;
}
