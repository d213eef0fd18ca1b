import { decode, encode } from '../per/codec';
import { PerDecodeError } from '../per/per-error';
import { H245, type H245Types } from '../asn1/generated';
import type { AudioCodecName } from '../h245/capabilities';
import {
  buildFastStartOlc,
  buildFastStartVideoOlc,
  buildOlcForFastStartAnswer,
  buildVideoOlcForFastStartAnswer,
  chooseFastStartProposals,
  chooseFastStartVideo,
} from '../h245/fast-start';
import { checkVideoParameters } from '../h245/channel-table';
import { parseOlc } from '../h245/open-logical-channel';
import type { VideoCapabilityDescription, VideoCodecName } from '../h245/video-capabilities';
import { videoChannelOf } from './h245-session-port';
import { rtpCodecOf, type H323LocalMedia, type H323MediaChannel, type H323VideoChannel } from './media-channel';

/**
 * Fast Connect (H.323 §8.1.7) on the call signalling side: decoding the OpenLogicalChannel proposals of a Setup,
 * answering them, and reading the answer — as protocol-neutral {@link H323MediaChannel}s. The OLC shapes are
 * those of ../h245/fast-start.ts.
 */

/** A channel opened by Fast Connect and the OLC that opened it (as it appears in the answer). */
export interface FastConnectChannel {
  readonly channel: H323MediaChannel;
  readonly olc: H245Types.OpenLogicalChannel;
}

/** A video channel opened by Fast Connect and the OLC that opened it (as it appears in the answer). */
export interface FastConnectVideoChannel {
  readonly channel: H323VideoChannel;
  readonly olc: H245Types.OpenLogicalChannel;
}

/** The callee's answer: the OLC encodings for `fastStart` and the channels they open. */
export interface FastConnectAnswer {
  readonly fastStart: Buffer[];
  readonly channels: FastConnectChannel[];
  /** Video channels (only with a video port and video codecs to accept). */
  readonly videoChannels: FastConnectVideoChannel[];
  /** Proposals that did not decode (logged by the caller of this function). */
  readonly undecodable: number;
}

/** Our channel number for the transmit channel we open by Fast Connect. */
const CALLEE_TRANSMIT_CHANNEL = 1;
/** Our channel number for the transmit video channel we open by Fast Connect. */
const CALLEE_VIDEO_TRANSMIT_CHANNEL = 2;

function rtcpOf(local: H323LocalMedia): { address: string; port: number } {
  return { address: local.address, port: local.rtpPort + 1 };
}

/**
 * Chooses and answers a caller's proposals (H.323 §8.1.7.1): at most one transmit and one receive audio channel,
 * and, when `local` has a video port and `video` names codecs, at most one of each for video (session 2, on the
 * video port pair). Video alone opens nothing: without audio the answer is undefined.
 * @param proposals the Setup's fastStart encodings
 * @param codecs the audio codecs we support, in preference order
 * @param local our RTP address (and video RTP port)
 * @param video the video codecs we accept in proposals
 * @returns undefined when no audio was acceptable (answer with fastConnectRefused / H.245 instead)
 * @throws RangeError when `local` is not an IPv4 address
 */
export function answerFastConnect(
  proposals: readonly Buffer[],
  codecs: readonly AudioCodecName[],
  local: H323LocalMedia,
  video: readonly VideoCodecName[] = [],
): FastConnectAnswer | undefined {
  const decoded = decodedOlcs(proposals);
  const undecodable = proposals.length - decoded.length;
  const choice = chooseFastStartProposals(decoded, codecs).audio;
  if (!choice.receive && !choice.transmit) return undefined;
  const addresses = { rtp: { address: local.address, port: local.rtpPort }, rtcp: rtcpOf(local), channelNumber: CALLEE_TRANSMIT_CHANNEL };
  const fastStart: Buffer[] = [];
  const channels: FastConnectChannel[] = [];
  if (choice.receive) {
    const olc = buildOlcForFastStartAnswer(choice.receive, addresses);
    fastStart.push(encode(H245.OpenLogicalChannel, olc));
    channels.push({ olc, channel: {
      kind: 'audio',
      direction: 'receive',
      ...rtpCodecOf(choice.receive.codec),
      framesPerPacket: choice.receive.framesPerPacket,
      ...(choice.receive.remoteRtcp ? { remoteRtcp: choice.receive.remoteRtcp } : {}),
      localRtpPort: local.rtpPort,
      channelNumber: choice.receive.proposal.forwardLogicalChannelNumber,
    } });
  }
  if (choice.transmit?.remoteRtp) {
    const olc = buildOlcForFastStartAnswer(choice.transmit, addresses);
    fastStart.push(encode(H245.OpenLogicalChannel, olc));
    channels.push({ olc, channel: {
      kind: 'audio',
      direction: 'send',
      ...rtpCodecOf(choice.transmit.codec),
      framesPerPacket: choice.transmit.framesPerPacket,
      remoteRtp: choice.transmit.remoteRtp,
      ...(choice.transmit.remoteRtcp ? { remoteRtcp: choice.transmit.remoteRtcp } : {}),
      localRtpPort: local.rtpPort,
      channelNumber: CALLEE_TRANSMIT_CHANNEL,
    } });
  }
  const videoChannels = local.videoRtpPort === undefined || video.length === 0 ? [] : answerVideo(decoded, video, local.address, local.videoRtpPort, fastStart);
  return { fastStart, channels, videoChannels, undecodable };
}

/** The video part of {@link answerFastConnect}: answers pushed onto `fastStart`, channels returned. */
function answerVideo(decoded: readonly H245Types.OpenLogicalChannel[], video: readonly VideoCodecName[], address: string, port: number, fastStart: Buffer[]): FastConnectVideoChannel[] {
  const choice = chooseFastStartVideo(decoded, video);
  const local = { rtp: { address, port }, rtcp: { address, port: port + 1 }, channelNumber: CALLEE_VIDEO_TRANSMIT_CHANNEL };
  const out: FastConnectVideoChannel[] = [];
  if (choice.receive) {
    const olc = buildVideoOlcForFastStartAnswer(choice.receive, local);
    fastStart.push(encode(H245.OpenLogicalChannel, olc));
    const n = choice.receive.proposal.forwardLogicalChannelNumber;
    out.push({ olc, channel: videoChannelOf({ direction: 'receive', channelNumber: n, ...choice.receive.media, ...(choice.receive.remoteRtcp ? { remoteRtcp: choice.receive.remoteRtcp } : {}) }, port) });
  }
  if (choice.transmit?.remoteRtp) {
    const olc = buildVideoOlcForFastStartAnswer(choice.transmit, local);
    fastStart.push(encode(H245.OpenLogicalChannel, olc));
    const t = choice.transmit;
    out.push({
      olc,
      channel: videoChannelOf({ direction: 'transmit', channelNumber: CALLEE_VIDEO_TRANSMIT_CHANNEL, ...t.media, remoteRtp: t.remoteRtp!, ...(t.remoteRtcp ? { remoteRtcp: t.remoteRtcp } : {}) }, port),
    });
  }
  return out;
}

/** Channel number of the caller's receive proposals (one logical channel, alternatives per codec). */
const CALLER_RECEIVE_CHANNEL = 1;
/** First channel number of the caller's transmit proposals (one per codec). */
const CALLER_FIRST_TRANSMIT_CHANNEL = 101;

/**
 * The caller's proposals (H.323 §8.1.7.1), per codec in preference order a receive then a transmit proposal, like
 * H323Plus.
 * @throws RangeError when `local` is not an IPv4 address
 */
export function proposeFastConnect(codecs: readonly AudioCodecName[], local: H323LocalMedia): Buffer[] {
  const rtp = { address: local.address, port: local.rtpPort };
  const rtcp = rtcpOf(local);
  return codecs.flatMap((codec, i) => [
    encode(H245.OpenLogicalChannel, buildFastStartOlc({ direction: 'receive', channelNumber: CALLER_RECEIVE_CHANNEL, codec, rtp, rtcp })),
    encode(H245.OpenLogicalChannel, buildFastStartOlc({ direction: 'transmit', channelNumber: CALLER_FIRST_TRANSMIT_CHANNEL + i, codec, rtp, rtcp })),
  ]);
}

/** Channel number of the caller's video receive proposals. */
const CALLER_VIDEO_RECEIVE_CHANNEL = 2;
/** First channel number of the caller's video transmit proposals (one per codec). */
const CALLER_FIRST_VIDEO_TRANSMIT_CHANNEL = 201;

/**
 * The caller's video proposals (H.323 §8.1.7.1) on the video port pair, per codec in preference order a
 * receive then a transmit proposal; none without `local.videoRtpPort`.
 * @throws RangeError when `local` is not an IPv4 address or a description is invalid
 */
export function proposeFastConnectVideo(video: readonly VideoCapabilityDescription[], local: H323LocalMedia): Buffer[] {
  if (local.videoRtpPort === undefined) return [];
  const rtp = { address: local.address, port: local.videoRtpPort };
  const rtcp = { address: local.address, port: local.videoRtpPort + 1 };
  return video.flatMap((v, i) => [
    encode(H245.OpenLogicalChannel, buildFastStartVideoOlc({ direction: 'receive', channelNumber: CALLER_VIDEO_RECEIVE_CHANNEL, video: v, rtp, rtcp })),
    encode(H245.OpenLogicalChannel, buildFastStartVideoOlc({ direction: 'transmit', channelNumber: CALLER_FIRST_VIDEO_TRANSMIT_CHANNEL + i, video: v, rtp, rtcp })),
  ]);
}

/** The OpenLogicalChannels of a fastStart list that decode (X.691); undecodable entries are skipped. */
function decodedOlcs(encodings: readonly Buffer[]): H245Types.OpenLogicalChannel[] {
  const out: H245Types.OpenLogicalChannel[] = [];
  for (const encoding of encodings) {
    try {
      out.push(decode(H245.OpenLogicalChannel, encoding));
    } catch (error) {
      if (!(error instanceof PerDecodeError)) throw error;
    }
  }
  return out;
}

/**
 * The video channels of the callee's fastStart answer (H.323 §8.1.7.1), read like {@link readFastConnectAnswer}:
 * forward videoData is our transmit proposal accepted (the callee's video RTP in mediaChannel), forward nullData
 * with reverse videoData our receive proposal accepted. At most one per direction; others are skipped.
 */
export function readFastConnectVideoAnswer(answer: readonly Buffer[], local: H323LocalMedia, video: readonly VideoCodecName[]): FastConnectVideoChannel[] {
  const out: FastConnectVideoChannel[] = [];
  if (local.videoRtpPort === undefined) return out;
  for (const olc of decodedOlcs(answer)) {
    const parsed = parseOlc(olc);
    const send = parsed.forward.dataType === 'videoData';
    const side = send ? parsed.forward : parsed.reverse;
    if (!side || side.dataType !== 'videoData' || (send && !side.mediaChannel)) continue;
    const media = checkVideoParameters(side, video);
    if ('cause' in media) continue;
    const direction = send ? 'transmit' : 'receive';
    if (out.some((c) => c.channel.direction === (send ? 'send' : 'receive'))) continue;
    const established = {
      direction,
      channelNumber: parsed.channelNumber,
      ...media,
      ...(send && side.mediaChannel ? { remoteRtp: side.mediaChannel } : {}),
      ...(side.mediaControlChannel ? { remoteRtcp: side.mediaControlChannel } : {}),
    } as const;
    out.push({ olc, channel: videoChannelOf(established, local.videoRtpPort) });
  }
  return out;
}

/**
 * Reads the callee's fastStart answer (H.323 §8.1.7.1): an OLC with forward audio is our transmit proposal,
 * accepted, with the callee's RTP in mediaChannel; one with forward nullData and reverse audio is our receive
 * proposal, accepted. Undecodable or foreign entries are skipped.
 */
export function readFastConnectAnswer(answer: readonly Buffer[], local: H323LocalMedia): FastConnectChannel[] {
  const channels: FastConnectChannel[] = [];
  for (const olc of decodedOlcs(answer)) {
    const parsed = parseOlc(olc);
    const send = parsed.forward.dataType === 'audioData';
    const side = send ? parsed.forward : parsed.reverse;
    if (!side?.codec || side.framesPerPacket === undefined) continue;
    if (send && !side.mediaChannel) continue;
    if (channels.some((c) => c.channel.direction === (send ? 'send' : 'receive'))) continue;
    channels.push({ olc, channel: {
      kind: 'audio',
      direction: send ? 'send' : 'receive',
      ...rtpCodecOf(side.codec),
      framesPerPacket: side.framesPerPacket,
      ...(side.mediaChannel && send ? { remoteRtp: side.mediaChannel } : {}),
      ...(side.mediaControlChannel ? { remoteRtcp: side.mediaControlChannel } : {}),
      localRtpPort: local.rtpPort,
      channelNumber: parsed.channelNumber,
    } });
  }
  return channels;
}
