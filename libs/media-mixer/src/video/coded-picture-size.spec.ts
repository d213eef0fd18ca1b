import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codedPictureSize } from './coded-picture-size';
import type { VideoCodecName } from './ffmpeg-args';
import { findH263StartCodes, isPictureStartCode } from './h263-picture-header';

const FFMPEG = '/usr/bin/ffmpeg';
let dir: string;
let counter = 0;

/** Encodes `frames` pictures of a test pattern at `size` (WxH) with ffmpeg and returns the output file. */
function encode(size: string, frames: number, args: readonly string[]): Buffer {
  const file = join(dir, `out${counter++}`);
  const input = ['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25`, '-pix_fmt', 'yuv420p'];
  execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', ...input, '-frames:v', String(frames), ...args, file]);
  return readFileSync(file);
}

const x264 = (size: string, ...extra: string[]): Buffer => encode(size, 1, ['-c:v', 'libx264', ...extra, '-f', 'h264']);

/** The frames of an IVF file: 32-octet file header, then 12-octet frame headers (size LE32 first). */
function ivfFrames(file: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 32; at + 12 <= file.length; ) {
    const size = file.readUInt32LE(at);
    frames.push(file.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

/** Splits an H.263 stream at its byte-aligned picture start codes. */
function h263Pictures(stream: Buffer): Buffer[] {
  const starts = findH263StartCodes(stream).filter((at) => isPictureStartCode(stream, at));
  return starts.map((at, i) => stream.subarray(at, starts[i + 1] ?? stream.length));
}

/** `data` shifted right by `count` bits, the gap filled with 1 bits (no start code can form). */
function shiftedRight(data: Buffer, count: number): Buffer {
  const out = Buffer.alloc(data.length + 1);
  out[0] = 0xff << (8 - count);
  for (let i = 0; i < data.length; i++) {
    out[i] |= data[i] >> count;
    out[i + 1] |= (data[i] << (8 - count)) & 0xff;
  }
  return out;
}

/** Deterministic pseudo-random octets (32-bit LCG). */
function randomBuffers(seed: number, count: number, maxLength: number): Buffer[] {
  let state = seed;
  const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 16;
  return Array.from({ length: count }, () => Buffer.from(Array.from({ length: next() % (maxLength + 1) }, () => next() & 0xff)));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coded-picture-size-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('codedPictureSize on real encoder output', () => {
  describe('h264 (SPS, H.264 §7.3.2.1.1)', () => {
    it.each([
      ['640x480', 640, 480],
      ['1280x720', 1280, 720],
      ['1920x1080', 1920, 1080],
      ['642x362', 642, 362],
    ])('%s, baseline and high profile, applies frame cropping', (size, width, height) => {
      for (const profile of ['baseline', 'high']) {
        expect(codedPictureSize('h264', x264(size, '-profile:v', profile))).toEqual({ width, height, displayAspect: width / height });
      }
    });

    it('applies aspect_ratio_idc 2 (12:11) from the VUI', () => {
      for (const profile of ['baseline', 'high']) {
        const size = codedPictureSize('h264', x264('352x288', '-vf', 'setsar=12/11', '-profile:v', profile));
        expect(size).toMatchObject({ width: 352, height: 288 });
        expect(size?.displayAspect).toBeCloseTo(4 / 3, 2);
      }
    });

    it('applies Extended_SAR (aspect_ratio_idc 255)', () => {
      const size = codedPictureSize('h264', x264('640x480', '-vf', 'setsar=7/5'));
      expect(size).toMatchObject({ width: 640, height: 480 });
      expect(size?.displayAspect).toBeCloseTo((640 * 7) / (480 * 5), 6);
    });

    it('skips scaling matrices and reads 4:4:4 and 4:2:2 cropping units', () => {
      expect(codedPictureSize('h264', x264('642x362', '-profile:v', 'high', '-x264-params', 'cqm=jvt'))).toMatchObject({ width: 642, height: 362 });
      expect(codedPictureSize('h264', x264('642x362', '-pix_fmt', 'yuv444p', '-profile:v', 'high444', '-x264-params', 'cqm=jvt'))).toMatchObject({
        width: 642,
        height: 362,
      });
      expect(codedPictureSize('h264', x264('322x242', '-pix_fmt', 'yuv422p', '-profile:v', 'high422'))).toMatchObject({ width: 322, height: 242 });
    });

    it('reads field-coded sequences (frame_mbs_only_flag 0) in map units of two macroblock rows', () => {
      expect(codedPictureSize('h264', x264('1920x1080', '-flags', '+ildct', '-profile:v', 'high'))).toMatchObject({ width: 1920, height: 1080 });
      expect(codedPictureSize('h264', x264('720x484', '-flags', '+ildct', '-profile:v', 'main'))).toMatchObject({ width: 720, height: 484 });
    });

    it('gives undefined for an access unit without an SPS', () => {
      const stream = encode('320x240', 3, ['-c:v', 'libx264', '-profile:v', 'baseline', '-bsf:v', 'filter_units=remove_types=7', '-f', 'h264']);
      expect(codedPictureSize('h264', stream)).toBeUndefined();
    });

    it('never throws on any prefix of a real access unit, and never reports a wrong size', () => {
      const full = x264('352x288', '-vf', 'setsar=12/11', '-profile:v', 'high', '-x264-params', 'cqm=jvt');
      const expected = codedPictureSize('h264', full);
      expect(expected).toBeDefined();
      let undefinedPrefixes = 0;
      for (let length = 0; length <= full.length; length++) {
        const size = codedPictureSize('h264', full.subarray(0, length));
        if (size === undefined) undefinedPrefixes++;
        else expect(size).toEqual(expected);
      }
      expect(undefinedPrefixes).toBeGreaterThan(10);
    });
  });

  describe('vp8 (RFC 6386 §9.1)', () => {
    it.each([
      ['640x480', 640, 480],
      ['352x288', 352, 288],
      ['642x362', 642, 362],
    ])('%s key frame', (size, width, height) => {
      const [key] = ivfFrames(encode(size, 1, ['-c:v', 'libvpx', '-f', 'ivf']));
      expect(codedPictureSize('vp8', key)).toEqual({ width, height, displayAspect: width / height });
    });

    it('gives undefined for an inter frame and for truncated key frames', () => {
      const [key, inter] = ivfFrames(encode('320x240', 2, ['-c:v', 'libvpx', '-g', '100', '-f', 'ivf']));
      expect(inter[0] & 1).toBe(1);
      expect(codedPictureSize('vp8', inter)).toBeUndefined();
      for (let length = 0; length < 10; length++) expect(codedPictureSize('vp8', key.subarray(0, length))).toBeUndefined();
    });
  });

  describe('h263 and h263p (H.263 §5.1)', () => {
    it.each([
      ['128x96', 128, 96],
      ['176x144', 176, 144],
      ['352x288', 352, 288],
    ])('h263 %s standard format, pixel aspect 12:11', (size, width, height) => {
      const [picture] = h263Pictures(encode(size, 1, ['-c:v', 'h263', '-f', 'h263']));
      expect(codedPictureSize('h263', picture)).toEqual({ width, height, displayAspect: (width * 12) / (height * 11) });
    });

    it('QCIF and CIF display at 4:3, SQCIF at 16:11', () => {
      const aspect = (size: string): number | undefined =>
        codedPictureSize('h263', h263Pictures(encode(size, 1, ['-c:v', 'h263', '-f', 'h263']))[0])?.displayAspect;
      expect(aspect('176x144')).toBeCloseTo(4 / 3, 6);
      expect(aspect('352x288')).toBeCloseTo(4 / 3, 6);
      expect(aspect('128x96')).toBeCloseTo(16 / 11, 6);
    });

    it('h263p 640x360 custom picture format (CPFMT, §5.1.5) and 352x288', () => {
      const [custom] = h263Pictures(encode('640x360', 1, ['-c:v', 'h263p', '-f', 'h263']));
      expect(codedPictureSize('h263p', custom)).toEqual({ width: 640, height: 360, displayAspect: 640 / 360 });
      const [cif] = h263Pictures(encode('352x288', 1, ['-c:v', 'h263p', '-f', 'h263']));
      expect(codedPictureSize('h263p', cif)).toMatchObject({ width: 352, height: 288 });
    });

    it('h263p custom format with a pixel aspect ratio code and with extended PAR (EPAR, §5.1.6)', () => {
      const [par] = h263Pictures(encode('640x352', 1, ['-c:v', 'h263p', '-vf', 'setsar=16/11', '-f', 'h263']));
      expect(codedPictureSize('h263p', par)?.displayAspect).toBeCloseTo((640 * 16) / (352 * 11), 6);
      const [epar] = h263Pictures(encode('640x360', 1, ['-c:v', 'h263p', '-vf', 'setsar=3/2', '-f', 'h263']));
      expect(codedPictureSize('h263p', epar)).toMatchObject({ width: 640, height: 360 });
      expect(codedPictureSize('h263p', epar)?.displayAspect).toBeCloseTo((640 * 3) / (360 * 2), 6);
    });

    it('gives undefined for INTER pictures and truncated headers', () => {
      for (const [codec, size] of [['h263', '176x144'], ['h263p', '640x360']] as const) {
        const [intra, inter] = h263Pictures(encode(size, 2, ['-c:v', codec, '-g', '100', '-f', 'h263']));
        expect(codedPictureSize(codec, intra)).toBeDefined();
        expect(codedPictureSize(codec, inter)).toBeUndefined();
        const expected = codedPictureSize(codec, intra);
        for (let length = 0; length <= Math.min(intra.length, 64); length++) {
          const size = codedPictureSize(codec, intra.subarray(0, length));
          if (length < 5) expect(size).toBeUndefined(); // the picture header needs 43 bits at least
          else if (size !== undefined) expect(size).toEqual(expected);
        }
      }
    });
  });

  describe('h261 (H.261 §4.2.1)', () => {
    it.each([
      ['176x144', 176, 144],
      ['352x288', 352, 288],
    ])('%s, PSC at bit 0 and at every bit offset up to the 8th octet', (size, width, height) => {
      const picture = encode(size, 1, ['-c:v', 'h261', '-f', 'h261']);
      const expected = { width, height, displayAspect: 4 / 3 };
      expect(codedPictureSize('h261', picture)).toEqual(expected);
      for (let octets = 0; octets < 7; octets++) {
        for (let shift = 0; shift < 8; shift++) {
          const moved = shiftedRight(Buffer.concat([Buffer.alloc(octets, 0xff), picture]), shift);
          expect(codedPictureSize('h261', moved)).toEqual(expected);
        }
      }
      expect(codedPictureSize('h261', Buffer.concat([Buffer.alloc(9, 0xff), picture]))).toBeUndefined();
      expect(codedPictureSize('h261', picture.subarray(0, 3))).toBeUndefined();
    });
  });
});

describe('codedPictureSize on garbage', () => {
  const codecs: readonly VideoCodecName[] = ['h264', 'vp8', 'h263', 'h263p', 'h261'];
  /** Prefixes that lead each parser past its first checks. */
  const leads: readonly Buffer[] = [
    Buffer.alloc(0),
    Buffer.from([0, 0, 0, 1, 0x67]),
    Buffer.from([0, 0, 1, 0x67, 0x64]),
    Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]),
    Buffer.from([0, 0, 0x80, 0x02, 0x1c]),
    Buffer.from([0, 0, 0x80, 0x02, 0x0c]),
    Buffer.from([0, 1, 0]),
  ];

  it('never throws on 2000 seeded random buffers per codec and lead', () => {
    const buffers = randomBuffers(20240607, 2000, 48);
    for (const codec of codecs) {
      for (const lead of leads) {
        for (const random of buffers) {
          const size = codedPictureSize(codec, Buffer.concat([lead, random]));
          if (size !== undefined) {
            expect(size.width).toBeGreaterThan(0);
            expect(size.height).toBeGreaterThan(0);
            expect(Number.isFinite(size.displayAspect)).toBe(true);
          }
        }
      }
    }
  });

  it('gives undefined for empty buffers', () => {
    for (const codec of codecs) expect(codedPictureSize(codec, Buffer.alloc(0))).toBeUndefined();
  });
});
