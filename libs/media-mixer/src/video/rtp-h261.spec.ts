import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { CodecError, InvalidArgumentError } from '../errors';
import {
  findH261StartCodes,
  H261Depacketizer,
  H261Packetizer,
  isH261IntraPicture,
  parseH261PayloadHeader,
  parseH261PictureHeader,
  serializeH261PayloadHeader,
  splitH261Pictures,
} from './rtp-h261';
import { rtpInputArgs, rtpInputSdp } from './rtp-input-sdp';
import type { EncodedVideoFrame, RtpPayloadChunk } from './video-frame';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function packet(seq: number, ts: number, payload: Buffer, marker = false): RtpPacket {
  return new RtpPacket(new RtpHeader({ sequenceNumber: seq & 0xffff, timestamp: ts, marker, payloadType: 31, ssrc: 7 }), payload);
}

/** 30 CIF pictures at 15 frames/s, an INTRA picture every 12 (the reference stream). */
function ffmpegH261(size = '352x288', frames = 30): Buffer {
  return execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=s=${size}:r=15`, '-frames:v', String(frames),
    '-c:v', 'h261', '-g', '12', '-f', 'h261', 'pipe:1',
  ], { timeout: 20000, maxBuffer: 64 << 20 });
}

function decodedPictures(stream: Buffer): number {
  const out = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'h261', '-i', 'pipe:0', '-f', 'framecrc', 'pipe:1'], {
    input: stream,
    timeout: 20000,
  });
  return out.toString().split('\n').filter((l) => /^0,/.test(l)).length;
}

/** Sends pictures through a packetizer and a depacketizer, `drop` deciding which packets are lost. */
function roundTrip(pictures: Buffer[], packetizer: H261Packetizer, drop: (seq: number) => boolean = () => false) {
  const d = new H261Depacketizer();
  const frames: EncodedVideoFrame[] = [];
  const chunks: RtpPayloadChunk[][] = [];
  let seq = 65530; // wraps
  pictures.forEach((pic, i) => {
    const picChunks = packetizer.packetize(pic);
    chunks.push(picChunks);
    for (const c of picChunks) {
      const s = seq++;
      if (!drop(s & 0xffff)) frames.push(...d.push(packet(s, i * 6000, c.payload, c.marker)).frames);
    }
  });
  return { frames, chunks, depacketizer: d };
}

describe('RFC 4587 payload header', () => {
  it('reads and writes every field (§4.1)', () => {
    expect(parseH261PayloadHeader(hex('9b000000 aabb'))).toEqual({
      header: { startBits: 4, endBits: 6, intraOnly: true, motionVectors: true, gobNumber: 0, mbaPredictor: 0, quantizer: 0, horizontalMvd: 0, verticalMvd: 0 },
      data: hex('aabb'),
    });
    const fields = { startBits: 3, endBits: 5, intraOnly: false, motionVectors: true, gobNumber: 12, mbaPredictor: 31, quantizer: 17, horizontalMvd: -15, verticalMvd: 7 };
    const wire = serializeH261PayloadHeader(fields);
    // 011 101 0 1 | 1100 | 11111 | 10001 | 10001 | 00111
    expect(wire).toEqual(hex('75cfc627'));
    expect(parseH261PayloadHeader(Buffer.concat([wire, hex('0000')])).header).toEqual(fields);
  });

  it('rejects short payloads, bit counts that leave no data, and fields out of range', () => {
    expect(() => parseH261PayloadHeader(hex('00000000'))).toThrow(CodecError);
    expect(() => parseH261PayloadHeader(hex('9c000000 aa'))).toThrow(/leave no data/); // SBIT 4 + EBIT 7 of 8 bits
    const ok = { startBits: 0, endBits: 0, intraOnly: false, motionVectors: false, gobNumber: 0, mbaPredictor: 0, quantizer: 0, horizontalMvd: 0, verticalMvd: 0 };
    expect(() => serializeH261PayloadHeader({ ...ok, gobNumber: 16 })).toThrow(InvalidArgumentError);
    expect(() => serializeH261PayloadHeader({ ...ok, horizontalMvd: 16 })).toThrow(/HMVD/);
    expect(() => serializeH261PayloadHeader({ ...ok, startBits: 8 })).toThrow(/SBIT/);
  });
});

describe('H.261 bitstream', () => {
  const stream = ffmpegH261();
  const pictures = splitH261Pictures(stream);

  it('finds start codes at any bit position', () => {
    // A GBSC at bit 7 with GN 5, a PSC (GN 0) at bit 39; leading zeros beyond 15 are stuffing.
    const data = hex('00 00 02 a0 00 00 02 00');
    expect(findH261StartCodes(data)).toEqual([
      { bit: 7, groupNumber: 5 },
      { bit: 39, groupNumber: 0 },
    ]);
    expect(findH261StartCodes(hex('0000 0000 0001'))).toEqual([{ bit: 32, groupNumber: -1 }]);
    expect(findH261StartCodes(hex('0001 0000'), 1)).toEqual([]); // fewer than 15 zeros from bit 1
  });

  it('splits ffmpeg output into its pictures and reads their headers (§4.2.1)', () => {
    expect(pictures).toHaveLength(30);
    expect(Buffer.concat(pictures)).toEqual(stream);
    const headers = pictures.map((p) => parseH261PictureHeader(p));
    expect(headers.every((h) => h.cif)).toBe(true);
    // TR counts 29.97 Hz periods (mod 32): one or two per picture at 15 pictures/s.
    const steps = headers.slice(1).map((h, i) => (h.temporalReference - headers[i].temporalReference + 32) % 32);
    expect(steps.every((d) => d === 1 || d === 2)).toBe(true);
    expect(() => parseH261PictureHeader(hex('0001 10'))).toThrow(/truncated/);
    expect(() => parseH261PictureHeader(hex('0002 0000 0000'))).toThrow(/PSC/);
  });

  it('re-aligns a picture whose PSC is not octet-aligned', () => {
    const shifted = Buffer.alloc(pictures[1].length + 1);
    for (let bit = 0; bit < pictures[1].length * 8; bit++) {
      if ((pictures[1][bit >> 3] >> (7 - (bit & 7))) & 1) shifted[(bit + 3) >> 3] |= 0x80 >> ((bit + 3) & 7);
    }
    const [realigned] = splitH261Pictures(shifted);
    expect(realigned.subarray(0, pictures[1].length)).toEqual(pictures[1]);
  });

  it('recognises the INTRA pictures by their macroblocks, in CIF and QCIF', () => {
    expect(pictures.map((p, i) => (isH261IntraPicture(p) ? i : -1)).filter((i) => i >= 0)).toEqual([0, 12, 24]);
    const qcif = splitH261Pictures(ffmpegH261('176x144', 13));
    expect(qcif.map((p, i) => (isH261IntraPicture(p) ? i : -1)).filter((i) => i >= 0)).toEqual([0, 12]);
    // A picture cut after its first GOBs lacks the others: not a whole INTRA picture.
    const firstGobs = findH261StartCodes(pictures[0]).filter((c) => c.groupNumber > 0);
    expect(isH261IntraPicture(pictures[0].subarray(0, firstGobs[3].bit >> 3))).toBe(false);
  });
});

describe('H.261 over RTP (RFC 4587)', () => {
  const stream = ffmpegH261();
  const pictures = splitH261Pictures(stream);

  it('starts packets at GOB start codes with SBIT/EBIT of the shared octet, marker on the last', () => {
    const chunks = new H261Packetizer({ maxPayloadSize: 1200 }).packetize(pictures[1]);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.marker)).toEqual(chunks.map((_, i) => i === chunks.length - 1));
    const headers = chunks.map((c) => parseH261PayloadHeader(c.payload));
    expect(headers[0].header.startBits).toBe(0);
    for (let i = 1; i < headers.length; i++) {
      const { header, data } = headers[i];
      expect((headers[i - 1].header.endBits + header.startBits) % 8).toBe(0);
      expect(header).toMatchObject({ intraOnly: false, motionVectors: true, gobNumber: 0, quantizer: 0 });
      // The bits after SBIT are a GOB start code: 15 zeros and a one, then GN 1..12.
      const codes = findH261StartCodes(data, header.startBits);
      expect(codes[0]).toMatchObject({ bit: header.startBits });
      expect(codes[0].groupNumber).toBeGreaterThan(0);
    }
    expect(chunks.every((c) => c.payload.length <= 1200)).toBe(true);
  });

  it('cuts a GOB larger than a packet at octets, with GOBN and QUANT of that GOB', () => {
    const chunks = new H261Packetizer({ maxPayloadSize: 200 }).packetize(pictures[0]);
    expect(chunks.every((c) => c.payload.length <= 200)).toBe(true);
    const midGob = chunks.map((c) => parseH261PayloadHeader(c.payload).header).filter((h) => h.gobNumber !== 0);
    expect(midGob.length).toBeGreaterThan(0);
    expect(midGob.every((h) => h.gobNumber <= 12 && h.quantizer > 0)).toBe(true);
    expect(() => new H261Packetizer({ maxPayloadSize: 15 })).toThrow(InvalidArgumentError);
    expect(() => new H261Packetizer().packetize(hex('0000 8002 0c05 2620'))).toThrow(CodecError);
  });

  it('round-trips ffmpeg h261 output; ffmpeg decodes as many pictures as were sent', () => {
    for (const limit of [1200, 300, 64]) {
      const { frames, depacketizer } = roundTrip(pictures, new H261Packetizer({ maxPayloadSize: limit }));
      expect(frames.map((f) => f.data)).toEqual(pictures);
      expect(frames.map((f) => f.rtpTimestamp)).toEqual(pictures.map((_, i) => i * 6000));
      expect(frames.map((f, i) => (f.keyframe ? i : -1)).filter((i) => i >= 0)).toEqual([0, 12, 24]);
      expect(depacketizer.stats).toMatchObject({ framesOut: 30, keyframesOut: 3, framesDropped: 0, lostPackets: 0 });
      expect(decodedPictures(Buffer.concat(frames.map((f) => f.data)))).toBe(30);
    }
  });

  it('after loss delivers nothing until the next INTRA picture, and says it needs one', () => {
    const packetizer = new H261Packetizer({ maxPayloadSize: 300 });
    const counts = pictures.map((p) => packetizer.packetize(p).length);
    const firstOf = (pic: number): number => (65530 + counts.slice(0, pic).reduce((a, b) => a + b, 0)) & 0xffff;
    // Lose the second packet of picture 3.
    const lost = (firstOf(3) + 1) & 0xffff;
    const { frames, depacketizer } = roundTrip(pictures, packetizer, (seq) => seq === lost);
    const delivered = frames.map((f) => f.rtpTimestamp / 6000);
    expect(delivered).toEqual([0, 1, 2, ...Array.from({ length: 18 }, (_, i) => 12 + i)]);
    expect(depacketizer.stats.lostPackets).toBe(1);
    expect(depacketizer.needsKeyframe).toBe(false);

    const d = new H261Depacketizer();
    const chunks = packetizer.packetize(pictures[1]);
    const result = chunks.map((c, i) => d.push(packet(100 + i, 0, c.payload, c.marker)));
    expect(result[result.length - 1]).toEqual({ frames: [], needsKeyframe: true }); // inter picture first
  });

  it('takes every picture as a key frame when the sender says the stream is INTRA-only (I = 1)', () => {
    const { frames } = roundTrip(pictures.slice(0, 3), new H261Packetizer({ intraOnly: true }));
    expect(frames.map((f) => f.keyframe)).toEqual([true, true, true]);
  });

  it('counts malformed payloads and never throws on them', () => {
    const d = new H261Depacketizer();
    const chunks = new H261Packetizer({ maxPayloadSize: 300 }).packetize(pictures[0]);
    expect(d.push(packet(1, 0, hex('0000'))).frames).toEqual([]);
    // SBIT/EBIT that do not add up to an octet between packets: the picture is dropped.
    const bad = Buffer.from(chunks[1].payload);
    bad[0] = (bad[0] & 0x1f) | ((((bad[0] >> 5) + 1) & 7) << 5);
    const out = [chunks[0], { payload: bad, marker: false }, ...chunks.slice(2)].flatMap((c, i) => d.push(packet(2 + i, 3000, c.payload, c.marker)).frames);
    expect(out).toEqual([]);
    expect(d.stats.malformedPackets).toBe(1);
    expect(d.stats.framesDropped).toBeGreaterThanOrEqual(1);
  });
});

describe('H.261 over RTP with ffmpeg on the other end (loopback UDP)', () => {
  /** Bound of each wait for ffmpeg (liveness only). */
  const LIMIT_MS = 15000;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  let socket: dgram.Socket | undefined;
  let child: ChildProcess | undefined;
  let scratch: string | undefined;
  afterEach(() => {
    socket?.close();
    socket = undefined;
    child?.kill('SIGKILL');
    child = undefined;
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  function bind(port = 0): Promise<dgram.Socket | undefined> {
    return new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(undefined);
      });
      s.bind(port, '127.0.0.1', () => resolve(s));
    });
  }

  it("ffmpeg's RTP muxer → H261Depacketizer: every picture arrives and decodes", async () => {
    const s = await bind();
    if (!s) throw new Error('cannot bind loopback');
    socket = s;
    const d = new H261Depacketizer();
    const frames: EncodedVideoFrame[] = [];
    s.on('message', (msg: Buffer) => {
      if (msg.length < 12 || (msg[1] >= 192 && msg[1] <= 223)) return; // RTCP on the same port
      frames.push(...d.push(RtpPacket.deSerialize(msg)).frames);
    });
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=s=352x288:r=15', '-frames:v', '12',
      // ffmpeg calls its own H.261 packetizer experimental (it cuts big GOBs anywhere).
      '-c:v', 'h261', '-g', '6', '-f_strict', 'experimental', '-f', 'rtp', `rtp://127.0.0.1:${s.address().port}?pkt_size=800`,
    ], { timeout: 30000 });
    for (let waited = 0; frames.length < 12 && waited < LIMIT_MS; waited += 20) await sleep(20);
    expect(frames).toHaveLength(12);
    expect(frames.map((f) => f.keyframe)).toEqual(Array.from({ length: 12 }, (_, i) => i % 6 === 0));
    expect(d.stats.malformedPackets).toBe(0);
    expect(decodedPictures(Buffer.concat(frames.map((f) => f.data)))).toBe(12);
  }, 60000);

  it("H261Packetizer → ffmpeg's RTP demuxer decodes the pictures", async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'h261-'));
    let port = 0;
    for (let attempt = 0; attempt < 20 && port === 0; attempt++) {
      const probe = await bind();
      const even = (probe?.address().port ?? 1) & ~1;
      probe?.close();
      const pair = await Promise.all([bind(even), bind(even + 1)]);
      pair.forEach((p) => p?.close());
      if (pair.every(Boolean)) port = even;
    }
    expect(port).toBeGreaterThan(0);
    const sdp = path.join(scratch, 'in.sdp');
    writeFileSync(sdp, rtpInputSdp({ codec: 'h261', payloadType: 31, port }));
    const c = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-analyzeduration', '1000000', ...rtpInputArgs(sdp), '-f', 'framecrc', 'pipe:1']);
    child = c;
    let decoded = 0;
    let errors = '';
    c.stdout.on('data', (b: Buffer) => (decoded += b.toString().split('\n').filter((l) => /^0,/.test(l)).length));
    c.stderr.on('data', (b: Buffer) => (errors += b.toString()));
    for (let waited = 0; ; waited += 20) {
      const probe = await bind(port);
      if (!probe) break; // ffmpeg holds the port
      probe.close();
      if (waited > LIMIT_MS) throw new Error(`ffmpeg did not bind ${port}: ${errors}`);
      await sleep(20);
    }
    const sender = await bind();
    if (!sender) throw new Error('cannot bind loopback');
    socket = sender;
    const pictures = splitH261Pictures(ffmpegH261('352x288', 12));
    const packetizer = new H261Packetizer({ maxPayloadSize: 500 });
    let seq = 100;
    let timestamp = 0;
    // Rounds until ffmpeg has decoded a round's worth: its RTP input holds pictures while probing.
    for (let round = 0; round < 30 && decoded < pictures.length; round++) {
      for (const picture of pictures) {
        for (const chunk of packetizer.packetize(picture)) {
          const rtp = new RtpPacket(new RtpHeader({ payloadType: 31, sequenceNumber: seq++ & 0xffff, timestamp, marker: chunk.marker, ssrc: 0x261 }), chunk.payload);
          sender.send(rtp.serialize(), port, '127.0.0.1');
        }
        timestamp += 6000;
        await sleep(10);
      }
    }
    // ffmpeg may join mid-round, on an inter picture: it warns and decodes on.
    const problems = errors.split('\n').filter((l) => l.trim() !== '' && !/first frame is no keyframe/.test(l));
    expect(problems).toEqual([]);
    expect(decoded).toBeGreaterThanOrEqual(pictures.length);
  }, 60000);
});
