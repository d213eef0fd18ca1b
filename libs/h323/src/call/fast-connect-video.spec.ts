import { H245, type H245Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { buildFastStartVideoOlc } from '../h245/fast-start';
import { parseOlc } from '../h245/open-logical-channel';
import type { VideoCapabilityDescription } from '../h245/video-capabilities';
import { answerFastConnect, proposeFastConnect, proposeFastConnectVideo, readFastConnectVideoAnswer } from './fast-connect';

/** Fast Connect video (H.323 §8.1.7.1): proposals, the callee's choice and answer, and the caller reading it. */
const H264: VideoCapabilityDescription = { codec: 'h264', maxBitRate: 5000, profile: 64, level: 36 };
const H263: VideoCapabilityDescription = { codec: 'h263', maxBitRate: 3000, qcifMPI: 1, cifMPI: 1 };
const caller = { address: '10.0.0.2', rtpPort: 30000, videoRtpPort: 30002 };
const callee = { address: '10.0.0.1', rtpPort: 20000, videoRtpPort: 20002 };

describe('Fast Connect video', () => {
  it('answers one video proposal per direction in the caller’s first codec we take, and the caller reads it back', () => {
    const proposals = [...proposeFastConnect(['g711Ulaw64k'], caller), ...proposeFastConnectVideo([H263, H264], caller)];
    const answer = answerFastConnect(proposals, ['g711Ulaw64k'], callee, ['h264', 'h263']);
    expect(answer?.channels).toHaveLength(2);
    expect(answer?.videoChannels.map((c) => [c.channel.direction, c.channel.codec, c.channel.payloadType, c.channel.localRtpPort])).toEqual([
      ['receive', 'H263', 34, 20002],
      ['send', 'H263', 34, 20002],
    ]);
    expect(answer?.videoChannels.find((c) => c.channel.direction === 'send')?.channel.remoteRtp).toEqual({ address: '10.0.0.2', port: 30002 });
    expect(answer?.fastStart).toHaveLength(4);
    for (const encoding of answer?.fastStart ?? []) expect(() => decode(H245.OpenLogicalChannel, encoding)).not.toThrow();
    const read = readFastConnectVideoAnswer(answer?.fastStart ?? [], caller, ['h263', 'h264']);
    expect(read.map((c) => [c.channel.direction, c.channel.codec, c.channel.width, c.channel.height])).toEqual([
      ['send', 'H263', 352, 288],
      ['receive', 'H263', 352, 288],
    ]);
    expect(read.find((c) => c.channel.direction === 'send')?.channel.remoteRtp).toEqual({ address: '10.0.0.1', port: 20002 });
  });

  it('takes no video without a video port or codecs, ignores video it cannot use, and video alone opens nothing', () => {
    const proposals = [...proposeFastConnect(['g711Ulaw64k'], caller), ...proposeFastConnectVideo([H264], caller)];
    expect(answerFastConnect(proposals, ['g711Ulaw64k'], { address: '10.0.0.1', rtpPort: 20000 }, ['h264'])?.videoChannels).toEqual([]);
    expect(answerFastConnect(proposals, ['g711Ulaw64k'], callee)?.videoChannels).toEqual([]);
    expect(answerFastConnect(proposals, ['g711Ulaw64k'], callee, ['h263'])?.videoChannels).toEqual([]);
    expect(answerFastConnect(proposeFastConnectVideo([H264], caller), ['g711Ulaw64k'], callee, ['h264'])).toBeUndefined();
    const h261: H245Types.OpenLogicalChannel = buildFastStartVideoOlc({ direction: 'transmit', channelNumber: 9, video: H263, rtp: { address: '10.0.0.2', port: 30002 }, rtcp: { address: '10.0.0.2', port: 30003 } });
    h261.forwardLogicalChannelParameters.dataType = { tag: 'videoData', value: { tag: 'h261VideoCapability', value: { cifMPI: 1, temporalSpatialTradeOffCapability: false, maxBitRate: 100, stillImageTransmission: false } } };
    const withH261 = [...proposeFastConnect(['g711Ulaw64k'], caller), encode(H245.OpenLogicalChannel, h261)];
    expect(answerFastConnect(withH261, ['g711Ulaw64k'], callee, ['h264', 'h263'])?.videoChannels).toEqual([]);
  });

  it('builds H.264 proposals with payload type and packetization mode through PER', () => {
    const olc = buildFastStartVideoOlc({ direction: 'receive', channelNumber: 2, video: H264, rtp: { address: '10.0.0.2', port: 30002 }, rtcp: { address: '10.0.0.2', port: 30003 }, payloadType: 100, packetizationMode: 1 });
    const parsed = parseOlc(decode(H245.OpenLogicalChannel, encode(H245.OpenLogicalChannel, olc)));
    expect(parsed.forward.dataType).toBe('nullData');
    expect(parsed.reverse).toMatchObject({ video: H264, videoFormat: 'H264', h264PacketizationMode: 1, dynamicRtpPayloadType: 100, sessionId: 2, mediaChannel: { address: '10.0.0.2', port: 30002 } });
  });
});
