/**
 * IVF, the minimal container of VP8/VP9 test streams (libvpx; WebM project "IVF" description),
 * used on the pipes to and from ffmpeg because it frames each picture: ffmpeg knows a frame is
 * complete as soon as its bytes arrive, without waiting for the next one.
 *
 *   File header, 32 octets, little endian:
 *     0  'DKIF'          4  version (0)       6  header size (32)   8  FourCC ('VP80')
 *     12 width (u16)     14 height (u16)      16 rate (time base denominator, u32)
 *     20 scale (time base numerator, u32)     24 frame count (u32)  28 unused (u32)
 *   Frame header, 12 octets:
 *     0  frame size in octets (u32)            4  timestamp in time base units (u64)
 */
import { CodecError, InvalidArgumentError } from '../errors';

/** Octets of the IVF file header. */
export const IVF_FILE_HEADER_OCTETS = 32;
/** Octets of each IVF frame header. */
export const IVF_FRAME_HEADER_OCTETS = 12;
const SIGNATURE = 'DKIF';
/** Largest frame accepted from a stream, in octets (a corrupt size must not make us buffer forever). */
const MAX_FRAME_OCTETS = 16 * 1024 * 1024;

/** Fields of the IVF file header. */
export interface IvfFileHeader {
  /** Four-character codec code, e.g. 'VP80'. */
  readonly fourcc: string;
  readonly width: number;
  readonly height: number;
  /** Time base denominator (ticks per second when `timebaseScale` is 1). */
  readonly timebaseRate: number;
  /** Time base numerator. */
  readonly timebaseScale: number;
}

/** One frame read from an IVF stream. */
export interface IvfFrame {
  readonly data: Buffer;
  /** Presentation timestamp in time base units. */
  readonly timestamp: bigint;
}

/**
 * Serializes the IVF file header (frame count 0: unknown, as for a live stream).
 * @throws InvalidArgumentError when the FourCC is not four ASCII characters or a field overflows.
 */
export function serializeIvfFileHeader(header: IvfFileHeader): Buffer {
  if (!/^[\x20-\x7e]{4}$/.test(header.fourcc)) throw new InvalidArgumentError(`IVF FourCC ${header.fourcc}`);
  for (const [name, value, max] of [
    ['width', header.width, 0xffff],
    ['height', header.height, 0xffff],
    ['rate', header.timebaseRate, 0xffffffff],
    ['scale', header.timebaseScale, 0xffffffff],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > max) throw new InvalidArgumentError(`IVF ${name} ${value}`);
  }
  const buf = Buffer.alloc(IVF_FILE_HEADER_OCTETS);
  buf.write(SIGNATURE, 0, 'latin1');
  buf.writeUInt16LE(0, 4);
  buf.writeUInt16LE(IVF_FILE_HEADER_OCTETS, 6);
  buf.write(header.fourcc, 8, 'latin1');
  buf.writeUInt16LE(header.width, 12);
  buf.writeUInt16LE(header.height, 14);
  buf.writeUInt32LE(header.timebaseRate, 16);
  buf.writeUInt32LE(header.timebaseScale, 20);
  return buf;
}

/** Serializes one frame: its 12-octet header followed by the data. */
export function serializeIvfFrame(data: Buffer, timestamp: bigint): Buffer {
  const header = Buffer.alloc(IVF_FRAME_HEADER_OCTETS);
  header.writeUInt32LE(data.length, 0);
  header.writeBigUInt64LE(BigInt.asUintN(64, timestamp), 4);
  return Buffer.concat([header, data]);
}

/**
 * Reads an IVF stream that arrives in arbitrary chunks (a pipe from ffmpeg) and returns each
 * frame as soon as its last octet is in.
 */
export class IvfReader {
  private pending: Buffer = Buffer.alloc(0);
  private fileHeader: IvfFileHeader | undefined;

  /** The file header, once read. */
  get header(): IvfFileHeader | undefined {
    return this.fileHeader;
  }

  /**
   * Adds a chunk of the stream.
   * @returns the frames completed by it, in order.
   * @throws CodecError when the stream does not start with an IVF header or a frame size is absurd
   *   (the stream is unusable from then on).
   */
  push(chunk: Buffer): IvfFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: IvfFrame[] = [];
    let offset = 0;
    if (!this.fileHeader) {
      if (this.pending.length < IVF_FILE_HEADER_OCTETS) return frames;
      const header = parseFileHeader(this.pending);
      offset = this.pending.readUInt16LE(6);
      if (this.pending.length < offset) return frames;
      this.fileHeader = header;
    }
    while (this.pending.length - offset >= IVF_FRAME_HEADER_OCTETS) {
      const size = this.pending.readUInt32LE(offset);
      if (size > MAX_FRAME_OCTETS) throw new CodecError(`IVF frame of ${size} octets`);
      const end = offset + IVF_FRAME_HEADER_OCTETS + size;
      if (end > this.pending.length) break;
      frames.push({
        timestamp: this.pending.readBigUInt64LE(offset + 4),
        data: Buffer.from(this.pending.subarray(offset + IVF_FRAME_HEADER_OCTETS, end)),
      });
      offset = end;
    }
    this.pending = this.pending.subarray(offset);
    return frames;
  }
}

function parseFileHeader(buf: Buffer): IvfFileHeader {
  if (buf.toString('latin1', 0, 4) !== SIGNATURE) throw new CodecError('IVF stream without the DKIF signature');
  const headerSize = buf.readUInt16LE(6);
  if (headerSize < IVF_FILE_HEADER_OCTETS || headerSize > 1024) throw new CodecError(`IVF header size ${headerSize}`);
  return {
    fourcc: buf.toString('latin1', 8, 12),
    width: buf.readUInt16LE(12),
    height: buf.readUInt16LE(14),
    timebaseRate: buf.readUInt32LE(16),
    timebaseScale: buf.readUInt32LE(20),
  };
}
