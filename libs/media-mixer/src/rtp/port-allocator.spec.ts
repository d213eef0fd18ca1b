import * as dgram from 'node:dgram';
import { InvalidArgumentError, PortRangeExhaustedError } from '../errors';
import { PortAllocator, RtpPortPair } from './port-allocator';

const HOST = '127.0.0.1';

function bind(port: number): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, HOST, () => resolve(s));
  });
}

/** Finds `count` consecutive free ports starting at an even port (bounded number of tries). */
async function freeRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 40000 + 2 * Math.floor(Math.random() * 9000);
    const probes = await Promise.all(Array.from({ length: count }, (_, i) => bind(base + i)));
    for (const p of probes) p?.close();
    if (probes.every(Boolean)) return base;
  }
  throw new Error('no free port range for the test');
}

describe('PortAllocator', () => {
  const pairs: RtpPortPair[] = [];
  const foreign: dgram.Socket[] = [];
  const track = (p: RtpPortPair): RtpPortPair => (pairs.push(p), p);

  afterEach(() => {
    for (const p of pairs.splice(0)) p.release();
    for (const s of foreign.splice(0)) s.close();
  });

  it('hands out even RTP / odd RTCP pairs bound on the host', async () => {
    const min = await freeRange(4);
    const alloc = new PortAllocator({ min, max: min + 3, host: HOST });
    expect(alloc.capacity()).toBe(2);
    const a = track(await alloc.allocatePair());
    expect(a.rtpPort % 2).toBe(0);
    expect(a.rtcpPort).toBe(a.rtpPort + 1);
    expect(a.rtpPort).toBeGreaterThanOrEqual(min);
    expect(a.rtcpPort).toBeLessThanOrEqual(min + 3);
    expect(a.rtp.address()).toEqual(expect.objectContaining({ address: HOST, port: a.rtpPort }));
    expect(a.rtcp.address()).toEqual(expect.objectContaining({ address: HOST, port: a.rtcpPort }));
    expect(alloc.inUse()).toBe(1);
  });

  it('throws PortRangeExhaustedError when a 4-port range is used up, and reuses a released pair', async () => {
    const min = await freeRange(4);
    const alloc = new PortAllocator({ min, max: min + 3, host: HOST });
    const a = track(await alloc.allocatePair());
    const b = track(await alloc.allocatePair());
    expect(new Set([a.rtpPort, b.rtpPort])).toEqual(new Set([min, min + 2]));
    await expect(alloc.allocatePair()).rejects.toBeInstanceOf(PortRangeExhaustedError);
    expect(alloc.inUse()).toBe(2);

    a.release();
    a.release(); // idempotent
    expect(alloc.inUse()).toBe(1);
    const c = track(await alloc.allocatePair());
    expect(c.rtpPort).toBe(a.rtpPort);
    expect(alloc.inUse()).toBe(2);
  });

  it('gives distinct pairs to concurrent callers', async () => {
    const min = await freeRange(4);
    const alloc = new PortAllocator({ min, max: min + 3, host: HOST });
    const [a, b] = (await Promise.all([alloc.allocatePair(), alloc.allocatePair()])).map(track);
    expect(a.rtpPort).not.toBe(b.rtpPort);
  });

  it('skips pairs whose RTP or RTCP port the OS refuses', async () => {
    const min = await freeRange(6);
    const alloc = new PortAllocator({ min, max: min + 5, host: HOST, random: () => 0 });
    foreign.push((await bind(min))!); // RTP port of pair 0 taken
    foreign.push((await bind(min + 3))!); // RTCP port of pair 1 taken
    const a = track(await alloc.allocatePair());
    expect(a.rtpPort).toBe(min + 4);
    await expect(alloc.allocatePair()).rejects.toThrow(/2 bind attempt\(s\) refused/);
    expect(alloc.inUse()).toBe(1);
  });

  it('bounds the number of refused binds per call', async () => {
    const min = await freeRange(6);
    const alloc = new PortAllocator({ min, max: min + 5, host: HOST, random: () => 0, maxAttempts: 1 });
    foreign.push((await bind(min))!);
    await expect(alloc.allocatePair()).rejects.toBeInstanceOf(PortRangeExhaustedError);
    expect(alloc.inUse()).toBe(0);
  });

  it('carries datagrams on the bound sockets', async () => {
    const min = await freeRange(4);
    const alloc = new PortAllocator({ min, max: min + 3, host: HOST });
    const a = track(await alloc.allocatePair());
    const received = new Promise<Buffer>((resolve) => a.rtp.once('message', (msg) => resolve(msg)));
    a.rtcp.send(Buffer.from('ping'), a.rtpPort, HOST);
    expect((await received).toString()).toBe('ping');
  });

  it('frees the pair when its owner closes both sockets directly', async () => {
    const min = await freeRange(2);
    const alloc = new PortAllocator({ min, max: min + 1, host: HOST });
    const a = await alloc.allocatePair();
    await Promise.all([a.rtp, a.rtcp].map((s) => new Promise<void>((r) => s.close(() => r()))));
    expect(alloc.inUse()).toBe(0);
    a.release(); // still safe
    track(await alloc.allocatePair());
  });

  it('rethrows bind errors other than a busy port', async () => {
    const alloc = new PortAllocator({ min: 40000, max: 40001, host: '192.0.2.1' });
    await expect(alloc.allocatePair()).rejects.toThrow(/EADDRNOTAVAIL/);
    expect(alloc.inUse()).toBe(0);
  });

  it.each([
    [0, 10],
    [10, 70000],
    [20, 10],
    [21, 21],
    [21, 22],
    [1.5, 10],
  ])('rejects the range %p..%p', (min, max) => {
    expect(() => new PortAllocator({ min, max, host: HOST })).toThrow(InvalidArgumentError);
  });

  it('starts an odd minimum at the next even port', () => {
    expect(new PortAllocator({ min: 21, max: 24, host: HOST }).capacity()).toBe(1);
    expect(new PortAllocator({ min: 20, max: 24, host: HOST }).capacity()).toBe(2);
  });
});
