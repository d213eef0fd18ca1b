import { H245, type H245Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { buildFastStartOlc, buildOlcForFastStartAnswer, chooseFastStartProposals } from './fast-start';
import { buildAudioOlc, buildOlcAck, parseOlc, parseOlcAck } from './open-logical-channel';
import { capturedH245, capturedMessages } from './testing/capture-h245';
import { fromTransportAddress, toTransportAddress } from './media-address';

const CAPTURE = 'h323-faststart-tunneled.pcapng';
const fastStart = capturedH245('fastStart').filter((c) => c.capture === CAPTURE);
const setupProposals = fastStart.filter((c) => c.carrier === 'setup');
const connectAnswers = fastStart.filter((c) => c.carrier === 'connect');
const hex = (olc: H245Types.OpenLogicalChannel) => encode(H245.OpenLogicalChannel, olc).toString('hex');
const caller = { rtp: { address: '127.0.0.1', port: 42000 }, rtcp: { address: '127.0.0.1', port: 42001 } };
const callee = { rtp: { address: '127.0.0.1', port: 41000 }, rtcp: { address: '127.0.0.1', port: 41001 } };

describe('media addresses (H.245 UnicastAddress iPAddress)', () => {
  it('round-trips IPv4 and refuses what is not', () => {
    expect(fromTransportAddress(toTransportAddress({ address: '10.1.2.3', port: 5004 }))).toEqual({ address: '10.1.2.3', port: 5004 });
    expect(() => toTransportAddress({ address: '::1', port: 1 })).toThrow(RangeError);
    expect(() => toTransportAddress({ address: '1.2.3.256', port: 1 })).toThrow(RangeError);
    expect(() => toTransportAddress({ address: '1.2.3.4', port: 65536 })).toThrow(RangeError);
    expect(fromTransportAddress({ tag: 'unicastAddress', value: { tag: 'iP6Address', value: { network: Buffer.alloc(16), tsapIdentifier: 1 } } })).toBeUndefined();
    expect(fromTransportAddress(undefined)).toBeUndefined();
  });
});

describe('Fast Connect (H.323 §8.1.7) against the H323Plus capture', () => {
  it('has the 4 Setup proposals and 2 Connect answers', () => {
    expect([setupProposals.length, connectAnswers.length]).toEqual([4, 2]);
  });

  it('builds proposals byte-identical to H323Plus’s', () => {
    expect(hex(buildFastStartOlc({ direction: 'receive', channelNumber: 1, codec: 'g711Ulaw64k', ...caller }))).toBe(setupProposals[0].bytes.toString('hex'));
    expect(hex(buildFastStartOlc({ direction: 'transmit', channelNumber: 101, codec: 'g711Ulaw64k', ...caller }))).toBe(setupProposals[1].bytes.toString('hex'));
    expect(hex(buildFastStartOlc({ direction: 'receive', channelNumber: 1, codec: 'g711Alaw64k', ...caller }))).toBe(setupProposals[2].bytes.toString('hex'));
    expect(hex(buildFastStartOlc({ direction: 'transmit', channelNumber: 102, codec: 'g711Alaw64k', ...caller }))).toBe(setupProposals[3].bytes.toString('hex'));
  });

  it('chooses the first supported proposal per direction and answers byte-identical to H323Plus’s Connect', () => {
    const proposals = setupProposals.map((p) => decode(H245.OpenLogicalChannel, p.bytes));
    const choice = chooseFastStartProposals(proposals, ['g711Ulaw64k', 'g711Alaw64k']);
    expect(choice.audio.receive).toMatchObject({ index: 1, codec: 'g711Ulaw64k', framesPerPacket: 20, sessionId: 1, remoteRtcp: caller.rtcp });
    expect(choice.audio.transmit).toMatchObject({ index: 0, codec: 'g711Ulaw64k', remoteRtp: caller.rtp, remoteRtcp: caller.rtcp });
    const { receive, transmit } = choice.audio;
    if (!receive || !transmit) throw new Error('no choice');
    expect(hex(buildOlcForFastStartAnswer(transmit, { ...callee, channelNumber: 101 }))).toBe(connectAnswers[0].bytes.toString('hex'));
    expect(hex(buildOlcForFastStartAnswer(receive, { ...callee, channelNumber: 999 }))).toBe(connectAnswers[1].bytes.toString('hex'));
  });

  it('prefers A-law when we only support A-law, and the same codec in both directions', () => {
    const proposals = setupProposals.map((p) => decode(H245.OpenLogicalChannel, p.bytes));
    const choice = chooseFastStartProposals(proposals, ['g711Alaw64k']);
    expect([choice.audio.receive?.index, choice.audio.transmit?.index]).toEqual([3, 2]);
    expect(chooseFastStartProposals(proposals, ['g722-64k'])).toEqual({ audio: {} });
  });

  it('ignores video, non-H.225.0 and other-session proposals', () => {
    const video: H245Types.OpenLogicalChannel = {
      forwardLogicalChannelNumber: 5,
      forwardLogicalChannelParameters: {
        dataType: { tag: 'videoData', value: { tag: 'h261VideoCapability', value: { cifMPI: 1, temporalSpatialTradeOffCapability: false, maxBitRate: 100, stillImageTransmission: false, videoBadMBsCap: false } } },
        multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: { sessionID: 2 } },
      },
    };
    const session3 = buildFastStartOlc({ direction: 'transmit', channelNumber: 6, codec: 'g711Ulaw64k', sessionId: 3, ...caller });
    const noMux: H245Types.OpenLogicalChannel = { forwardLogicalChannelNumber: 7, forwardLogicalChannelParameters: { dataType: { tag: 'audioData', value: { tag: 'g711Ulaw64k', value: 20 } }, multiplexParameters: { tag: 'none', value: null } } };
    expect(chooseFastStartProposals([video, session3, noMux], ['g711Ulaw64k'])).toEqual({ audio: {} });
  });
});

describe('OpenLogicalChannel and its ack (H.245 Annex B.3) against the captures', () => {
  const messages = capturedMessages('h323-separate-h245.pcapng');
  const olc = messages.find((m) => m.tag === 'request' && m.value.tag === 'openLogicalChannel');
  const ack = messages.find((m) => m.tag === 'response' && m.value.tag === 'openLogicalChannelAck');

  it('builds an OLC and an OLCAck shaped like H323Plus’s', () => {
    const captured = (olc?.value as { value: H245Types.OpenLogicalChannel }).value;
    const parsed = parseOlc(captured);
    expect(parsed.forward).toMatchObject({ dataType: 'audioData', codec: 'g711Ulaw64k', framesPerPacket: 20, sessionId: 1, h2250: true });
    const rtcp = parsed.forward.mediaControlChannel;
    if (!rtcp) throw new Error('no RTCP address');
    expect(hex(buildAudioOlc({ channelNumber: 101, codec: 'g711Ulaw64k', framesPerPacket: 20, rtcp }))).toBe(hex(captured));
    const capturedAck = (ack?.value as { value: H245Types.OpenLogicalChannelAck }).value;
    const remote = parseOlcAck(capturedAck);
    if (!remote.rtp || !remote.rtcp) throw new Error('no addresses');
    expect(encode(H245.OpenLogicalChannelAck, buildOlcAck(101, { rtp: remote.rtp, rtcp: remote.rtcp })).toString('hex')).toBe(encode(H245.OpenLogicalChannelAck, capturedAck).toString('hex'));
  });
});
