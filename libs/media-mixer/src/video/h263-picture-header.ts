/**
 * The parts of the H.263 bitstream (ITU-T H.263 §5) the RTP payload formats need: byte-aligned
 * start codes and the picture header fields that tell the picture size class and whether the
 * picture is INTRA.
 *
 *   Picture layer (§5.1): PSC (22 bits: 0000 0000 0000 0000 1000 00) | TR (8) | PTYPE (13) | …
 *   PTYPE: 1 | 0 | split screen | document camera | freeze release | source format (3)
 *          | picture coding type (0 INTRA, 1 INTER) | UMV | SAC | AP | PB-frames
 *   Source format 111 announces PLUSPTYPE (§5.1.4): UFEP (3) | OPPTYPE (18, when UFEP = 001)
 *          | MPPTYPE (9: picture type code (3) | RPR | RRU | RTYPE | 0 0 1)
 */
import { CodecError } from '../errors';

/** Picture size classes of the PTYPE source format field (H.263 Table 1). */
export const H263_SOURCE_FORMATS: Readonly<Record<number, { name: string; width: number; height: number }>> = {
  1: { name: 'SQCIF', width: 128, height: 96 },
  2: { name: 'QCIF', width: 176, height: 144 },
  3: { name: 'CIF', width: 352, height: 288 },
  4: { name: '4CIF', width: 704, height: 576 },
  5: { name: '16CIF', width: 1408, height: 1152 },
};

/** Source format value meaning "extended PTYPE follows" (H.263 §5.1.3). */
export const H263_EXTENDED_PTYPE = 7;

/** The picture header fields the MCU reads. */
export interface H263PictureHeader {
  /** TR, temporal reference (8 bits). */
  readonly temporalReference: number;
  /** Source format: 1..5 per `H263_SOURCE_FORMATS`, 6 custom (PLUSPTYPE only), 7 never returned. */
  readonly sourceFormat: number;
  /** The picture is INTRA (PTYPE bit 9 = 0, or PLUSPTYPE picture type code I). */
  readonly intra: boolean;
  /** Header uses PLUSPTYPE (H.263 version 2 and later). */
  readonly plusPtype: boolean;
  /** Optional modes of baseline PTYPE (bits 10–13); false under PLUSPTYPE. */
  readonly unrestrictedMotionVector: boolean;
  readonly syntaxBasedArithmeticCoding: boolean;
  readonly advancedPrediction: boolean;
  readonly pbFrames: boolean;
}

/**
 * True when a byte-aligned picture start code begins at `offset`: 0x0000 then 1000 00xx.
 */
export function isPictureStartCode(data: Buffer, offset = 0): boolean {
  return offset + 2 < data.length && data[offset] === 0 && data[offset + 1] === 0 && (data[offset + 2] & 0xfc) === 0x80;
}

/**
 * Offsets of the byte-aligned start codes in `data` (PSC, GBSC, slice and end-of-sequence codes all
 * begin with 16 zero bits followed by a 1 bit, H.263 §5.1.1, §5.2.2), in increasing order.
 */
export function findH263StartCodes(data: Buffer): number[] {
  const offsets: number[] = [];
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i + 1] !== 0) {
      i++;
      continue;
    }
    if (data[i] === 0 && data[i + 2] >= 0x80) {
      offsets.push(i);
      i += 2;
    }
  }
  return offsets;
}

/**
 * Parses the picture header at the start of `data` (which must begin with a byte-aligned PSC).
 * @throws CodecError when there is no PSC, the header is truncated, or a fixed bit is wrong.
 */
export function parseH263PictureHeader(data: Buffer): H263PictureHeader {
  if (!isPictureStartCode(data)) throw new CodecError('H.263 picture without a byte-aligned PSC');
  const bits = new BitCursor(data, 22);
  const temporalReference = bits.read(8);
  if (bits.read(2) !== 0b10) throw new CodecError('H.263 PTYPE bits 1-2 are not 1 0');
  bits.skip(3); // split screen, document camera, freeze picture release
  const sourceFormat = bits.read(3);
  if (sourceFormat === 0) throw new CodecError('H.263 source format 000 is forbidden');
  if (sourceFormat !== H263_EXTENDED_PTYPE) {
    const inter = bits.read(1);
    return {
      temporalReference,
      sourceFormat,
      intra: inter === 0,
      plusPtype: false,
      unrestrictedMotionVector: bits.read(1) === 1,
      syntaxBasedArithmeticCoding: bits.read(1) === 1,
      advancedPrediction: bits.read(1) === 1,
      pbFrames: bits.read(1) === 1,
    };
  }
  const ufep = bits.read(3);
  let plusFormat = 0;
  if (ufep === 0b001) {
    plusFormat = bits.read(3);
    bits.skip(15);
  } else if (ufep !== 0) {
    throw new CodecError(`H.263 UFEP ${ufep} is reserved`);
  }
  const pictureType = bits.read(3);
  return {
    temporalReference,
    // Without OPPTYPE (UFEP 000) the format of the previous picture applies; 0 says "unknown".
    sourceFormat: plusFormat,
    intra: pictureType === 0b000,
    plusPtype: true,
    unrestrictedMotionVector: false,
    syntaxBasedArithmeticCoding: false,
    advancedPrediction: false,
    pbFrames: false,
  };
}

/** Reads big-endian bit fields with a bounds check on every read. */
class BitCursor {
  constructor(
    private readonly data: Buffer,
    private position: number,
  ) {}

  read(count: number): number {
    if (this.position + count > this.data.length * 8) throw new CodecError('H.263 picture header truncated');
    let value = 0;
    for (let i = 0; i < count; i++) {
      const bit = (this.data[(this.position + i) >> 3] >> (7 - ((this.position + i) & 7))) & 1;
      value = (value << 1) | bit;
    }
    this.position += count;
    return value;
  }

  skip(count: number): void {
    this.read(count);
  }
}
