import { connect, type Socket } from 'node:net';
import { decode, H245 } from '../index';
import fixtures from '../q931/fixtures/capture-q931.json';
import { Q931MessageType } from '../q931/message-type';
import { parseQ931 } from '../q931/q931-message';
import { encodeTpkt, TpktReassembler } from '../tpkt/tpkt';
import { H323Endpoint } from './call-signalling';
import { bodyOf, parseH225, type H225Message } from './h225-message';
import { h245SessionPorts } from './h245-session-port';
import type { IncomingCall } from './incoming-call';
import { transportAddressOf } from './setup-info';

/**
 * The callers' Setups of the H323Plus reference captures, replayed to our listener: what we answer must be what
 * such a caller expects (H.225.0 §7.3, H.323 §8.1.7 and §8.2).
 */
const LOCAL = '127.0.0.1';
const WAIT_MS = 4000;

const messages = fixtures.messages.map((m) => ({ capture: m.capture, bytes: Buffer.from(m.q931, 'hex') }));
const setups = messages.filter((m) => parseQ931(m.bytes).messageType === Q931MessageType.Setup);
const callerReleaseOf = (capture: string): Buffer =>
  messages.find((m) => {
    const q = parseQ931(m.bytes);
    return m.capture === capture && q.messageType === Q931MessageType.ReleaseComplete && !q.callReference.fromDestination;
  })!.bytes;

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < WAIT_MS / 10; i += 1) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function open(port: number, into: Buffer[]): Promise<Socket> {
  const reassembler = new TpktReassembler();
  const socket = connect(port, LOCAL);
  socket.on('data', (chunk) => into.push(...reassembler.push(chunk)));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('answers to the Setups of the reference captures', () => {
  let mcu: H323Endpoint;
  let port: number;
  let calls: IncomingCall[];
  const sockets: Socket[] = [];

  beforeEach(async () => {
    calls = [];
    mcu = new H323Endpoint(
      {
        onSetup: (call) => {
          calls.push(call);
          void call.accept({ localMedia: { address: LOCAL, rtpPort: 40000 } });
        },
      },
      { port: 0, host: LOCAL, h245: h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k', 'g711Alaw64k'] } }) },
    );
    port = (await mcu.listen()).port;
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await mcu.close();
  });

  it('covers the six calls', () => {
    expect(setups.map((s) => s.capture)).toHaveLength(6);
  });

  it.each(setups)('$capture', async ({ capture, bytes }) => {
    const setup = parseH225(bytes);
    const setupBody = bodyOf(setup);
    if (setupBody?.tag !== 'setup') throw new Error('not a Setup');
    const offered = setup.userInformation!['h323-uu-pdu'].h245Tunneling === true;
    const replies: Buffer[] = [];
    const socket = await open(port, replies);
    sockets.push(socket);
    socket.write(encodeTpkt(bytes));
    await until(() => replies.some((r) => parseQ931(r).messageType === Q931MessageType.Connect), 'Connect');

    const answers: H225Message[] = replies.map(parseH225);
    expect(answers[0].q931.messageType).toBe(Q931MessageType.CallProceeding);
    for (const answer of answers) {
      expect(answer.q931.callReference).toEqual({ ...setup.q931.callReference, fromDestination: true });
      expect(answer.userInformation!['h323-uu-pdu'].h245Tunneling).toBe(offered);
    }
    const connect = answers.find((a) => a.q931.messageType === Q931MessageType.Connect)!;
    const body = bodyOf(connect);
    if (body?.tag !== 'connect') throw new Error('Connect without Connect-UUIE');
    const uuie = body.value;
    expect(uuie.protocolIdentifier).toBe('0.0.8.2250.0.7');
    expect(uuie.destinationInfo).toMatchObject({ mc: true, undefinedNode: false, mcu: {} });
    expect(uuie.conferenceID.equals(setupBody.value.conferenceID)).toBe(true);
    expect(uuie.callIdentifier?.guid.equals(setupBody.value.callIdentifier!.guid)).toBe(true);

    if (setupBody.value.fastStart?.length) {
      expect(uuie.fastStart).toHaveLength(2);
      const olcs = uuie.fastStart!.map((f) => decode(H245.OpenLogicalChannel, f));
      // Our receive channel answers the caller's first transmit proposal (G.711 µ-law, channel 101) with our RTP.
      const receive = olcs.find((o) => o.forwardLogicalChannelParameters.dataType.tag === 'audioData')!;
      expect(receive.forwardLogicalChannelNumber).toBe(101);
      const params = receive.forwardLogicalChannelParameters.multiplexParameters;
      expect(params.tag === 'h2250LogicalChannelParameters' && params.value.mediaChannel).toEqual({
        tag: 'unicastAddress',
        value: { tag: 'iPAddress', value: { network: Buffer.from([127, 0, 0, 1]), tsapIdentifier: 40000 } },
      });
      expect(calls[0].mediaChannels.map((c) => [c.direction, c.codec])).toEqual([
        ['receive', 'PCMU'],
        ['send', 'PCMU'],
      ]);
      expect(calls[0].mediaChannels.find((c) => c.direction === 'send')!.remoteRtp).toEqual({ address: LOCAL, port: 42000 });
    } else {
      expect(uuie.fastStart).toBeUndefined();
    }

    if (offered) {
      // Tunnelled H.245 in Connect: our TerminalCapabilitySet and MasterSlaveDetermination (and acks of the
      // caller's parallelH245Control when it sent one).
      const kinds = (connect.userInformation!['h323-uu-pdu'].h245Control ?? []).map((pdu) => {
        const m = decode(H245.MultimediaSystemControlMessage, pdu);
        return `${m.tag}.${(m.value as { tag: string }).tag}`;
      });
      if (setupBody.value.parallelH245Control?.length) {
        // The caller's MasterSlaveDetermination came first, so ours is its ack (H.245 §8.2), as H323Plus answers.
        expect(kinds).toEqual(['response.terminalCapabilitySetAck', 'response.masterSlaveDeterminationAck', 'request.terminalCapabilitySet']);
      } else {
        expect(kinds).toEqual(['request.terminalCapabilitySet', 'request.masterSlaveDetermination']);
      }
      expect(uuie.h245Address).toBeUndefined();
    } else {
      // Neither tunnelling nor an h245Address from the caller: we listen and announce ours (H.323 §8.2).
      const h245Address = transportAddressOf(uuie.h245Address);
      expect(h245Address?.address).toBe(LOCAL);
      const pdus: Buffer[] = [];
      const h245 = await open(h245Address!.port, pdus);
      sockets.push(h245);
      await until(() => pdus.length >= 2, 'our TCS and MSD on the H.245 connection');
      expect(decode(H245.MultimediaSystemControlMessage, pdus[0])).toMatchObject({ tag: 'request', value: { tag: 'terminalCapabilitySet' } });
    }

    socket.write(encodeTpkt(callerReleaseOf(capture)));
    await until(() => calls[0].state === 'released', 'the call released by the caller');
    await until(() => mcu.connectionCount === 0 && mcu.calls.length === 0, 'connection closed');
  });
});
