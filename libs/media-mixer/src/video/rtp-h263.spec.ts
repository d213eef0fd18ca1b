import { execFileSync } from 'node:child_process';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { CodecError, InvalidArgumentError } from '../errors';
import { findH263StartCodes, isPictureStartCode, parseH263PictureHeader } from './h263-picture-header';
import { H263Depacketizer, H263Packetizer, packSegments, parseH263PayloadHeader, serializeH263PayloadHeader } from './rtp-h263';
import { parseRfc2190Header, Rfc2190Depacketizer, Rfc2190Packetizer, serializeRfc2190ModeA } from './rtp-h263-rfc2190';
import type { RtpPayloadChunk } from './video-frame';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** CIF INTRA picture header as ffmpeg's h263 encoder writes it (TR 0). */
const CIF_INTRA = hex('0000 8002 0c05 2620');
/** CIF INTER picture header: PTYPE bit 9 = 1 (TR 1). */
const CIF_INTER = hex('0000 8006 0e05 2620');
/** H.263+ PLUSPTYPE header (custom format, I picture) from ffmpeg's h263p encoder. */
const PLUS_INTRA = hex('0000 8002 1ce8 2100 1093 e3cf');

function packet(seq: number, ts: number, payload: Buffer, marker = false): RtpPacket {
  return new RtpPacket(new RtpHeader({ sequenceNumber: seq & 0xffff, timestamp: ts, marker, payloadType: 34, ssrc: 3 }), payload);
}

function feed(d: { push(p: RtpPacket): { frames: { data: Buffer; keyframe: boolean }[] } }, chunks: RtpPayloadChunk[], seq: number, ts: number) {
  return chunks.flatMap((c, i) => d.push(packet(seq + i, ts, c.payload, c.marker)).frames);
}

/** Splits a raw H.263 stream into pictures at each PSC. */
function pictures(stream: Buffer): Buffer[] {
  const starts = findH263StartCodes(stream).filter((o) => isPictureStartCode(stream, o));
  return starts.map((s, i) => stream.subarray(s, starts[i + 1] ?? stream.length));
}

function encode(codec: string, size: string, extra: string[] = []): Buffer {
  return execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`, '-frames:v', '6',
    '-pix_fmt', 'yuv420p', '-c:v', codec, '-g', '3', ...extra, '-f', 'h263', 'pipe:1',
  ], { timeout: 20000 });
}

function decodedFrames(stream: Buffer): number {
  const out = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'h263', '-i', 'pipe:0', '-f', 'framecrc', 'pipe:1'], { input: stream, timeout: 20000 });
  return out.toString().split('\n').filter((l) => /^0,/.test(l)).length;
}

describe('H.263 picture header (H.263 §5.1)', () => {
  it('reads TR, source format and picture coding type', () => {
    expect(parseH263PictureHeader(CIF_INTRA)).toMatchObject({ temporalReference: 0, sourceFormat: 3, intra: true, plusPtype: false });
    expect(parseH263PictureHeader(CIF_INTER)).toMatchObject({ temporalReference: 1, sourceFormat: 3, intra: false });
    expect(parseH263PictureHeader(PLUS_INTRA)).toMatchObject({ sourceFormat: 6, intra: true, plusPtype: true });
  });

  it('rejects pictures without PSC, truncated headers and forbidden values', () => {
    expect(() => parseH263PictureHeader(hex('0000 0002 0c'))).toThrow(CodecError);
    expect(() => parseH263PictureHeader(hex('0000 8002'))).toThrow(/truncated/);
    expect(() => parseH263PictureHeader(hex('0000 8003 0c05'))).toThrow(/1 0/);
    expect(() => parseH263PictureHeader(hex('0000 8002 0005'))).toThrow(/forbidden/);
  });

  it('finds byte-aligned start codes, including after zero stuffing', () => {
    expect(findH263StartCodes(hex('0000 80 11 22 00 0000 85 33 0000 7f 0000 c1'))).toEqual([0, 6, 13]);
  });
});

describe('RFC 4629 payload header', () => {
  it('parses and serializes P, V/VRC, PLEN/PEBIT and restores the start code zeros', () => {
    const plain = parseH263PayloadHeader(hex('0400 8002 0c'));
    expect(plain.header).toEqual({ startCode: true, vrc: undefined, extraPictureHeader: undefined, extraPictureHeaderEndBits: 0 });
    expect(plain.data).toEqual(hex('0000 8002 0c'));
    const full = parseH263PayloadHeader(hex('061a 5a aabbcc 1234'));
    expect(full.header).toEqual({ startCode: true, vrc: 0x5a, extraPictureHeader: hex('aabbcc'), extraPictureHeaderEndBits: 2 });
    expect(full.data).toEqual(hex('0000 1234'));
    expect(serializeH263PayloadHeader(full.header)).toEqual(hex('061a 5a aabbcc'));
    expect(parseH263PayloadHeader(hex('f800 99')).header.startCode).toBe(false); // RR ignored
  });

  it('rejects truncated headers and oversized fields', () => {
    for (const bad of ['04', '0600', '0418 aabb', '0400']) expect(() => parseH263PayloadHeader(hex(bad))).toThrow(CodecError);
    expect(() => serializeH263PayloadHeader({ startCode: false, extraPictureHeader: Buffer.alloc(64), extraPictureHeaderEndBits: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('packSegments', () => {
  // Picture: PSC segment of 10 octets, GOB segment of 6, GOB segment of 30.
  const picture = Buffer.concat([hex('0000 8002 0c'), Buffer.alloc(5, 0x11), hex('0000 85'), Buffer.alloc(3, 0x22), hex('0000 89'), Buffer.alloc(27, 0x33)]);

  it('packs whole segments together and cuts a segment that does not fit alone', () => {
    expect(packSegments(picture, 14, 2).map((p) => [p.data.length, p.startsWithStartCode])).toEqual([
      [16, true],
      [16, true],
      [14, false],
    ]);
    expect(Buffer.concat(packSegments(picture, 14, 2).map((p) => p.data))).toEqual(picture);
    expect(packSegments(picture, 100, 0).map((p) => p.data.length)).toEqual([46]);
  });
});

describe('H.263-1998 over RTP (RFC 4629)', () => {
  it('drops the start code zeros into the P bit and marks the last packet', () => {
    const picture = Buffer.concat([CIF_INTRA, Buffer.alloc(30, 0x44)]);
    const chunks = new H263Packetizer({ maxPayloadSize: 20 }).packetize(picture);
    expect(chunks.map((c) => [c.payload.subarray(0, 4).toString('hex'), c.payload.length, c.marker])).toEqual([
      ['04008002', 20, false],
      ['00004444', 20, true],
    ]);
    const d = new H263Depacketizer();
    expect(feed(d, chunks, 1, 0)).toEqual([{ data: picture, rtpTimestamp: 0, keyframe: true }]);
  });

  it('waits for an INTRA picture at the start and after loss', () => {
    const p = new H263Packetizer({ maxPayloadSize: 20 });
    const d = new H263Depacketizer();
    const inter = Buffer.concat([CIF_INTER, Buffer.alloc(40, 0x55)]);
    const intra = Buffer.concat([CIF_INTRA, Buffer.alloc(40, 0x44)]);
    expect(p.packetize(intra)).toHaveLength(3);
    expect(feed(d, p.packetize(inter), 1, 0)).toEqual([]); // seq 1..3
    expect(feed(d, p.packetize(intra), 4, 3000).map((f) => f.keyframe)).toEqual([true]);
    expect(feed(d, p.packetize(inter), 7, 6000).map((f) => f.keyframe)).toEqual([false]);
    const lossy = p.packetize(intra);
    expect(d.push(packet(10, 9000, lossy[0].payload)).frames).toEqual([]);
    expect(d.push(packet(12, 9000, lossy[2].payload, true))).toEqual({ frames: [], needsKeyframe: true });
    expect(feed(d, p.packetize(inter), 13, 12000)).toEqual([]);
  });

  it('round-trips ffmpeg h263p output and ffmpeg decodes the result', () => {
    const source = pictures(encode('h263p', '320x240'));
    expect(source).toHaveLength(6);
    const p = new H263Packetizer({ maxPayloadSize: 300 });
    const d = new H263Depacketizer();
    let seq = 0;
    const out = source.flatMap((pic, i) => p.packetize(pic).flatMap((c) => d.push(packet(seq++, i * 9000, c.payload, c.marker)).frames));
    expect(out.map((f) => f.data)).toEqual(source);
    expect(out.map((f) => f.keyframe)).toEqual([true, false, false, true, false, false]);
    expect(decodedFrames(Buffer.concat(out.map((f) => f.data)))).toBe(6);
  });
});

describe('H.263 over RTP (RFC 2190)', () => {
  it('writes mode A headers from the picture header', () => {
    const chunks = new Rfc2190Packetizer().packetize(Buffer.concat([CIF_INTRA, Buffer.alloc(10, 1)]));
    expect(chunks).toHaveLength(1);
    expect(chunks[0].payload.subarray(0, 4)).toEqual(hex('00 60 00 00'));
    expect(new Rfc2190Packetizer().packetize(Buffer.concat([CIF_INTER, Buffer.alloc(4, 1)]))[0].payload.subarray(0, 4)).toEqual(hex('00 70 00 00'));
    expect(serializeRfc2190ModeA({ startBits: 3, endBits: 5, sourceFormat: 2, intra: false, unrestrictedMotionVector: true, syntaxBasedArithmeticCoding: true, advancedPrediction: true })).toEqual(hex('1d 5e 00 00'));
    expect(() => new Rfc2190Packetizer().packetize(PLUS_INTRA)).toThrow(/PLUSPTYPE/);
  });

  it('reads the header length of modes A, B and C', () => {
    expect(parseRfc2190Header(hex('00 60 00 00 aa'))).toEqual({
      header: { mode: 'A', startBits: 0, endBits: 0, sourceFormat: 3, intra: true, pbFrames: false },
      data: hex('aa'),
    });
    expect(parseRfc2190Header(hex('9d 60 00 00 80 00 00 00 bb')).header).toMatchObject({ mode: 'B', startBits: 3, endBits: 5, intra: false });
    expect(parseRfc2190Header(hex('c0 60 00 00 00 00 00 00 00 00 00 00 cc')).data).toEqual(hex('cc'));
    expect(() => parseRfc2190Header(hex('80 60 00 00 00 00 00 00'))).toThrow(CodecError);
    expect(() => parseRfc2190Header(hex('00 60 00 00'))).toThrow(CodecError);
  });

  it('merges the octet shared by two packets through EBIT and SBIT', () => {
    const d = new Rfc2190Depacketizer();
    // Picture 0000 8002 0c AB CD EF cut after the high nibble of AB; the ignored bits hold junk.
    const first = Buffer.concat([hex('04 60 00 00'), hex('0000 8002 0c a7')]); // EBIT 4
    const second = Buffer.concat([hex('20 60 00 00'), hex('5b cd ef')]); // SBIT 4
    d.push(packet(1, 0, first));
    expect(d.push(packet(2, 0, second, true)).frames).toEqual([{ data: hex('0000 8002 0c ab cd ef'), rtpTimestamp: 0, keyframe: true }]);
    const mismatched = new Rfc2190Depacketizer();
    mismatched.push(packet(1, 0, first));
    expect(mismatched.push(packet(2, 0, Buffer.concat([hex('18 60 00 00'), hex('5b cd')]), true)).frames).toEqual([]);
  });

  it('round-trips ffmpeg h263 output with GOB headers and ffmpeg decodes the result', () => {
    const source = pictures(encode('h263', '352x288', ['-ps', '400']));
    expect(source).toHaveLength(6);
    const p = new Rfc2190Packetizer({ maxPayloadSize: 1000 });
    const d = new Rfc2190Depacketizer();
    let seq = 100;
    const out = source.flatMap((pic, i) =>
      p.packetize(pic).flatMap((c) => {
        expect(c.payload.length).toBeLessThanOrEqual(1000);
        return d.push(packet(seq++, i * 9000, c.payload, c.marker)).frames;
      }),
    );
    expect(out.map((f) => f.data)).toEqual(source);
    expect(out.map((f) => f.keyframe)).toEqual([true, false, false, true, false, false]);
    expect(decodedFrames(Buffer.concat(out.map((f) => f.data)))).toBe(6);
  });
});
