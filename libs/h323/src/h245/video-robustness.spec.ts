import fc from 'fast-check';
import { H245, type H245Types } from '../asn1/generated';
import { encode } from '../per/codec';
import { schemaArbitrary } from '../per/testing/schema-arbitrary';
import { H245Session } from './h245-session';
import type { H245ProtocolError } from './h245-events';
import { FakeClock } from './testing/fake-clock';

/**
 * Property: with video announced, whatever schema-valid capability sets and OpenLogicalChannels a peer sends (video
 * capabilities and video data types drawn from the schema), the session never throws or fails internally, every
 * video channel it opens or acknowledges encodes, and it still answers every OLC. Fixed seed.
 */
const SEED = 0x263;
const RTCP = { address: '127.0.0.1', port: 40003 };
const RTP = { address: '127.0.0.1', port: 40002 };

function session() {
  const sent: H245Types.MultimediaSystemControlMessage[] = [];
  const internal: H245ProtocolError[] = [];
  const clock = new FakeClock();
  const s = new H245Session({
    send: (m) => sent.push(m),
    capabilities: { audio: ['g711Ulaw64k'], video: [{ codec: 'h264', maxBitRate: 10000, profile: 64, level: 71 }, { codec: 'h263', maxBitRate: 10000, sqcifMPI: 1, qcifMPI: 1, cifMPI: 1 }], h264PacketizationModes: [0, 1] },
    clock,
  });
  s.on('open-video-channel-request', (r) => r.accept({ rtp: RTP, rtcp: RTCP }));
  s.on('open-channel-request', (r) => r.accept({ rtp: RTP, rtcp: RTCP }));
  s.on('remote-capabilities', () => s.openVideoChannel({ rtcp: RTCP }));
  s.on('protocol-error', (e) => {
    if (e.procedure === 'message' && e.code !== 'syntaxError') internal.push(e);
  });
  return { s, sent, internal, clock };
}

describe('H245Session with video against arbitrary input', () => {
  it('random capability sets with video, random video OLCs', () => {
    const video = schemaArbitrary(H245.VideoCapability, { maxDepth: 6 }) as fc.Arbitrary<H245Types.VideoCapability>;
    const olc = schemaArbitrary(H245.OpenLogicalChannel, { maxDepth: 6 }) as fc.Arbitrary<H245Types.OpenLogicalChannel>;
    const tcs = fc.array(video, { minLength: 1, maxLength: 4 }).map(
      (list): H245Types.MultimediaSystemControlMessage => ({
        tag: 'request',
        value: {
          tag: 'terminalCapabilitySet',
          value: {
            sequenceNumber: 1,
            protocolIdentifier: '0.0.8.245.0.15',
            capabilityTable: list.map((v, i) => ({ capabilityTableEntryNumber: i + 1, capability: { tag: 'receiveVideoCapability', value: v } })),
          },
        },
      }),
    );
    const videoOlc = fc.tuple(olc, video).map(([o, v]): H245Types.MultimediaSystemControlMessage => ({
      tag: 'request',
      value: { tag: 'openLogicalChannel', value: { ...o, forwardLogicalChannelParameters: { ...o.forwardLogicalChannelParameters, dataType: { tag: 'videoData', value: v } } } },
    }));
    let opened = 0;
    let answered = 0;
    fc.assert(
      fc.property(tcs, fc.array(videoOlc, { maxLength: 4 }), (set, olcs) => {
        const { s, sent, internal, clock } = session();
        expect(() => s.receive(set)).not.toThrow();
        for (const m of olcs) expect(() => s.receive(m)).not.toThrow();
        clock.advance(60_000);
        s.close();
        expect(internal).toEqual([]);
        for (const m of sent) {
          encode(H245.MultimediaSystemControlMessage, m);
          if (m.tag === 'request' && m.value.tag === 'openLogicalChannel') opened++;
          if (m.tag === 'response' && (m.value.tag === 'openLogicalChannelAck' || m.value.tag === 'openLogicalChannelReject')) answered++;
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
    expect(opened).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(0);
  });
});
