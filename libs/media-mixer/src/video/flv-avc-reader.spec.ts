import { execFileSync } from 'node:child_process';
import { CodecError } from '../errors';
import { FlvAvcReader } from './flv-avc-reader';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SPS = hex('6742e01f8d6805');
const PPS = hex('68ce3c80');

function tag(type: number, timestamp: number, data: Buffer): Buffer {
  const header = Buffer.alloc(11);
  header[0] = type;
  header.writeUIntBE(data.length, 1, 3);
  header.writeUIntBE(timestamp & 0xffffff, 4, 3);
  header[7] = timestamp >>> 24;
  const previous = Buffer.alloc(4);
  previous.writeUInt32BE(11 + data.length);
  return Buffer.concat([header, data, previous]);
}

const FLV_HEADER = hex('464c5601 01 00000009 00000000');
const SEQUENCE_HEADER = tag(9, 0, Buffer.concat([hex('17 00 000000'), hex('01 42e01f ff e1 0007'), SPS, hex('01 0004'), PPS]));
const IDR = tag(9, 0, hex('17 01 000000 00000003 658884'));
const P_FRAME = tag(9, 0x01000028, hex('27 01 000000 00000002 419a 00000002 4101'));
const SCRIPT = tag(18, 0, hex('02000a6f6e4d65746144617461'));

describe('FlvAvcReader', () => {
  const stream = Buffer.concat([FLV_HEADER, SCRIPT, SEQUENCE_HEADER, IDR, P_FRAME]);

  it('returns each access unit once its tag is complete, with SPS/PPS before key frames', () => {
    for (const step of [1, 7, 29, stream.length]) {
      const reader = new FlvAvcReader();
      const units = [];
      for (let i = 0; i < stream.length; i += step) units.push(...reader.push(stream.subarray(i, i + step)));
      expect(units).toEqual([
        { nalUnits: [SPS, PPS, hex('658884')], keyframe: true, timestampMs: 0 },
        { nalUnits: [hex('419a'), hex('4101')], keyframe: false, timestampMs: 0x01000028 },
      ]);
      expect(reader.parameterSets).toEqual({ sps: [SPS], pps: [PPS] });
    }
  });

  it('rejects streams that are not FLV or AVC, and malformed bodies', () => {
    expect(() => new FlvAvcReader().push(hex('464c4701 01 00000009 00000000'))).toThrow(CodecError);
    const notAvc = tag(9, 0, hex('12 01 000000 00'));
    expect(() => new FlvAvcReader().push(Buffer.concat([FLV_HEADER, notAvc]))).toThrow(/not AVC/);
    const overrun = tag(9, 0, hex('27 01 000000 00000009 4101'));
    expect(() => new FlvAvcReader().push(Buffer.concat([FLV_HEADER, overrun]))).toThrow(/overruns/);
    const shortRecord = tag(9, 0, hex('17 00 000000 01 42e01f ff e1 0009 6742'));
    expect(() => new FlvAvcReader().push(Buffer.concat([FLV_HEADER, shortRecord]))).toThrow(/truncated/);
  });

  it('reads libx264 output written by ffmpeg, one access unit per frame', () => {
    const flv = execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25', '-frames:v', '6',
      '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'baseline',
      '-g', '3', '-x264-params', 'scenecut=0', '-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1',
    ], { timeout: 20000 });
    const units = new FlvAvcReader().push(flv);
    expect(units.map((u) => u.keyframe)).toEqual([true, false, false, true, false, false]);
    expect(units.map((u) => u.timestampMs)).toEqual([0, 40, 80, 120, 160, 200]);
    for (const u of units.filter((x) => x.keyframe)) {
      const types = u.nalUnits.map((n) => n[0] & 0x1f);
      expect(types.indexOf(7)).toBeLessThan(types.indexOf(5));
      expect(types.indexOf(8)).toBeLessThan(types.indexOf(5));
    }
  });
});
