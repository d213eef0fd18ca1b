import fc from 'fast-check';
import { H245, type H245Types } from '../asn1/generated';
import { encode } from '../per/codec';
import { schemaArbitrary } from '../per/testing/schema-arbitrary';
import { H245Session } from './h245-session';
import type { H245ProtocolError } from './h245-events';
import { FakeClock } from './testing/fake-clock';

/**
 * Property: whatever schema-valid H.245 a peer sends, in any order, and whatever octets arrive, the session never
 * throws, never fails internally, and everything it sends encodes. Fixed seed, so runs are reproducible.
 */
const SEED = 0x245;
const RTP = { address: '127.0.0.1', port: 40000 };
const RTCP = { address: '127.0.0.1', port: 40001 };

function session() {
  const sent: H245Types.MultimediaSystemControlMessage[] = [];
  const internal: H245ProtocolError[] = [];
  const clock = new FakeClock();
  const s = new H245Session({ send: (m) => sent.push(m), capabilities: { audio: ['g711Ulaw64k', 'g711Alaw64k', 'g722-64k'] }, clock });
  s.on('open-channel-request', (r) => r.accept({ rtp: RTP, rtcp: RTCP }));
  s.on('ready', () => s.openAudioChannel({ rtcp: RTCP }));
  s.on('protocol-error', (e) => {
    if (e.procedure === 'message' && e.code !== 'syntaxError') internal.push(e);
  });
  return { s, sent, internal, clock };
}

describe('H245Session against arbitrary input', () => {
  it('sequences of random schema-valid messages', () => {
    const answered = new Set<string>();
    const message = schemaArbitrary(H245.MultimediaSystemControlMessage, { maxDepth: 8 }) as fc.Arbitrary<H245Types.MultimediaSystemControlMessage>;
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), fc.boolean(), (messages, started) => {
        const { s, sent, internal, clock } = session();
        if (started) s.start();
        for (const m of messages) expect(() => s.receive(m)).not.toThrow();
        clock.advance(60_000);
        s.close();
        expect(internal).toEqual([]);
        for (const m of sent) {
          encode(H245.MultimediaSystemControlMessage, m);
          if (m.tag !== '$unknown') answered.add(`${m.tag}.${(m.value as { tag: string }).tag}`);
        }
        expect(clock.timerCount).toBe(0);
      }),
      { seed: SEED, numRuns: 1000 },
    );
    // The runs reached the procedures, not only the rejects.
    for (const kind of ['response.terminalCapabilitySetAck', 'response.masterSlaveDeterminationAck', 'response.openLogicalChannelReject', 'response.closeLogicalChannelAck', 'response.roundTripDelayResponse', 'indication.functionNotSupported']) {
      expect([kind, answered.has(kind)]).toEqual([kind, true]);
    }
  });

  it('random octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
        const { s, sent, internal } = session();
        expect(() => s.receiveEncoded(Buffer.from(bytes))).not.toThrow();
        expect(internal).toEqual([]);
        for (const m of sent) encode(H245.MultimediaSystemControlMessage, m);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
