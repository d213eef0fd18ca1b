/**
 * Fast Connect (H.323 §8.1.7): OpenLogicalChannel proposals carried in `fastStart` of Setup, and the callee's
 * answer in CallProceeding/Alerting/Connect.
 *
 * Directions are named from the side that *builds* the structure:
 * - the caller's transmit proposal: forward = audio, H2250 with the caller's RTCP; the callee accepts it by
 *   returning it with the same channel number and its own RTP (mediaChannel) and RTCP in the forward parameters;
 * - the caller's receive proposal: forward = nullData/none, reverse = audio with the caller's RTP and RTCP; the
 *   callee accepts it by returning it with a channel number of its own choice and its RTCP in the reverse
 *   parameters (as H323Plus does in the reference captures).
 * Proposals for one session and direction are alternatives in the caller's preference order; the callee picks at
 * most one per direction and media type (H.323 §8.1.7.1).
 */
import type { H245Types } from '../asn1/generated';
import type { AudioCodecName } from './capabilities';
import type { MediaAddress } from './media-address';
import { AUDIO_SESSION_ID, h2250Parameters, parseOlc, type ParsedOlc } from './open-logical-channel';
import { checkVideoParameters } from './channel-table';
import type { VideoChannelMedia } from './h245-events';
import { h264MediaPacketization, videoCapability, type VideoCapabilityDescription, type VideoCodecName } from './video-capabilities';
import { VIDEO_SESSION_ID } from './open-logical-channel';

/** A fastStart proposal to build (caller side). */
export interface FastStartProposalParameters {
  /** 'transmit': we send (forward audio); 'receive': we receive (reverse audio, forward nullData). */
  readonly direction: 'transmit' | 'receive';
  readonly channelNumber: number;
  readonly codec: AudioCodecName;
  /** ms of audio per packet; default 20. */
  readonly framesPerPacket?: number;
  /** Our RTP address (used in receive proposals). */
  readonly rtp: MediaAddress;
  /** Our RTCP address. */
  readonly rtcp: MediaAddress;
  readonly sessionId?: number;
}

function audioDataType(codec: AudioCodecName, frames: number): H245Types.DataType {
  return { tag: 'audioData', value: { tag: codec, value: frames } as H245Types.AudioCapability };
}

/**
 * Builds one fastStart proposal (H.323 §8.1.7.1), shaped like H323Plus's.
 * @throws RangeError when an address is not IPv4 or a port is out of range.
 */
export function buildFastStartOlc(p: FastStartProposalParameters): H245Types.OpenLogicalChannel {
  const frames = p.framesPerPacket ?? 20;
  const sessionId = p.sessionId ?? AUDIO_SESSION_ID;
  if (p.direction === 'transmit') {
    return {
      forwardLogicalChannelNumber: p.channelNumber,
      forwardLogicalChannelParameters: {
        dataType: audioDataType(p.codec, frames),
        multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: h2250Parameters({ sessionId, rtcp: p.rtcp }, false) },
      },
    };
  }
  return {
    forwardLogicalChannelNumber: p.channelNumber,
    forwardLogicalChannelParameters: { dataType: { tag: 'nullData', value: null }, multiplexParameters: { tag: 'none', value: null } },
    reverseLogicalChannelParameters: {
      dataType: audioDataType(p.codec, frames),
      multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: h2250Parameters({ sessionId, rtp: p.rtp, rtcp: p.rtcp }, undefined) },
    },
  };
}

/** One proposal the callee accepts. */
export interface ChosenFastStartProposal {
  /** The proposal as received. */
  readonly proposal: H245Types.OpenLogicalChannel;
  /** Its index in the received list. */
  readonly index: number;
  readonly parsed: ParsedOlc;
  readonly codec: AudioCodecName;
  readonly framesPerPacket: number;
  readonly sessionId: number;
  /** Where we send RTP (receive proposals of the caller: our transmit channel). */
  readonly remoteRtp?: MediaAddress;
  /** The caller's RTCP address. */
  readonly remoteRtcp?: MediaAddress;
}

/** The callee's choice, per media type, named from the callee's side. */
export interface FastStartChoice {
  readonly audio: {
    /** The caller's transmit proposal we accept: we receive on it. */
    readonly receive?: ChosenFastStartProposal;
    /** The caller's receive proposal we accept: we transmit on it. */
    readonly transmit?: ChosenFastStartProposal;
  };
}

/**
 * Chooses at most one transmit and one receive audio proposal (H.323 §8.1.7.1): the caller's first proposal per
 * direction whose codec we support, preferring for our transmit direction the codec chosen for the receive one.
 * Proposals that are not H.225.0 audio of session 1 are ignored (not accepted). Never throws.
 * @param proposals the decoded fastStart OLCs, in the order received
 * @param audio codecs we support
 */
export function chooseFastStartProposals(proposals: readonly H245Types.OpenLogicalChannel[], audio: readonly AudioCodecName[]): FastStartChoice {
  const receive: ChosenFastStartProposal[] = [];
  const transmit: ChosenFastStartProposal[] = [];
  proposals.forEach((proposal, index) => {
    const parsed = parseOlc(proposal);
    const callerTransmits = parsed.forward.dataType === 'audioData';
    const side = callerTransmits ? parsed.forward : parsed.reverse;
    if (!side || !side.h2250 || side.codec === undefined || side.framesPerPacket === undefined) return;
    if (side.sessionId !== AUDIO_SESSION_ID || !audio.includes(side.codec)) return;
    if (!callerTransmits && parsed.forward.dataType !== 'nullData') return;
    if (callerTransmits && parsed.reverse && parsed.reverse.dataType !== 'nullData') return;
    const chosen: ChosenFastStartProposal = {
      proposal,
      index,
      parsed,
      codec: side.codec,
      framesPerPacket: side.framesPerPacket,
      sessionId: side.sessionId,
      ...(side.mediaChannel && !callerTransmits ? { remoteRtp: side.mediaChannel } : {}),
      ...(side.mediaControlChannel ? { remoteRtcp: side.mediaControlChannel } : {}),
    };
    (callerTransmits ? receive : transmit).push(chosen);
  });
  const rx = receive[0];
  const tx = (rx && transmit.find((t) => t.codec === rx.codec)) ?? transmit.find((t) => t.remoteRtp !== undefined);
  return { audio: { ...(rx ? { receive: rx } : {}), ...(tx ? { transmit: tx } : {}) } };
}

/**
 * The callee's answer to an accepted proposal (H.323 §8.1.7.1):
 * - to a caller's transmit proposal: the proposal with the same channel number, our RTP and RTCP in the forward
 *   H2250 parameters;
 * - to a caller's receive proposal: our channel number, forward nullData/none, the reverse parameters with the
 *   codec and our RTCP.
 * @param chosen from {@link chooseFastStartProposals}
 * @param local our RTP and RTCP addresses; `channelNumber` names our transmit channel (receive proposals only)
 * @throws RangeError when an address is not IPv4 or a port is out of range.
 */
export function buildOlcForFastStartAnswer(
  chosen: ChosenFastStartProposal,
  local: { rtp: MediaAddress; rtcp: MediaAddress; channelNumber: number },
): H245Types.OpenLogicalChannel {
  const dataType = audioDataType(chosen.codec, chosen.framesPerPacket);
  if (chosen.parsed.forward.dataType === 'audioData') {
    return {
      forwardLogicalChannelNumber: chosen.proposal.forwardLogicalChannelNumber,
      forwardLogicalChannelParameters: {
        dataType,
        multiplexParameters: {
          tag: 'h2250LogicalChannelParameters',
          value: h2250Parameters({ sessionId: chosen.sessionId, rtp: local.rtp, rtcp: local.rtcp }, undefined),
        },
      },
    };
  }
  return {
    forwardLogicalChannelNumber: local.channelNumber,
    forwardLogicalChannelParameters: { dataType: { tag: 'nullData', value: null }, multiplexParameters: { tag: 'none', value: null } },
    reverseLogicalChannelParameters: {
      dataType,
      multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: h2250Parameters({ sessionId: chosen.sessionId, rtcp: local.rtcp }, false) },
    },
  };
}

/** One video proposal the callee accepts (H.323 §8.1.7.1), with what the channel carries. */
export interface ChosenFastStartVideo {
  readonly proposal: H245Types.OpenLogicalChannel;
  readonly index: number;
  readonly parsed: ParsedOlc;
  readonly media: VideoChannelMedia;
  /** Where we send RTP (the caller's receive proposal). */
  readonly remoteRtp?: MediaAddress;
  readonly remoteRtcp?: MediaAddress;
}

/**
 * Chooses at most one video proposal per direction (H.323 §8.1.7.1), named from the callee's side: `receive` is
 * the caller's first transmit proposal (forward videoData) of a codec in `video`, `transmit` its first receive
 * proposal (forward nullData, reverse videoData with its RTP address), preferring the codec of `receive`.
 * Proposals that are not usable H.225.0 video of session 2 (see checkVideoParameters) are ignored. Never throws.
 */
export function chooseFastStartVideo(
  proposals: readonly H245Types.OpenLogicalChannel[],
  video: readonly VideoCodecName[],
): { receive?: ChosenFastStartVideo; transmit?: ChosenFastStartVideo } {
  const receive: ChosenFastStartVideo[] = [];
  const transmit: ChosenFastStartVideo[] = [];
  proposals.forEach((proposal, index) => {
    const parsed = parseOlc(proposal);
    const callerTransmits = parsed.forward.dataType === 'videoData';
    const side = callerTransmits ? parsed.forward : parsed.reverse;
    if (!side || side.dataType !== 'videoData') return;
    if (!callerTransmits && parsed.forward.dataType !== 'nullData') return;
    if (callerTransmits && parsed.reverse && parsed.reverse.dataType !== 'nullData') return;
    const media = checkVideoParameters(side, video);
    if ('cause' in media) return;
    if (!callerTransmits && !side.mediaChannel) return;
    (callerTransmits ? receive : transmit).push({
      proposal,
      index,
      parsed,
      media,
      ...(side.mediaChannel && !callerTransmits ? { remoteRtp: side.mediaChannel } : {}),
      ...(side.mediaControlChannel ? { remoteRtcp: side.mediaControlChannel } : {}),
    });
  });
  const rx = receive[0];
  const tx = (rx && transmit.find((t) => t.media.video.codec === rx.media.video.codec)) ?? transmit[0];
  return { ...(rx ? { receive: rx } : {}), ...(tx ? { transmit: tx } : {}) };
}

/**
 * The callee's answer to an accepted video proposal (H.323 §8.1.7.1), the proposal's data type and payload
 * parameters echoed: to a caller's transmit proposal, the same channel number with our video RTP and RTCP in the
 * forward parameters; to a caller's receive proposal, our `channelNumber`, forward nullData, our RTCP in the
 * reverse parameters.
 * @throws RangeError when an address is not IPv4 or a port is out of range.
 */
export function buildVideoOlcForFastStartAnswer(
  chosen: ChosenFastStartVideo,
  local: { rtp: MediaAddress; rtcp: MediaAddress; channelNumber: number },
): H245Types.OpenLogicalChannel {
  const callerTransmits = chosen.parsed.forward.dataType === 'videoData';
  const side = callerTransmits ? chosen.proposal.forwardLogicalChannelParameters : chosen.proposal.reverseLogicalChannelParameters;
  const given = side?.multiplexParameters?.tag === 'h2250LogicalChannelParameters' ? (side.multiplexParameters.value as H245Types.H2250LogicalChannelParameters) : undefined;
  const payload = {
    ...(given?.dynamicRTPPayloadType === undefined ? {} : { dynamicRTPPayloadType: given.dynamicRTPPayloadType }),
    ...(given?.mediaPacketization === undefined ? {} : { mediaPacketization: given.mediaPacketization }),
  };
  const dataType = side?.dataType ?? { tag: 'nullData', value: null };
  if (callerTransmits) {
    return {
      forwardLogicalChannelNumber: chosen.proposal.forwardLogicalChannelNumber,
      forwardLogicalChannelParameters: {
        dataType,
        multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: { ...h2250Parameters({ sessionId: chosen.media.sessionId, rtp: local.rtp, rtcp: local.rtcp }, undefined), ...payload } },
      },
    };
  }
  return {
    forwardLogicalChannelNumber: local.channelNumber,
    forwardLogicalChannelParameters: { dataType: { tag: 'nullData', value: null }, multiplexParameters: { tag: 'none', value: null } },
    reverseLogicalChannelParameters: {
      dataType,
      multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: { ...h2250Parameters({ sessionId: chosen.media.sessionId, rtcp: local.rtcp }, undefined), ...payload } },
    },
  };
}

/**
 * A caller's video proposal (H.323 §8.1.7.1), session 2: 'transmit' (forward videoData, our RTCP) or 'receive'
 * (forward nullData, reverse videoData with our RTP and RTCP). H.264 carries its dynamic payload type (default
 * 96) and packetization mode (default 0, H.241 §8.3.2); H.263 goes on payload type 34 (RFC 2190).
 * @throws RangeError when an address is not IPv4, a port is out of range, or the description is invalid.
 */
export function buildFastStartVideoOlc(p: {
  direction: 'transmit' | 'receive';
  channelNumber: number;
  video: VideoCapabilityDescription;
  rtp: MediaAddress;
  rtcp: MediaAddress;
  payloadType?: number;
  packetizationMode?: 0 | 1;
}): H245Types.OpenLogicalChannel {
  const dataType: H245Types.DataType = { tag: 'videoData', value: videoCapability(p.video) };
  const payloadType = p.payloadType ?? 96;
  const payload = p.video.codec === 'h264' ? { dynamicRTPPayloadType: payloadType, mediaPacketization: h264MediaPacketization(p.packetizationMode ?? 0, payloadType) } : {};
  if (p.direction === 'transmit') {
    return {
      forwardLogicalChannelNumber: p.channelNumber,
      forwardLogicalChannelParameters: {
        dataType,
        multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: { ...h2250Parameters({ sessionId: VIDEO_SESSION_ID, rtcp: p.rtcp }, undefined), ...payload } },
      },
    };
  }
  return {
    forwardLogicalChannelNumber: p.channelNumber,
    forwardLogicalChannelParameters: { dataType: { tag: 'nullData', value: null }, multiplexParameters: { tag: 'none', value: null } },
    reverseLogicalChannelParameters: {
      dataType,
      multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: { ...h2250Parameters({ sessionId: VIDEO_SESSION_ID, rtp: p.rtp, rtcp: p.rtcp }, undefined), ...payload } },
    },
  };
}
