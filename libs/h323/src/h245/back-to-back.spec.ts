import { H245, type H245Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import type { ChannelEstablished, H245ProtocolError } from './h245-events';
import { H245Session } from './h245-session';
import { FakeClock } from './testing/fake-clock';
import type { MediaAddress } from './media-address';

/**
 * Two sessions wired back to back: each one's `send` is PER-encoded, decoded, and fed to the other's `receive`,
 * so every PDU the procedures produce is proven encodable. Delivery is either synchronous (re-entrant, as with a
 * tunnel that hands a PDU straight through) or queued (as over TCP).
 */
interface Side {
  session: H245Session;
  established: ChannelEstablished[];
  errors: H245ProtocolError[];
  pdus: Buffer[];
}

type Config = { terminalType: number; random: () => number };

function wire(mode: 'synchronous' | 'queued', a: Config, b: Config) {
  const clock = new FakeClock();
  const queue: Array<() => void> = [];
  const sides: Side[] = [];
  const make = (cfg: Config, index: number, media: { rtp: MediaAddress; rtcp: MediaAddress }, audio: H245Types.AudioCapability['tag'][]): Side => {
    const pdus: Buffer[] = [];
    const session = new H245Session({
      send: (m) => {
        const bytes = encode(H245.MultimediaSystemControlMessage, m);
        pdus.push(bytes);
        const deliver = () => sides[1 - index].session.receive(decode(H245.MultimediaSystemControlMessage, bytes));
        if (mode === 'synchronous') deliver();
        else queue.push(deliver);
      },
      capabilities: { audio: audio as Array<'g711Ulaw64k' | 'g711Alaw64k' | 'g722-64k'> },
      terminalType: cfg.terminalType,
      random: cfg.random,
      clock,
    });
    const side: Side = { session, established: [], errors: [], pdus };
    session.on('ready', () => session.openAudioChannel({ rtcp: media.rtcp }));
    session.on('open-channel-request', (r) => r.accept(media));
    session.on('channel-established', (e) => side.established.push(e));
    session.on('protocol-error', (e) => side.errors.push(e));
    return side;
  };
  sides.push(make(a, 0, { rtp: { address: '10.0.0.1', port: 20000 }, rtcp: { address: '10.0.0.1', port: 20001 } }, ['g722-64k', 'g711Ulaw64k']));
  sides.push(make(b, 1, { rtp: { address: '10.0.0.2', port: 30000 }, rtcp: { address: '10.0.0.2', port: 30001 } }, ['g711Alaw64k', 'g722-64k']));
  const pump = () => {
    for (let i = 0; i < 1000 && queue.length > 0; i += 1) (queue.shift() as () => void)();
    expect(queue).toHaveLength(0);
  };
  return { mcu: sides[0], terminal: sides[1], clock, pump };
}

describe.each(['synchronous', 'queued'] as const)('two sessions back to back, %s delivery', (mode) => {
  it('MCU (190) and terminal (50): capabilities exchanged, master/slave opposite, audio open both ways, ended cleanly', () => {
    const { mcu, terminal, clock, pump } = wire(mode, { terminalType: 190, random: () => 5 }, { terminalType: 50, random: () => 5 });
    mcu.session.start();
    terminal.session.start();
    pump();
    expect(mcu.session.remoteCapabilities?.receiveAudio.map((c) => c.codec)).toEqual(['g711Alaw64k', 'g722-64k']);
    expect(terminal.session.remoteCapabilities?.receiveAudio.map((c) => c.codec)).toEqual(['g722-64k', 'g711Ulaw64k']);
    expect([mcu.session.isMaster, terminal.session.isMaster]).toEqual([true, false]);
    const summary = (s: Side) => s.established.map((e) => `${e.direction} ${e.codec} ${e.remoteRtp?.port ?? '-'} ${e.remoteRtcp?.port ?? '-'}`).sort();
    expect(summary(mcu)).toEqual(['receive g722-64k - 30001', 'transmit g722-64k 30000 30001']);
    expect(summary(terminal)).toEqual(['receive g722-64k - 20001', 'transmit g722-64k 20000 20001']);
    mcu.session.measureRoundTripDelay();
    pump();
    mcu.session.close();
    pump();
    expect(terminal.session.isClosed).toBe(true);
    expect([mcu.errors, terminal.errors]).toEqual([[], []]);
    expect(clock.timerCount).toBe(0);
    for (const bytes of [...mcu.pdus, ...terminal.pdus]) expect(encode(H245.MultimediaSystemControlMessage, decode(H245.MultimediaSystemControlMessage, bytes))).toEqual(bytes);
  });

  it('equal terminal types with equal numbers: retried until the numbers differ', () => {
    const numbers = [7, 7, 7, 2_000_000];
    const { mcu, terminal, pump } = wire(mode, { terminalType: 50, random: () => 7 }, { terminalType: 50, random: () => numbers.shift() ?? 9 });
    mcu.session.start();
    terminal.session.start();
    pump();
    expect([mcu.session.isMaster, terminal.session.isMaster].sort()).toEqual([false, true]);
    const requests = (side: Side) => side.pdus.map((b) => decode(H245.MultimediaSystemControlMessage, b)).filter((m) => m.tag === 'request' && m.value.tag === 'masterSlaveDetermination');
    expect(requests(mcu).length + requests(terminal).length).toBeGreaterThan(2);
    expect([mcu.errors, terminal.errors]).toEqual([[], []]);
    expect(mcu.established).toHaveLength(2);
    expect(terminal.established).toHaveLength(2);
  });
});
