import { createSocket, type Socket } from 'node:dgram';
import { H225 } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { RasTimeoutError } from './ras-errors';
import { RasEndpoint } from './ras-endpoint';
import { startRasPair, until, type RasPair } from './ras-test-harness';

/** Retransmission (H.225.0 §7, RAS timers), failure and malformed input. */
describe('RasEndpoint robustness', () => {
  let pair: RasPair | undefined;
  let socket: Socket | undefined;
  afterEach(async () => {
    socket?.close();
    socket = undefined;
    await pair?.close();
    pair = undefined;
  });

  it('retransmits GRQ then RRQ to a silent gatekeeper, gives up, and tries again after retryDelay', async () => {
    pair = await startRasPair({}, { timers: { discoveryTimeout: 5000, requestTimeout: 3000, retries: 2, retryDelay: 10_000 } });
    pair.gk.silent = true;
    const { gk, clock } = pair;
    for (let sent = 1; sent <= 3; sent++) {
      await until(() => gk.messages('gatekeeperRequest').length === sent, 2000, `GRQ #${sent}`);
      clock.advance(5000);
    }
    // A configured gatekeeper that ignores GRQ is tried with an RRQ (discoveryComplete FALSE).
    for (let sent = 1; sent <= 3; sent++) {
      await until(() => gk.messages('registrationRequest').length === sent, 2000, `RRQ #${sent}`);
      clock.advance(3000);
    }
    await pair.reach('unregistered');
    const grqs = gk.messages('gatekeeperRequest');
    const rrqs = gk.messages('registrationRequest');
    expect(new Set(grqs.map((m) => m.requestSeqNum)).size).toBe(1);
    expect(new Set(rrqs.map((m) => m.requestSeqNum)).size).toBe(1);
    expect(rrqs[0].discoveryComplete).toBe(false);
    expect(pair.ep.stats?.retransmissions).toBe(4);
    expect(pair.states).toEqual(['discovering', 'registering', 'unregistered']);
    clock.advance(9_999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gk.messages('gatekeeperRequest')).toHaveLength(3);
    gk.silent = false;
    clock.advance(1);
    await until(() => pair!.ep.state === 'registered', 2000, 'registered after the retry');
    expect(gk.messages('gatekeeperRequest')).toHaveLength(4);
  });

  it('waits the delay of a RequestInProgress instead of retransmitting, then takes the late answer', async () => {
    socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket!.bind(0, '127.0.0.1', resolve));
    const grqs: number[] = [];
    let reply: ((bytes: Buffer) => void) | undefined;
    socket.on('message', (bytes, rinfo) => {
      const request = decode(H225.RasMessage, bytes);
      if (request.tag !== 'gatekeeperRequest') return;
      grqs.push(request.value.requestSeqNum);
      reply = (b) => socket!.send(b, rinfo.port, rinfo.address);
      reply(encode(H225.RasMessage, { tag: 'requestInProgress', value: { requestSeqNum: request.value.requestSeqNum, delay: 20_000 } }));
    });
    const port = socket.address().port;
    pair = await startRasPair({}, { gatekeeper: { host: '127.0.0.1', port } });
    await until(() => grqs.length === 1 && pair!.ep.stats!.received === 1, 2000, 'RIP');
    pair.clock.advance(19_999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(grqs).toHaveLength(1);
    reply!(encode(H225.RasMessage, {
      tag: 'gatekeeperReject',
      value: { requestSeqNum: grqs[0], protocolIdentifier: '0.0.8.2250.0.7', rejectReason: { tag: 'resourceUnavailable', value: null } },
    }));
    await pair.reach('unregistered');
    expect(pair.ep.stats).toMatchObject({ retransmissions: 0, unmatched: 0 });
  });

  it('counts and logs datagrams that are not RAS messages, and keeps working', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (_o: object, m: string) => warnings.push(m), error: () => undefined };
    pair = await startRasPair({}, { logger });
    await pair.reach('registered');
    socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket!.bind(0, '127.0.0.1', resolve));
    const ras = pair.ep.localAddress!;
    const valid = encode(H225.RasMessage, { tag: 'unregistrationConfirm', value: { requestSeqNum: 1 } });
    const garbage = [
      Buffer.alloc(0),
      Buffer.from([0xff]),
      Buffer.from('INVITE sip:1001@127.0.0.1 SIP/2.0\r\n\r\n'),
      Buffer.from([0x0e, 0xc0, 0x5d]), // a truncated RRQ
      Buffer.concat([Buffer.from([0x7f]), Buffer.alloc(64, 0xff)]), // unknown extension alternative with a hostile length
    ];
    for (const bytes of garbage) socket.send(bytes, ras.port, ras.address);
    socket.send(valid, ras.port, ras.address); // a UCF nobody asked for
    await until(() => pair!.ep.stats!.received >= 2 + garbage.length + 1, 2000, 'all datagrams');
    expect(pair.ep.stats).toMatchObject({ malformed: garbage.length, unmatched: 1 });
    expect(warnings.filter((w) => w === 'malformed RAS datagram dropped').length).toBe(pair.ep.stats?.malformed);
    expect(pair.ep.state).toBe('registered');
    pair.aliases = [...pair.aliases];
    pair.ep.aliasesChanged();
    await until(() => pair!.gk.messages('registrationRequest').length === 2 && pair!.ep.state === 'registered');
  });

  it('start() fails with the bind error when the RAS port is taken, stop() is safe twice', async () => {
    socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket!.bind(0, '127.0.0.1', resolve));
    const ep = new RasEndpoint({
      gatekeeper: { host: '127.0.0.1', port: 9 },
      callSignalAddress: { address: '127.0.0.1', port: 1720 },
      rasAddress: { address: '127.0.0.1', port: socket.address().port },
      aliases: () => [],
    });
    await expect(ep.start()).rejects.toThrow(/EADDRINUSE/);
    await ep.stop();
    await ep.stop();
    expect(ep.state).toBe('stopped');
  });

  it('names the request in the timeout error', () => {
    expect(new RasTimeoutError('registrationRequest', 3).message).toBe('no response to registrationRequest after 3 transmissions');
  });
});
