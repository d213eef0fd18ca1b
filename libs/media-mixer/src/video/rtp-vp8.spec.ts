import { execFileSync } from 'node:child_process';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { CodecError, InvalidArgumentError } from '../errors';
import { IvfReader, serializeIvfFileHeader, serializeIvfFrame } from './ivf';
import {
  parseVp8FrameInfo,
  parseVp8PayloadDescriptor,
  serializeVp8PayloadDescriptor,
  Vp8Depacketizer,
  Vp8Packetizer,
} from './rtp-vp8';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** A key frame's first octets: tag with P = 0, start code, 320x240. */
const KEY = hex('50 42 00 9d 01 2a 40 01 f0 00 11 22 33');
/** An inter frame: tag with P = 1. */
const INTER = hex('31 02 00 aa bb');

function packet(seq: number, ts: number, payload: Buffer, marker = false): RtpPacket {
  return new RtpPacket(new RtpHeader({ sequenceNumber: seq & 0xffff, timestamp: ts, marker, payloadType: 97, ssrc: 7 }), payload);
}

describe('VP8 payload descriptor (RFC 7741 §4.2)', () => {
  it('parses and serializes every optional field', () => {
    const wire = hex('b2 f0 45 99 a5');
    const descriptor = {
      nonReference: true,
      startOfPartition: true,
      partitionIndex: 2,
      pictureId: 0x45,
      pictureIdBits: 7 as const,
      tl0PicIdx: 0x99,
      temporalLayerId: 2,
      layerSync: true,
      keyIndex: 5,
    };
    expect(parseVp8PayloadDescriptor(Buffer.concat([wire, hex('ff')]))).toEqual({ descriptor, length: 5 });
    expect(serializeVp8PayloadDescriptor(descriptor)).toEqual(wire);
  });

  it('handles the 15-bit PictureID, the minimal descriptor and KEYIDX alone', () => {
    expect(parseVp8PayloadDescriptor(hex('90 80 81 23 00'))).toEqual({
      descriptor: { nonReference: false, startOfPartition: true, partitionIndex: 0, pictureId: 0x123, pictureIdBits: 15 },
      length: 4,
    });
    expect(serializeVp8PayloadDescriptor({ nonReference: false, startOfPartition: true, partitionIndex: 0, pictureId: 0x123, pictureIdBits: 15 })).toEqual(hex('90 80 81 23'));
    expect(parseVp8PayloadDescriptor(hex('10 ff')).length).toBe(1);
    expect(serializeVp8PayloadDescriptor({ nonReference: false, startOfPartition: false, partitionIndex: 1 })).toEqual(hex('01'));
    const k = parseVp8PayloadDescriptor(hex('80 10 1f 00'));
    expect(k.descriptor.keyIndex).toBe(31);
    expect(k.descriptor.temporalLayerId).toBeUndefined();
    expect(serializeVp8PayloadDescriptor(k.descriptor)).toEqual(hex('80 10 1f'));
  });

  it('rejects truncated descriptors and payloads without data', () => {
    for (const bad of ['', '80', '80 80', '80 80 81', '80 40', '80 20', '90']) {
      expect(() => parseVp8PayloadDescriptor(hex(bad))).toThrow(CodecError);
    }
  });

  it('refuses to serialize out-of-range fields and TL0PICIDX without TID', () => {
    const base = { nonReference: false, startOfPartition: true, partitionIndex: 0 };
    expect(() => serializeVp8PayloadDescriptor({ ...base, partitionIndex: 8 })).toThrow(InvalidArgumentError);
    expect(() => serializeVp8PayloadDescriptor({ ...base, pictureId: 128, pictureIdBits: 7 })).toThrow(InvalidArgumentError);
    expect(() => serializeVp8PayloadDescriptor({ ...base, tl0PicIdx: 1 })).toThrow(/requires TID/);
  });
});

describe('VP8 frame header (RFC 6386 §9.1)', () => {
  it('tells key frames by the P bit and reads their size', () => {
    expect(parseVp8FrameInfo(KEY)).toEqual({ keyframe: true, width: 320, height: 240 });
    expect(parseVp8FrameInfo(INTER)).toEqual({ keyframe: false });
    expect(() => parseVp8FrameInfo(hex('50 42'))).toThrow(CodecError);
    expect(() => parseVp8FrameInfo(hex('50 42 00 9d 01 2b 40 01 f0 00'))).toThrow(/start code/);
  });
});

describe('Vp8Packetizer and Vp8Depacketizer', () => {
  it('cuts a frame into near-equal payloads with PictureID and S on the first, marker on the last', () => {
    const frame = Buffer.concat([KEY, Buffer.alloc(40, 0x77)]); // 53 octets
    const chunks = new Vp8Packetizer({ maxPayloadSize: 24, initialPictureId: 0x7fff }).packetize(frame);
    expect(chunks.map((c) => [c.payload.subarray(0, 4).toString('hex'), c.payload.length, c.marker])).toEqual([
      ['9080ffff', 22, false],
      ['8080ffff', 22, false],
      ['8080ffff', 21, true],
    ]);
    expect(Buffer.concat(chunks.map((c) => c.payload.subarray(4)))).toEqual(frame);
  });

  it('numbers pictures modulo 2^15', () => {
    const p = new Vp8Packetizer({ initialPictureId: 0x7fff });
    p.packetize(INTER);
    expect(p.packetize(INTER)[0].payload.subarray(2, 4)).toEqual(hex('80 00'));
  });

  it('delivers key frames, then inter frames, and waits for a key frame after loss', () => {
    const p = new Vp8Packetizer({ maxPayloadSize: 20, initialPictureId: 1 });
    const d = new Vp8Depacketizer();
    const send = (seq: number, ts: number, frame: Buffer, skip?: number) =>
      p.packetize(frame).flatMap((c, i) => (i === skip ? [] : d.push(packet(seq + i, ts, c.payload, c.marker)).frames));
    expect(send(1, 0, INTER)).toEqual([]);
    expect(d.needsKeyframe).toBe(true);
    const key = Buffer.concat([KEY, Buffer.alloc(30, 1)]);
    expect(send(2, 3000, key)).toEqual([{ data: key, rtpTimestamp: 3000, keyframe: true }]); // seq 2..4
    expect(send(5, 6000, INTER)).toEqual([{ data: INTER, rtpTimestamp: 6000, keyframe: false }]);
    expect(send(6, 9000, key, 1)).toEqual([]); // middle packet lost
    expect(d.needsKeyframe).toBe(true);
    expect(send(9, 12000, INTER)).toEqual([]);
    expect(send(10, 15000, key).map((f) => f.keyframe)).toEqual([true]);
    expect(d.stats).toMatchObject({ lostPackets: 1, framesOut: 3, keyframesOut: 2 });
  });

  it('drops a frame that does not start with S=1, PID=0 or has a malformed descriptor', () => {
    const d = new Vp8Depacketizer();
    expect(d.push(packet(1, 0, Buffer.concat([hex('00'), KEY]), true)).frames).toEqual([]);
    expect(d.push(packet(2, 3000, hex('80 80'), true)).frames).toEqual([]);
    expect(d.stats.malformedPackets).toBe(1);
    expect(d.push(packet(3, 6000, Buffer.concat([hex('10'), KEY]), true)).frames).toHaveLength(1);
  });

  it('round-trips libvpx output and ffmpeg decodes the result', () => {
    const ivf = execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-frames:v', '8',
      '-pix_fmt', 'yuv420p', '-c:v', 'libvpx', '-deadline', 'realtime', '-g', '4', '-b:v', '300k', '-f', 'ivf', 'pipe:1',
    ], { timeout: 20000 });
    const source = new IvfReader().push(ivf);
    expect(source).toHaveLength(8);
    const p = new Vp8Packetizer({ maxPayloadSize: 500 });
    const d = new Vp8Depacketizer();
    let seq = 65530;
    const frames = source.flatMap((f, i) => p.packetize(f.data).flatMap((c) => d.push(packet(seq++, i * 9000, c.payload, c.marker)).frames));
    expect(frames.map((f) => f.data)).toEqual(source.map((f) => f.data));
    expect(frames.map((f) => f.keyframe)).toEqual([true, false, false, false, true, false, false, false]);
    const rebuilt = Buffer.concat([
      serializeIvfFileHeader({ fourcc: 'VP80', width: 320, height: 240, timebaseRate: 90000, timebaseScale: 1 }),
      ...frames.map((f) => serializeIvfFrame(f.data, BigInt(f.rtpTimestamp))),
    ]);
    const decoded = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'ivf', '-i', 'pipe:0', '-f', 'framecrc', 'pipe:1'], {
      input: rebuilt,
      timeout: 20000,
    }).toString();
    expect(decoded.split('\n').filter((l) => /^0,/.test(l))).toHaveLength(8);
  });
});
