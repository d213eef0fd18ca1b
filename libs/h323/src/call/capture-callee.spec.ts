import { createServer, type Server, type Socket } from 'node:net';
import { decode, H245 } from '../index';
import fixtures from '../q931/fixtures/capture-q931.json';
import { Q931MessageType } from '../q931/message-type';
import { parseQ931, serializeQ931 } from '../q931/q931-message';
import { encodeTpkt, TpktReassembler } from '../tpkt/tpkt';
import { H323Endpoint } from './call-signalling';
import { parseH225 } from './h225-message';
import { h245SessionPorts } from './h245-session-port';
import type { H323ReleaseInfo } from './h323-call';

/**
 * Our calling side against the H323Plus callee's answers of the reference captures (CallProceeding, Alerting,
 * Connect, ReleaseComplete replayed with our call reference): state machine, Fast Connect answer reading and
 * tunnelled H.245 (H.225.0 §7.3, H.323 §8.1.7, §8.2.1).
 */
const LOCAL = '127.0.0.1';

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The callee's messages of a capture, in order, up to and including its Connect; and its ReleaseComplete. */
function calleeMessages(capture: string): { answers: Buffer[]; release: Buffer } {
  const all = fixtures.messages.filter((m) => m.capture === capture).map((m) => Buffer.from(m.q931, 'hex'));
  const fromCallee = all.filter((b) => parseQ931(b).callReference.fromDestination);
  const connectAt = fromCallee.findIndex((b) => parseQ931(b).messageType === Q931MessageType.Connect);
  return {
    answers: fromCallee.slice(0, connectAt + 1),
    release: fromCallee.find((b) => parseQ931(b).messageType === Q931MessageType.ReleaseComplete)!,
  };
}

function withCallReference(bytes: Buffer, value: number): Buffer {
  const message = parseQ931(bytes);
  return serializeQ931({ ...message, callReference: { ...message.callReference, value } });
}

describe('our caller against the H323Plus callee of the captures', () => {
  let server: Server;
  let port: number;
  let received: Buffer[];
  let sockets: Socket[];
  let caller: H323Endpoint;

  beforeEach(async () => {
    received = [];
    sockets = [];
    server = createServer((socket) => {
      sockets.push(socket);
      const reassembler = new TpktReassembler();
      socket.on('data', (chunk) => received.push(...reassembler.push(chunk)));
    });
    await new Promise<void>((resolve) => server.listen(0, LOCAL, resolve));
    port = (server.address() as { port: number }).port;
    caller = new H323Endpoint({ onSetup: (c) => c.reject('rejected') }, { h245: h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k'] } }) });
  });

  afterEach(async () => {
    await caller.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('faststart-alerting: proceeding, alerting, connected, Fast Connect media, released by the callee', async () => {
    const { answers, release } = calleeMessages('h323-faststart-alerting.pcapng');
    const call = await caller.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 }, fastStart: true, tunnelling: false });
    const events: string[] = [];
    for (const e of ['proceeding', 'alerting', 'connected'] as const) call.on(e, () => events.push(e));
    await until(() => received.length === 1, 'Setup');
    for (const answer of answers) sockets[0].write(encodeTpkt(withCallReference(answer, call.callReference)));
    await until(() => call.state === 'active', 'Connect');
    expect(events).toEqual(['proceeding', 'alerting', 'connected']);
    const send = call.mediaChannels.find((c) => c.direction === 'send')!;
    expect(send).toMatchObject({ codec: 'PCMU', remoteRtp: { address: LOCAL, port: 41000 }, remoteRtcp: { address: LOCAL, port: 41001 }, localRtpPort: 42000 });
    expect(call.mediaChannels.find((c) => c.direction === 'receive')).toMatchObject({ codec: 'PCMU', localRtpPort: 42000 });
    const released = new Promise<H323ReleaseInfo>((resolve) => call.once('released', resolve));
    sockets[0].write(encodeTpkt(withCallReference(release, call.callReference)));
    expect(await released).toEqual({ reason: 'normal', causeValue: 16, by: 'remote' });
  });

  it('slowstart-tunneled: tunnelled TCS/MSD of the Connect are answered in a Facility with the empty body', async () => {
    const { answers } = calleeMessages('h323-slowstart-tunneled.pcapng');
    const call = await caller.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 }, fastStart: false, tunnelling: true });
    await until(() => received.length === 1, 'Setup');
    for (const answer of answers) sockets[0].write(encodeTpkt(withCallReference(answer, call.callReference)));
    await until(() => received.length >= 2, 'our tunnelled H.245');
    expect(call.h245Transport).toBe('tunnelled');
    const facility = parseH225(received[1]);
    expect(facility.q931.messageType).toBe(Q931MessageType.Facility);
    const pdu = facility.userInformation!['h323-uu-pdu'];
    expect(pdu['h323-message-body'].tag).toBe('empty');
    expect(pdu.h245Tunneling).toBe(true);
    const kinds = (pdu.h245Control ?? []).map((b) => {
      const m = decode(H245.MultimediaSystemControlMessage, b);
      return `${m.tag}.${(m.value as { tag: string }).tag}`;
    });
    expect(kinds).toEqual(expect.arrayContaining(['response.terminalCapabilitySetAck', 'request.terminalCapabilitySet']));
    expect(kinds.some((k) => k.includes('masterSlaveDetermination'))).toBe(true);
  });
});
