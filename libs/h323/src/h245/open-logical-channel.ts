/**
 * OpenLogicalChannel contents for RTP audio over H.225.0 (H.245 Annex B.3.1 OpenLogicalChannel, H2250LogicalChannelParameters;
 * H.245 Annex B.3.2 OpenLogicalChannelAck, H2250LogicalChannelAckParameters; H.323 §6.2.8.1 / §5.2: session ID 1 is audio).
 *
 * Shapes follow the H323Plus reference captures: the opener of a channel puts its RTCP address in
 * `mediaControlChannel`; the receiver answers with its RTP (`mediaChannel`) and RTCP (`mediaControlChannel`)
 * addresses in the ack.
 */
import type { H245Types } from '../asn1/generated';
import { isAudioCodecName, type AudioCodecName } from './capabilities';
import { fromTransportAddress, toTransportAddress, type MediaAddress } from './media-address';
import { h264MediaPacketization, H263_STATIC_PAYLOAD_TYPE, packetizationModeOf, parseVideoCapability, videoCapability, type VideoCapabilityDescription } from './video-capabilities';

/** RTP session ID of audio (H.245 Annex B.3.1, H2250LogicalChannelParameters.sessionID; H.323 §6.2.8.1). */
export const AUDIO_SESSION_ID = 1;
/** RTP session ID of the primary video (H.245 Annex B.3.1; H.323 §6.2.8.1). */
export const VIDEO_SESSION_ID = 2;

/** The RTP payload format of a video channel (SDP encoding names: RFC 6184, RFC 2190, RFC 4629). */
export type VideoRtpFormat = 'H264' | 'H263' | 'H263-1998';

/** What one direction of an OLC carries. */
export interface ParsedChannelParameters {
  /** The DataType alternative: 'audioData', 'videoData', 'nullData', … */
  readonly dataType: string;
  /** For audioData of a codec we support. */
  readonly codec?: AudioCodecName;
  /** maxAl-sduAudioFrames (ms per packet) of that codec. */
  readonly framesPerPacket?: number;
  /** H2250LogicalChannelParameters.sessionID, when the multiplex parameters are H.225.0. */
  readonly sessionId?: number;
  readonly mediaChannel?: MediaAddress;
  readonly mediaControlChannel?: MediaAddress;
  readonly dynamicRtpPayloadType?: number;
  /** Whether the multiplex parameters are h2250LogicalChannelParameters. */
  readonly h2250: boolean;
  /** For videoData of a codec we understand (H.263, H.264 Baseline per H.241). */
  readonly video?: VideoCapabilityDescription;
  /**
   * For such video: the RTP payload format (H.263 with a dynamic payload type and RFC 2429/4629 packetization is
   * H263-1998, else RFC 2190) and, for H.264, the packetization mode of mediaPacketization (H.241 §8.3.2; absent
   * = 0), undefined when it names one we do not know.
   */
  readonly videoFormat?: VideoRtpFormat;
  readonly h264PacketizationMode?: 0 | 1;
}

/** An OpenLogicalChannel reduced to what the MCU acts on. */
export interface ParsedOlc {
  readonly channelNumber: number;
  /** The direction the opener transmits in. */
  readonly forward: ParsedChannelParameters;
  /** Present for bi-directional channels and for fastStart receive proposals (forward nullData). */
  readonly reverse?: ParsedChannelParameters;
}

function parseH2250(
  dataType: H245Types.DataType,
  multiplex: { tag: string; value?: unknown } | undefined,
): ParsedChannelParameters {
  const audio = dataType.tag === 'audioData' ? dataType.value : undefined;
  const codec = audio && isAudioCodecName(audio.tag) && typeof audio.value === 'number' ? audio.tag : undefined;
  const video = dataType.tag === 'videoData' ? parseVideoCapability(dataType.value) : undefined;
  const base = {
    dataType: dataType.tag,
    ...(codec ? { codec, framesPerPacket: (audio as { value: number }).value } : {}),
    ...(video ? { video } : {}),
  };
  if (multiplex?.tag !== 'h2250LogicalChannelParameters') return { ...base, h2250: false };
  const p = multiplex.value as H245Types.H2250LogicalChannelParameters;
  const videoDetails = video ? videoFormatOf(video, p) : {};
  const mediaChannel = fromTransportAddress(p.mediaChannel);
  const mediaControlChannel = fromTransportAddress(p.mediaControlChannel);
  return {
    ...base,
    h2250: true,
    sessionId: p.sessionID,
    ...(mediaChannel ? { mediaChannel } : {}),
    ...(mediaControlChannel ? { mediaControlChannel } : {}),
    ...(p.dynamicRTPPayloadType !== undefined ? { dynamicRtpPayloadType: p.dynamicRTPPayloadType } : {}),
    ...videoDetails,
  };
}

function videoFormatOf(video: VideoCapabilityDescription, p: H245Types.H2250LogicalChannelParameters): { videoFormat?: VideoRtpFormat; h264PacketizationMode?: 0 | 1 } {
  if (video.codec === 'h264') {
    const mode = packetizationModeOf(p.mediaPacketization);
    return mode === undefined ? {} : { videoFormat: 'H264', h264PacketizationMode: mode };
  }
  const d = p.mediaPacketization?.tag === 'rtpPayloadType' ? p.mediaPacketization.value.payloadDescriptor : undefined;
  const rfc = d?.tag === 'rfc-number' ? Number(d.value) : undefined;
  if (p.dynamicRTPPayloadType !== undefined && (rfc === 2429 || rfc === 4629)) return { videoFormat: 'H263-1998' };
  if (rfc !== undefined && rfc !== 2190) return {};
  return { videoFormat: 'H263' };
}

/** The RTP payload type of a video channel: the dynamic one given, else 34 for RFC 2190 H.263 (RFC 3551 §6). */
export function videoPayloadTypeOf(parsed: Pick<ParsedChannelParameters, 'dynamicRtpPayloadType' | 'videoFormat'>): number | undefined {
  if (parsed.dynamicRtpPayloadType !== undefined) return parsed.dynamicRtpPayloadType;
  return parsed.videoFormat === 'H263' ? H263_STATIC_PAYLOAD_TYPE : undefined;
}

/** Reduces an OpenLogicalChannel (H.245 Annex B.3.1) to {@link ParsedOlc}; never throws. */
export function parseOlc(olc: H245Types.OpenLogicalChannel): ParsedOlc {
  const f = olc.forwardLogicalChannelParameters;
  const r = olc.reverseLogicalChannelParameters;
  return {
    channelNumber: olc.forwardLogicalChannelNumber,
    forward: parseH2250(f.dataType, f.multiplexParameters),
    ...(r ? { reverse: parseH2250(r.dataType, r.multiplexParameters) } : {}),
  };
}

/** Parameters of an audio channel we open. */
export interface AudioOlcParameters {
  /** forwardLogicalChannelNumber, 1..65535. */
  readonly channelNumber: number;
  readonly codec: AudioCodecName;
  /** ms of audio per packet (maxAl-sduAudioFrames). */
  readonly framesPerPacket: number;
  /** Our RTCP address (mediaControlChannel). */
  readonly rtcp: MediaAddress;
  /** Our RTP address, only for fastStart answers/proposals where we receive. */
  readonly rtp?: MediaAddress;
  readonly sessionId?: number;
}

/** H2250LogicalChannelParameters of an audio channel (H.245 Annex B.3.1). */
export function h2250Parameters(
  p: { sessionId?: number; rtp?: MediaAddress; rtcp: MediaAddress },
  silenceSuppression: boolean | undefined,
): H245Types.H2250LogicalChannelParameters {
  return {
    sessionID: p.sessionId ?? AUDIO_SESSION_ID,
    ...(p.rtp ? { mediaChannel: toTransportAddress(p.rtp) } : {}),
    mediaGuaranteedDelivery: false,
    mediaControlChannel: toTransportAddress(p.rtcp),
    ...(silenceSuppression === undefined ? {} : { silenceSuppression }),
  };
}

/**
 * The OpenLogicalChannel for an audio channel we transmit on (H.245 Annex B.3.1; H.323 §8.3): audioData of the codec,
 * H2250LogicalChannelParameters with the session ID, our RTCP address and silenceSuppression false.
 * @throws RangeError when an address is not IPv4 or a port is out of range.
 */
export function buildAudioOlc(p: AudioOlcParameters): H245Types.OpenLogicalChannel {
  return {
    forwardLogicalChannelNumber: p.channelNumber,
    forwardLogicalChannelParameters: {
      dataType: { tag: 'audioData', value: { tag: p.codec, value: p.framesPerPacket } as H245Types.AudioCapability },
      multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: h2250Parameters(p, false) },
    },
  };
}

/** Parameters of a video channel we open. */
export interface VideoOlcParameters {
  readonly channelNumber: number;
  /** What we send: codec, picture sizes or level, maxBitRate (100 bit/s). */
  readonly video: VideoCapabilityDescription;
  /** Our RTCP address (mediaControlChannel). */
  readonly rtcp: MediaAddress;
  /** H.264: dynamic RTP payload type (96..127, default 96) and packetization mode (default 0, H.241 §8.3.2). */
  readonly payloadType?: number;
  readonly packetizationMode?: 0 | 1;
}

/**
 * The OpenLogicalChannel for a video channel we transmit on (H.245 Annex B.3.1; H.323 §8.3): videoData of the
 * codec, H2250LogicalChannelParameters of session 2 with our RTCP address; H.264 with its dynamic payload type
 * and the mediaPacketization of its packetization mode (H.241 §8.3.2); H.263 on static payload type 34
 * (RFC 2190, no dynamicRTPPayloadType).
 * @throws RangeError when an address is not IPv4, a port is out of range, or the description is invalid.
 */
export function buildVideoOlc(p: VideoOlcParameters): H245Types.OpenLogicalChannel {
  const h264 = p.video.codec === 'h264';
  const payloadType = p.payloadType ?? 96;
  return {
    forwardLogicalChannelNumber: p.channelNumber,
    forwardLogicalChannelParameters: {
      dataType: { tag: 'videoData', value: videoCapability(p.video) },
      multiplexParameters: {
        tag: 'h2250LogicalChannelParameters',
        value: {
          ...h2250Parameters({ sessionId: VIDEO_SESSION_ID, rtcp: p.rtcp }, undefined),
          ...(h264 ? { dynamicRTPPayloadType: payloadType, mediaPacketization: h264MediaPacketization(p.packetizationMode ?? 0, payloadType) } : {}),
        },
      },
    },
  };
}

/**
 * OpenLogicalChannelAck accepting an incoming channel (H.245 Annex B.3.2): H2250LogicalChannelAckParameters with
 * the session ID, our RTP (mediaChannel) and RTCP (mediaControlChannel) addresses and flowControlToZero false.
 * @throws RangeError when an address is not IPv4 or a port is out of range.
 */
export function buildOlcAck(
  channelNumber: number,
  p: { sessionId?: number; rtp: MediaAddress; rtcp: MediaAddress },
): H245Types.OpenLogicalChannelAck {
  return {
    forwardLogicalChannelNumber: channelNumber,
    forwardMultiplexAckParameters: {
      tag: 'h2250LogicalChannelAckParameters',
      value: {
        sessionID: p.sessionId ?? AUDIO_SESSION_ID,
        mediaChannel: toTransportAddress(p.rtp),
        mediaControlChannel: toTransportAddress(p.rtcp),
        flowControlToZero: false,
      },
    },
  };
}

/** The remote addresses in an OpenLogicalChannelAck (H.245 Annex B.3.2); absent fields are undefined. */
export function parseOlcAck(ack: H245Types.OpenLogicalChannelAck): { rtp?: MediaAddress; rtcp?: MediaAddress; sessionId?: number } {
  const m = ack.forwardMultiplexAckParameters;
  if (m?.tag !== 'h2250LogicalChannelAckParameters') return {};
  const rtp = fromTransportAddress(m.value.mediaChannel);
  const rtcp = fromTransportAddress(m.value.mediaControlChannel);
  return { ...(rtp ? { rtp } : {}), ...(rtcp ? { rtcp } : {}), ...(m.value.sessionID !== undefined ? { sessionId: m.value.sessionID } : {}) };
}
