import { decode, encode } from '../per/codec';
import { PerDecodeError } from '../per/per-error';
import { H245, type H245Types } from '../asn1/generated';
import type { AudioCodecName } from '../h245/capabilities';
import { buildFastStartOlc, buildOlcForFastStartAnswer, chooseFastStartProposals } from '../h245/fast-start';
import { parseOlc } from '../h245/open-logical-channel';
import { rtpCodecOf, type H323LocalMedia, type H323MediaChannel } from './media-channel';

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

/** The callee's answer: the OLC encodings for `fastStart` and the channels they open. */
export interface FastConnectAnswer {
  readonly fastStart: Buffer[];
  readonly channels: FastConnectChannel[];
  /** Proposals that did not decode (logged by the caller of this function). */
  readonly undecodable: number;
}

/** Our channel number for the transmit channel we open by Fast Connect. */
const CALLEE_TRANSMIT_CHANNEL = 1;

function rtcpOf(local: H323LocalMedia): { address: string; port: number } {
  return { address: local.address, port: local.rtpPort + 1 };
}

/**
 * Chooses and answers a caller's proposals (H.323 §8.1.7.1): at most one transmit and one receive audio channel.
 * @param proposals the Setup's fastStart encodings
 * @param codecs the audio codecs we support, in preference order
 * @param local our RTP address
 * @returns undefined when nothing acceptable was proposed (answer with fastConnectRefused / H.245 instead)
 * @throws RangeError when `local` is not an IPv4 address
 */
export function answerFastConnect(
  proposals: readonly Buffer[],
  codecs: readonly AudioCodecName[],
  local: H323LocalMedia,
): FastConnectAnswer | undefined {
  const decoded: H245Types.OpenLogicalChannel[] = [];
  let undecodable = 0;
  for (const proposal of proposals) {
    try {
      decoded.push(decode(H245.OpenLogicalChannel, proposal));
    } catch (error) {
      if (!(error instanceof PerDecodeError)) throw error;
      undecodable += 1;
    }
  }
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
  return { fastStart, channels, undecodable };
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

/**
 * Reads the callee's fastStart answer (H.323 §8.1.7.1): an OLC with forward audio is our transmit proposal,
 * accepted, with the callee's RTP in mediaChannel; one with forward nullData and reverse audio is our receive
 * proposal, accepted. Undecodable or foreign entries are skipped.
 */
export function readFastConnectAnswer(answer: readonly Buffer[], local: H323LocalMedia): FastConnectChannel[] {
  const channels: FastConnectChannel[] = [];
  for (const encoding of answer) {
    let olc: H245Types.OpenLogicalChannel;
    try {
      olc = decode(H245.OpenLogicalChannel, encoding);
    } catch (error) {
      if (error instanceof PerDecodeError) continue;
      throw error;
    }
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
