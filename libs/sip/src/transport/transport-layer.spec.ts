/**
 * The transport layer on real 127.0.0.1 sockets (port 0): Via stamping and response routing
 * (RFC 3261 §18.2.1/§18.2.2, RFC 3581), TCP framing and keep-alive (§18.3, RFC 5626 §4.4.1),
 * malformed input (RFC 4475 style 400s, drops with counters), and the §18.1.1 switch to TCP.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { createResponse, parseMessage, SipHeaders, SipParseError, SipRequest, SipResponse, topVia } from '../message';
import type { ReceivedMessage } from './transport';
import { TransportLayer, TransportUser } from './transport-layer';

/** Resolves when `predicate` holds, polling every 5 ms for at most 3 s. */
async function until(predicate: () => boolean): Promise<void> {
  for (let waited = 0; !predicate(); waited += 5) {
    if (waited >= 3000) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A raw UDP endpoint standing in for a phone. */
class UdpPhone {
  readonly socket = dgram.createSocket('udp4');
  readonly received: Buffer[] = [];
  async open(): Promise<number> {
    this.socket.on('message', (m) => this.received.push(m));
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()));
    return this.socket.address().port;
  }
  send(text: string | Buffer, port: number): void {
    this.socket.send(typeof text === 'string' ? Buffer.from(text) : text, port, '127.0.0.1');
  }
  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** A raw TCP client standing in for a phone. */
class TcpPhone {
  socket?: net.Socket;
  data = Buffer.alloc(0);
  closed = false;
  async open(port: number): Promise<void> {
    const socket = net.connect({ host: '127.0.0.1', port });
    this.socket = socket;
    socket.on('data', (d) => (this.data = Buffer.concat([this.data, d])));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
    await new Promise<void>((r) => socket.once('connect', () => r()));
  }
  get localPort(): number {
    return this.socket?.localPort ?? 0;
  }
  write(text: string | Buffer): void {
    this.socket?.write(text);
  }
  close(): void {
    this.socket?.destroy();
  }
}

function options(via: string, extra = ''): string {
  return (
    `OPTIONS sip:1000@127.0.0.1 SIP/2.0\r\nVia: ${via}\r\nMax-Forwards: 70\r\n` +
    `From: <sip:alice@127.0.0.1>;tag=f1\r\nTo: <sip:1000@127.0.0.1>\r\nCall-ID: opt-${Math.random()}\r\n` +
    `CSeq: 1 OPTIONS\r\n${extra}Content-Length: 0\r\n\r\n`
  );
}

/** A TransportUser that answers every request 200 and records what arrived. */
class Answering implements TransportUser {
  readonly requests: Array<{ req: SipRequest; event: ReceivedMessage }> = [];
  readonly responses: SipResponse[] = [];
  claimResponses = false;
  constructor(private readonly layer: TransportLayer) {}
  onRequest(req: SipRequest, event: ReceivedMessage): void {
    this.requests.push({ req, event });
    if (req.method !== 'ACK') void this.layer.sendResponse(createResponse(req, 200, 'OK', { toTag: 't' }), event.remote);
  }
  onResponse(res: SipResponse): boolean {
    this.responses.push(res);
    return this.claimResponses;
  }
}

describe('TransportLayer on loopback', () => {
  let layer: TransportLayer;
  let user: Answering;
  const cleanups: Array<() => unknown> = [];

  beforeEach(async () => {
    layer = new TransportLayer({ host: '127.0.0.1', port: 0, tcpIdleTimeoutMs: 10_000 });
    await layer.listen();
    user = new Answering(layer);
    layer.setUser(user);
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    await layer.close();
  });

  async function udpPhone(): Promise<{ phone: UdpPhone; port: number }> {
    const phone = new UdpPhone();
    const port = await phone.open();
    cleanups.push(() => phone.close());
    return { phone, port };
  }

  async function tcpPhone(port = layer.port): Promise<TcpPhone> {
    const phone = new TcpPhone();
    await phone.open(port);
    cleanups.push(() => phone.close());
    return phone;
  }

  it('binds UDP and TCP to the same port', () => {
    expect(layer.localAddress('UDP').port).toBe(layer.port);
    expect(layer.localAddress('TCP').port).toBe(layer.port);
    expect(layer.sentBy()).toBe(`127.0.0.1:${layer.port}`);
  });

  it('UDP: stamps received/rport and answers to the source address and port (RFC 3581)', async () => {
    const { phone, port } = await udpPhone();
    phone.send(options('SIP/2.0/UDP 10.9.9.9:5099;branch=z9hG4bK-r1;rport'), layer.port);
    await until(() => phone.received.length === 1);
    const res = parseMessage(phone.received[0]) as SipResponse;
    expect(res.status).toBe(200);
    const via = topVia(res);
    expect(via.received).toBe('127.0.0.1');
    expect(via.rport).toBe(port);
    expect(topVia(user.requests[0].req).rport).toBe(port);
    expect(user.requests[0].event.remote).toEqual({ transport: 'UDP', address: '127.0.0.1', port });
  });

  it('UDP: without rport the response goes to received at the sent-by port', async () => {
    const { phone, port } = await udpPhone();
    phone.send(options(`SIP/2.0/UDP 10.9.9.9:${port};branch=z9hG4bK-r2`), layer.port);
    await until(() => phone.received.length === 1);
    const via = topVia(parseMessage(phone.received[0]));
    expect(via.received).toBe('127.0.0.1');
    expect(via.rport).toBeUndefined();
  });

  it('UDP: a sent-by equal to the source gets no received parameter', async () => {
    const { phone, port } = await udpPhone();
    phone.send(options(`SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-r3`), layer.port);
    await until(() => phone.received.length === 1);
    expect(topVia(parseMessage(phone.received[0])).received).toBeUndefined();
  });

  it('UDP: a malformed request gets a 400 whose reason phrase is the parse error', async () => {
    const { phone } = await udpPhone();
    const bad = options('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-bad;rport').replace(/Call-ID: .*\r\n/, '');
    let expected: SipParseError | undefined;
    try {
      parseMessage(Buffer.from(bad));
    } catch (err) {
      expected = err as SipParseError;
    }
    expect(expected?.respondable).toBe(true);
    phone.send(bad, layer.port);
    await until(() => phone.received.length === 1);
    // The answer cannot carry the Call-ID the request lacked, so read its status line as text.
    const statusLine = phone.received[0].toString().split('\r\n')[0];
    expect(statusLine).toBe(`SIP/2.0 400 ${expected?.reason}`);
    expect(statusLine).toMatch(/Call-ID/);
    expect(phone.received[0].toString()).toMatch(/received=127\.0\.0\.1/);
    expect(phone.received[0].toString()).toMatch(/To: <sip:1000@127\.0\.0\.1>;tag=\w+/);
    expect(layer.stats()).toMatchObject({ parseErrors: 1, rejected: 1, dropped: 0 });
    expect(user.requests).toHaveLength(0);
  });

  it('UDP: garbage is dropped and counted, no answer; CRLF keep-alives are ignored', async () => {
    const { phone } = await udpPhone();
    phone.send('\x16\x03\x01 this is not SIP at all\r\n\r\n', layer.port);
    phone.send('\r\n\r\n', layer.port);
    phone.send(options('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-after;rport'), layer.port);
    await until(() => phone.received.length === 1);
    expect((parseMessage(phone.received[0]) as SipResponse).status).toBe(200);
    expect(layer.stats()).toMatchObject({ received: 1, parseErrors: 1, rejected: 0, dropped: 1 });
  });

  it('drops a response not addressed to our sent-by, and a stray response, with counters', async () => {
    const { phone } = await udpPhone();
    const response = (sentBy: string): string =>
      `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP ${sentBy};branch=z9hG4bK-stray\r\nFrom: <sip:a@x>;tag=1\r\n` +
      `To: <sip:b@y>;tag=2\r\nCall-ID: stray\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
    phone.send(response('192.0.2.200:5060'), layer.port);
    phone.send(response(layer.sentBy()), layer.port);
    await until(() => layer.stats().dropped === 2);
    expect(user.responses).toHaveLength(1); // only the one with our sent-by reached the user, who did not claim it
    expect(layer.stats().received).toBe(1);
  });

  it('TCP: reassembles messages split across chunks and answers over the same connection', async () => {
    const phone = await tcpPhone();
    const body = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n';
    const msg =
      `MESSAGE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:${phone.localPort};branch=z9hG4bK-t1\r\n` +
      `Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: tcp-1\r\nCSeq: 1 MESSAGE\r\n` +
      `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const cuts = [17, 90, msg.length - 10];
    let from = 0;
    for (const cut of cuts) {
      phone.write(msg.slice(from, cut));
      from = cut;
      await new Promise((r) => setTimeout(r, 10));
    }
    phone.write(msg.slice(from) + msg.replace('tcp-1', 'tcp-2').replace('z9hG4bK-t1', 'z9hG4bK-t2'));
    await until(() => user.requests.length === 2 && phone.data.toString().split('SIP/2.0 200').length === 3);
    expect(user.requests[0].req.body.toString()).toBe(body);
    expect(user.requests[1].req.headers.get('call-id')).toBe('tcp-2');
    expect(user.requests[0].event.remote.transport).toBe('TCP');
    expect(layer.stats().tcpConnections).toBe(1);
  });

  it('TCP: answers a CRLFCRLF ping with a CRLF pong (RFC 5626 §4.4.1)', async () => {
    const phone = await tcpPhone();
    phone.write('\r\n\r\n');
    await until(() => phone.data.length >= 2);
    expect(phone.data.toString()).toBe('\r\n');
    expect(layer.stats().parseErrors).toBe(0);
  });

  it('TCP: a malformed but framed message gets a 400 and the connection carries on', async () => {
    const phone = await tcpPhone();
    const via = `SIP/2.0/TCP 127.0.0.1:${phone.localPort};branch=z9hG4bK-tcpbad`;
    phone.write(options(via).replace(/Call-ID: .*\r\n/, ''));
    phone.write(options(via.replace('tcpbad', 'tcpgood')));
    await until(() => /SIP\/2\.0 400 [^\r]*Call-ID[\s\S]*SIP\/2\.0 200/.test(phone.data.toString()));
    expect(phone.closed).toBe(false);
    expect(layer.stats()).toMatchObject({ parseErrors: 1, rejected: 1, received: 1 });
  });

  it('TCP: a stream that cannot be framed is counted and the connection closed', async () => {
    const phone = await tcpPhone();
    phone.write(options('SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK-nolen').replace('Content-Length: 0\r\n', '').replace('\r\n\r\n', '\r\nContent-Length: x\r\n\r\n'));
    await until(() => phone.closed);
    expect(layer.stats().parseErrors).toBe(1);
    expect(layer.stats().tcpConnections).toBe(0);
  });

  it('TCP: when the request\'s connection is gone, the response goes over a new connection to received and the sent-by port (§18.2.2)', async () => {
    const listening: Buffer[] = [];
    const accepted = new Set<net.Socket>();
    const server = net.createServer((sock) => {
      accepted.add(sock);
      sock.on('data', (d) => listening.push(d));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      for (const sock of accepted) sock.destroy();
      return new Promise((r) => server.close(r));
    });
    const sentByPort = (server.address() as net.AddressInfo).port;
    let answer: (() => void) | undefined;
    layer.setUser({
      onRequest: (req, event) => {
        answer = () => void layer.sendResponse(createResponse(req, 200, 'OK', { toTag: 't' }), event.remote);
      },
      onResponse: () => false,
    });
    const phone = await tcpPhone();
    phone.write(options(`SIP/2.0/TCP 10.1.1.1:${sentByPort};branch=z9hG4bK-gone`));
    await until(() => answer !== undefined);
    phone.close();
    await until(() => layer.stats().tcpConnections === 0);
    answer?.();
    await until(() => Buffer.concat(listening).toString().includes('SIP/2.0 200 OK'));
    expect(Buffer.concat(listening).toString()).toContain('received=127.0.0.1');
  });

  it('logs every drop through the injected logger', async () => {
    const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const logged = new TransportLayer({ host: '127.0.0.1', port: 0, logger, tcp: false });
    await logged.listen();
    cleanups.push(() => logged.close());
    const { phone } = await udpPhone();
    phone.send('garbage that is not SIP\r\n\r\n', logged.port);
    await until(() => logged.stats().dropped === 1);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ remote: expect.objectContaining({ address: '127.0.0.1' }) }), expect.stringMatching(/dropped SIP message/));
  });

  it('TCP: closes idle connections', async () => {
    const idle = new TransportLayer({ host: '127.0.0.1', port: 0, tcpIdleTimeoutMs: 50, udp: false });
    await idle.listen();
    cleanups.push(() => idle.close());
    const phone = await tcpPhone(idle.port);
    await until(() => phone.closed);
    expect(idle.stats().tcpConnections).toBe(0);
  });

  it('sends a request over 1300 octets to a UDP target over TCP (§18.1.1), and the answer comes back', async () => {
    const peer = new TransportLayer({ host: '127.0.0.1', port: 0 });
    await peer.listen();
    cleanups.push(() => peer.close());
    const peerUser = new Answering(peer);
    peer.setUser(peerUser);
    user.claimResponses = true;
    const req = parseMessage(Buffer.from(options('SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-big', `X-Pad: ${'x'.repeat(1400)}\r\n`))) as SipRequest;
    const target = layer.prepareRequest(req, { transport: 'UDP', address: '127.0.0.1', port: peer.port });
    expect(target.transport).toBe('TCP');
    expect(topVia(req).transport).toBe('TCP');
    expect(topVia(req).host).toBe('127.0.0.1');
    expect(topVia(req).port).toBe(layer.port);
    await layer.sendRequest(req, target);
    await until(() => user.responses.length === 1);
    expect(peerUser.requests[0].event.remote.transport).toBe('TCP');
    expect(peerUser.requests[0].event.size).toBeGreaterThan(1300);
    expect(layer.stats().dropped).toBe(0);
  });

  it('keeps a small request on UDP', () => {
    const req = parseMessage(Buffer.from(options('SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-small'))) as SipRequest;
    expect(layer.prepareRequest(req, { transport: 'UDP', address: '127.0.0.1', port: 5060 }).transport).toBe('UDP');
    expect(topVia(req).rport).toBeNull();
  });

  it('falls back to UDP when the TCP connection for a large request is refused (§18.1.1)', async () => {
    const udpOnly = new TransportLayer({ host: '127.0.0.1', port: 0, tcp: false });
    await udpOnly.listen();
    cleanups.push(() => udpOnly.close());
    const peerUser = new Answering(udpOnly);
    udpOnly.setUser(peerUser);
    const req = parseMessage(Buffer.from(options('SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-fb', `X-Pad: ${'y'.repeat(1400)}\r\n`))) as SipRequest;
    const target = layer.prepareRequest(req, { transport: 'UDP', address: '127.0.0.1', port: udpOnly.port });
    const used = await layer.sendRequest(req, target);
    expect(used.transport).toBe('UDP');
    await until(() => peerUser.requests.length === 1);
    expect(topVia(peerUser.requests[0].req).transport).toBe('UDP');
  });

  it('reports a refused TCP connection as a rejected send, without crashing', async () => {
    const req = parseMessage(Buffer.from(options('SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-refused'))) as SipRequest;
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const target = layer.prepareRequest(req, { transport: 'TCP', address: '127.0.0.1', port });
    await expect(layer.sendRequest(req, target)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('adds a Via with a branch to a request that has none', () => {
    const h = new SipHeaders();
    h.append('CSeq', '1 ACK');
    const ack = new SipRequest('ACK', 'sip:x@127.0.0.1', h);
    layer.prepareRequest(ack, { transport: 'UDP', address: '127.0.0.1', port: 5060 });
    expect(topVia(ack).branch).toMatch(/^z9hG4bK/);
    expect(topVia(ack).transport).toBe('UDP');
  });
});
