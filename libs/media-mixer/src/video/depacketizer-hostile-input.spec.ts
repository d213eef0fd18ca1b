/**
 * Every video depacketizer against hostile RTP: random payloads, random sequence numbers,
 * timestamps and SSRCs, bit-flipped real packets, and a sender that never ends its picture. None
 * may throw, every picture delivered is a Buffer, the counters stay consistent, and memory held for
 * a picture in progress stays bounded (`MAX_PICTURE_OCTETS`).
 */
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { FrameAssembler, MAX_PICTURE_OCTETS } from './frame-assembler';
import { H261Depacketizer } from './rtp-h261';
import { H263Depacketizer } from './rtp-h263';
import { Rfc2190Depacketizer } from './rtp-h263-rfc2190';
import { H264Depacketizer } from './rtp-h264';
import { Vp8Depacketizer } from './rtp-vp8';
import type { DepacketizeResult, DepacketizerStats } from './video-frame';

interface Depacketizer {
  push(packet: RtpPacket): DepacketizeResult;
  readonly stats: Readonly<DepacketizerStats>;
}

const FORMATS: ReadonlyArray<[string, () => Depacketizer]> = [
  ['H.264 (RFC 6184)', () => new H264Depacketizer()],
  ['VP8 (RFC 7741)', () => new Vp8Depacketizer()],
  ['H.263-1998 (RFC 4629)', () => new H263Depacketizer()],
  ['H.263 (RFC 2190)', () => new Rfc2190Depacketizer()],
  ['H.261 (RFC 4587)', () => new H261Depacketizer()],
];

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` random octets drawn from `random` (a slice of one pool filled once per call site). */
function randomOctets(random: () => number, pool: Buffer, length: number): Buffer {
  const from = Math.floor(random() * (pool.length - length));
  return Buffer.from(pool.subarray(from, from + length));
}

function pool(random: () => number): Buffer {
  const b = Buffer.alloc(1 << 20);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(random() * 256);
  return b;
}

function packet(seq: number, ts: number, payload: Buffer, marker: boolean, ssrc = 7): RtpPacket {
  return new RtpPacket(new RtpHeader({ sequenceNumber: seq & 0xffff, timestamp: ts >>> 0, marker, payloadType: 96, ssrc }), payload);
}

function expectConsistent(d: Depacketizer, results: DepacketizeResult[]): void {
  for (const r of results) {
    for (const f of r.frames) {
      expect(Buffer.isBuffer(f.data)).toBe(true);
      expect(typeof f.keyframe).toBe('boolean');
    }
  }
  const s = d.stats;
  expect(s.malformedPackets).toBeLessThanOrEqual(s.packets);
  expect(s.keyframesOut).toBeLessThanOrEqual(s.framesOut);
  expect(s.framesOut).toBe(results.reduce((n, r) => n + r.frames.length, 0));
}

describe.each(FORMATS)('%s depacketizer on hostile input', (_name, make) => {
  it('never throws on random payloads, sequence numbers, timestamps and SSRCs', () => {
    const random = prng(0x5eed);
    const octets = pool(random);
    const d = make();
    const results: DepacketizeResult[] = [];
    let seq = 1000;
    let ts = 90000;
    for (let i = 0; i < 5000; i++) {
      const r = random();
      // Mostly in order, sometimes lost, duplicated, reordered or far off.
      seq += r < 0.8 ? 1 : r < 0.9 ? Math.floor(random() * 5) : r < 0.95 ? -Math.floor(random() * 3) : Math.floor(random() * 65536);
      if (random() < 0.2) ts += 3000;
      const length = random() < 0.1 ? Math.floor(random() * 3) : Math.floor(random() * 1400);
      const payload = randomOctets(random, octets, length);
      results.push(d.push(packet(seq, ts, payload, random() < 0.3, random() < 0.01 ? Math.floor(random() * 2 ** 32) : 7)));
    }
    expectConsistent(d, results);
    expect(d.stats.packets).toBe(5000);
  });

  it('never throws on bit flips of well-formed-looking packets (first octets set as the format expects)', () => {
    const random = prng(0xf1ee);
    const octets = pool(random);
    const d = make();
    const results: DepacketizeResult[] = [];
    // Payload heads that pass each format's first checks: H.264 IDR/FU-A/STAP-A, VP8 descriptor with
    // PictureID and key frame start, RFC 4629 P bit, RFC 2190 mode A and H.261's 4-octet header.
    const heads = [[0x65], [0x7c, 0x85], [0x78, 0x00, 0x05, 0x67], [0x90, 0x80, 0x80, 0x01, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a], [0x04, 0x00], [0x00, 0x40, 0x00, 0x00], [0x02, 0x00, 0x00, 0x00]];
    for (let i = 0; i < 5000; i++) {
      const head = heads[i % heads.length];
      const body = randomOctets(random, octets, 4 + Math.floor(random() * 200));
      const payload = Buffer.concat([Buffer.from(head), body]);
      const flips = Math.floor(random() * 4);
      for (let k = 0; k < flips; k++) payload[Math.floor(random() * payload.length)] ^= 1 << Math.floor(random() * 8);
      results.push(d.push(packet(i, 1000 + Math.floor(i / 3) * 3000, payload, i % 3 === 2)));
    }
    expectConsistent(d, results);
  });
});

describe('a sender that never ends its picture', () => {
  it('has the picture dropped past MAX_PICTURE_OCTETS, not held in memory, and its next picture decoded', () => {
    const d = new Vp8Depacketizer();
    const assembler = (d as unknown as { assembler?: FrameAssembler<unknown> }).assembler ?? (d as unknown as FrameAssembler<unknown>);
    // A VP8 key frame start (S bit, partition 0) then endless continuation packets of one timestamp.
    const start = Buffer.concat([Buffer.from([0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]), Buffer.alloc(1000, 0x11)]);
    const more = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(1200, 0x22)]);
    let seq = 1;
    d.push(packet(seq++, 3000, start, false));
    const count = Math.ceil((2 * MAX_PICTURE_OCTETS) / more.length);
    for (let i = 0; i < count; i++) expect(d.push(packet(seq++, 3000, more, false)).frames).toEqual([]);
    const held = (assembler as unknown as { units: unknown[] }).units.length;
    expect(held).toBeLessThan(MAX_PICTURE_OCTETS / more.length + 1);
    expect(held).toBe(0);
    // The oversized picture ends at the marker and is dropped; a key frame after it is delivered.
    expect(d.push(packet(seq++, 3000, more, true)).frames).toEqual([]);
    const next = d.push(packet(seq++, 6000, start, true));
    expect(next.frames).toHaveLength(1);
    expect(next.frames[0].keyframe).toBe(true);
    expect(d.stats.framesDropped).toBeGreaterThanOrEqual(1);
  });
});
