import * as dgram from 'node:dgram';
import { RtpHeader, RtpPacket, RtcpRrPacket, RtcpReceiverInfo } from 'werift-rtp';
import type { TimerScheduler } from '../audio/frame-clock';
import { InvalidArgumentError } from '../errors';
import { PortAllocator } from './port-allocator';
import { parseCompoundRtcp, serializeCompoundRtcp } from './rtcp-compound';
import { RtpEndpoint, type RtpEndpointOptions } from './rtp-endpoint';
import { readRtpPacket } from './rtp-packet-reader';

const HOST = '127.0.0.1';

/** A UDP socket on an ephemeral loopback port that queues what it receives. */
class Peer {
  readonly socket = dgram.createSocket('udp4');
  private readonly inbox: Buffer[] = [];
  private waiter: (() => void) | undefined;
  async open(): Promise<this> {
    this.socket.on('message', (m) => {
      this.inbox.push(m);
      this.waiter?.();
    });
    await new Promise<void>((resolve) => this.socket.bind(0, HOST, resolve));
    return this;
  }
  get port(): number {
    return this.socket.address().port;
  }
  send(data: Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, port, HOST, (err) => (err ? reject(err) : resolve())));
  }
  /** Next datagram, or an error after `ms`. */
  async next(ms = 2000): Promise<Buffer> {
    const deadline = Date.now() + ms;
    while (this.inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no datagram received');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.inbox.shift() as Buffer;
  }
  pending(): number {
    return this.inbox.length;
  }
  close(): void {
    this.socket.close();
  }
}

/** Timers fired by hand. */
class ManualTimers implements TimerScheduler {
  private readonly due = new Map<number, () => void>();
  private id = 0;
  set(callback: () => void): unknown {
    this.due.set(++this.id, callback);
    return this.id;
  }
  clear(handle: unknown): void {
    this.due.delete(handle as number);
  }
  fireAll(): void {
    const callbacks = [...this.due.values()];
    this.due.clear();
    for (const cb of callbacks) cb();
  }
  get count(): number {
    return this.due.size;
  }
}

function rtp(seq: number, pt = 0, ssrc = 0x1234): Buffer {
  return new RtpPacket(new RtpHeader({ payloadType: pt, sequenceNumber: seq, timestamp: seq * 160, ssrc }), Buffer.alloc(160, 0xff)).serialize();
}

async function settle(ms = 30): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('RtpEndpoint', () => {
  let allocator: PortAllocator;
  const peers: Peer[] = [];
  const endpoints: RtpEndpoint[] = [];
  const peer = async (): Promise<Peer> => {
    const p = await new Peer().open();
    peers.push(p);
    return p;
  };

  beforeAll(() => {
    const base = 20000 + 2 * Math.floor(Math.random() * 6000); // below the ephemeral range of the peers
    allocator = new PortAllocator({ min: base, max: base + 99, host: HOST });
  });

  afterEach(async () => {
    await Promise.all(endpoints.splice(0).map((e) => e.close()));
    for (const p of peers.splice(0)) p.close();
    expect(allocator.inUse()).toBe(0);
  });

  async function endpoint(remotePeer: Peer, extra: Partial<RtpEndpointOptions> = {}, rtcpPeer?: Peer): Promise<{ ep: RtpEndpoint; received: RtpPacket[]; timers: ManualTimers }> {
    const received: RtpPacket[] = [];
    const timers = new ManualTimers();
    const ep = new RtpEndpoint({
      pair: await allocator.allocatePair(),
      remote: { rtp: { address: HOST, port: remotePeer.port }, rtcpPort: rtcpPeer?.port ?? remotePeer.port + 1, rtcpMux: false },
      payloadTypes: [0, 101],
      ssrc: 0xabcdef01,
      cname: 'test@127.0.0.1',
      clockRate: 8000,
      onRtp: (p) => received.push(p),
      timers,
      ...extra,
    });
    endpoints.push(ep);
    return { ep, received, timers };
  }

  it('sends to the negotiated address, latches to the first source and refuses other sources (symmetric RTP)', async () => {
    const negotiated = await peer();
    const natted = await peer(); // the same host, another port: a NAT's mapping
    const intruder = await peer();
    const { ep, received } = await endpoint(negotiated);

    expect(ep.sendRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 160, marker: true }, Buffer.alloc(160))).toBe(true);
    expect(readRtpPacket(await negotiated.next()).header.ssrc).toBe(0xabcdef01);

    await natted.send(rtp(1), ep.localPort);
    await settle();
    expect(received).toHaveLength(1);
    expect(ep.stats().latched).toBe(true);
    expect(ep.stats().rtpTarget).toBe(`${HOST}:${natted.port}`);

    ep.sendRtp({ payloadType: 0, sequenceNumber: 2, timestamp: 320, marker: false }, Buffer.alloc(160));
    const echoed = readRtpPacket(await natted.next());
    expect(echoed.header.sequenceNumber).toBe(2);
    expect(echoed.header.marker).toBe(false);

    await intruder.send(rtp(2), ep.localPort);
    await negotiated.send(rtp(3), ep.localPort);
    await settle();
    expect(received).toHaveLength(1);
    expect(ep.stats().foreign).toBe(2);
    expect(negotiated.pending()).toBe(0);
  });

  it('re-latches only after a renegotiation changes the remote address', async () => {
    const first = await peer();
    const second = await peer();
    const { ep, received } = await endpoint(first);
    await first.send(rtp(1), ep.localPort);
    await settle();
    ep.update({ remote: { rtp: { address: HOST, port: first.port }, rtcpPort: first.port + 1, rtcpMux: false } });
    await second.send(rtp(2), ep.localPort);
    await settle();
    expect(received).toHaveLength(1);
    ep.update({ remote: { rtp: { address: HOST, port: second.port }, rtcpPort: second.port + 1, rtcpMux: false } });
    await second.send(rtp(3), ep.localPort);
    await settle();
    expect(received).toHaveLength(2);
    expect(ep.stats().rtpTarget).toBe(`${HOST}:${second.port}`);
  });

  it('counts malformed datagrams and unknown payload types without latching on them', async () => {
    const remote = await peer();
    const other = await peer();
    const { ep, received } = await endpoint(remote);
    await other.send(Buffer.from([0x80, 0x00, 0x01]), ep.localPort); // shorter than a header
    await other.send(Buffer.from('0000000000000000', 'hex'), ep.localPort); // version 0 (e.g. STUN)
    const badExtension = rtp(1);
    badExtension[0] |= 0x10; // X bit without room for the extension
    await other.send(badExtension, ep.localPort);
    await other.send(rtp(2, 8), ep.localPort); // PCMA was not negotiated
    await other.send(Buffer.from([0x81, 0xc9, 0x00, 0x10]), ep.localPort); // RTCP RR claiming 68 octets
    await settle();
    const s = ep.stats();
    expect(s.malformed).toBe(4);
    expect(s.unknownPayloadType).toBe(1);
    expect(s.latched).toBe(false);
    expect(received).toHaveLength(0);
    await remote.send(rtp(3), ep.localPort);
    await settle();
    expect(received).toHaveLength(1);
  });

  it('sends compound reports (SR + SDES CNAME) on its schedule and computes RTT from the peer RR', async () => {
    const remote = await peer();
    const remoteRtcp = await peer();
    const { ep, timers } = await endpoint(remote, {}, remoteRtcp);
    for (const seq of [10, 11, 12]) await remote.send(rtp(seq), ep.localPort); // past probation (RFC 3550 §A.1)
    await settle();
    ep.sendRtp({ payloadType: 0, sequenceNumber: 7, timestamp: 1000, marker: false }, Buffer.alloc(160));
    expect(timers.count).toBe(1);
    timers.fireAll();
    const report = parseCompoundRtcp(await remoteRtcp.next());
    expect(report.senderReports).toHaveLength(1);
    const sr = report.senderReports[0];
    expect(sr.ssrc).toBe(0xabcdef01);
    expect(sr.senderInfo.packetCount).toBe(1);
    expect(sr.senderInfo.octetCount).toBe(160);
    expect(sr.reports[0].ssrc).toBe(0x1234);
    expect(report.sourceDescriptions[0].chunks[0].items[0].text).toBe('test@127.0.0.1');
    expect(timers.count).toBe(1); // rescheduled

    // The peer answers from its RTCP port with an RR about our SSRC: LSR = our SR's middle NTP bits, DLSR 0.
    const lsr = Number((sr.senderInfo.ntpTimestamp >> 16n) & 0xffffffffn);
    const rr = new RtcpRrPacket({ ssrc: 0x1234, reports: [new RtcpReceiverInfo({ ssrc: 0xabcdef01, fractionLost: 64, packetsLost: 3, highestSequence: 7, jitter: 80, lsr, dlsr: 0 })] });
    await remoteRtcp.send(serializeCompoundRtcp([rr]), ep.localPort + 1);
    await settle();
    const s = ep.stats();
    expect(s.rtcpPacketsReceived).toBe(1);
    expect(s.rtcp.remote).toEqual(expect.objectContaining({ fractionLost: 0.25, cumulativeLost: 3, jitterMs: 10 }));
    expect(s.rtcp.roundTripTimeMs).toBeGreaterThanOrEqual(0);
    expect(s.rtcp.roundTripTimeMs).toBeLessThan(5000);
  });

  it('with rtcp-mux reports on the RTP port and accepts RTCP there', async () => {
    const remote = await peer();
    const { ep, timers } = await endpoint(remote, {}, undefined);
    ep.update({ remote: { rtp: { address: HOST, port: remote.port }, rtcpPort: remote.port, rtcpMux: true } });
    timers.fireAll();
    const report = parseCompoundRtcp(await remote.next());
    expect(report.receiverReports).toHaveLength(1); // nothing sent yet: RR
    const rr = new RtcpRrPacket({ ssrc: 0x1234, reports: [] });
    await remote.send(serializeCompoundRtcp([rr]), ep.localPort);
    await settle();
    expect(ep.stats().rtcpPacketsReceived).toBe(1);
    await ep.close();
    expect(parseCompoundRtcp(await remote.next()).byes).toHaveLength(1);
  });

  it('sends BYE and releases its ports on close, once however often it is called', async () => {
    const remote = await peer();
    const remoteRtcp = await peer();
    const { ep, timers } = await endpoint(remote, {}, remoteRtcp);
    const first = ep.close('bye now');
    expect(ep.close()).toBe(first);
    await first;
    expect(allocator.inUse()).toBe(0);
    expect(timers.count).toBe(0);
    const bye = parseCompoundRtcp(await remoteRtcp.next());
    expect(bye.byes[0].sources).toEqual([0xabcdef01]);
    expect(bye.byes[0].reason).toBe('bye now');
    expect(ep.sendRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 1, marker: false }, Buffer.alloc(1))).toBe(false);
  });

  it('refuses a remote address that is not an IP literal', async () => {
    const pair = await allocator.allocatePair();
    expect(
      () =>
        new RtpEndpoint({
          pair,
          remote: { rtp: { address: 'pbx.example.com', port: 4000 }, rtcpPort: 4001, rtcpMux: false },
          payloadTypes: [0],
          ssrc: 1,
          cname: 'x',
          clockRate: 8000,
          onRtp: () => undefined,
        }),
    ).toThrow(InvalidArgumentError);
    pair.release();
  });
});
