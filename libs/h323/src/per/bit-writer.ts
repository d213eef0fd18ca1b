import { bitsFor, FRAGMENT_UNIT, octetsFor } from './bit-reader';
import { formatPath, type PathStack, PerEncodeError } from './per-error';

/**
 * Builds an aligned-PER encoding bit by bit, most significant bit first, and implements the X.691 §10 encoding
 * procedures for the encoder: constrained (§10.5), normally small (§10.6), semi-constrained (§10.7) and
 * unconstrained (§10.8) whole numbers, length determinants with fragmentation (§10.9) and open type fields
 * (§10.2). The buffer grows by doubling; bits not yet written are zero, so writing ORs bits in place.
 */
export class BitWriter {
  /** Field path stack maintained by the type encoders; used in error messages. */
  readonly path: PathStack = [];
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialOctets = 256) {
    this.buf = new Uint8Array(initialOctets);
  }

  /** Empties the writer for reuse: clears the octets written so far and the path. */
  reset(): void {
    this.buf.fill(0, 0, Math.min(this.buf.length, ((this.pos + 7) >>> 3) + 1));
    this.pos = 0;
    this.path.length = 0;
  }

  /** Bits written so far. */
  get bitPosition(): number {
    return this.pos;
  }

  /** Throws a {@link PerEncodeError} at the current position and path. */
  fail(reason: string): never {
    throw new PerEncodeError(reason, formatPath(this.path), this.pos);
  }

  /**
   * The complete encoding (X.691 §10.1): the bits padded with zeros to an octet boundary; an empty encoding
   * becomes the single octet 0x00 (§10.1.3).
   */
  finish(): Buffer {
    const octets = (this.pos + 7) >>> 3;
    if (octets === 0) return Buffer.alloc(1);
    return Buffer.from(this.buf.subarray(0, octets));
  }

  /** One bit. */
  writeBit(bit: number | boolean): void {
    this.ensure(1);
    if (bit) this.buf[this.pos >>> 3] |= 0x80 >>> (this.pos & 7);
    this.pos++;
  }

  /** `value` (0 ≤ value < 2^n) as an n-bit non-negative binary integer (X.691 §10.3), 0 ≤ n ≤ 32. */
  writeBits(value: number, n: number): void {
    if (n > 24) {
      this.writeBits(Math.floor(value / 65536), n - 16);
      this.writeBits(value & 0xffff, 16);
      return;
    }
    this.ensure(n);
    let pos = this.pos;
    let left = n;
    while (left > 0) {
      const free = 8 - (pos & 7);
      const take = free < left ? free : left;
      left -= take;
      const chunk = (value >>> left) & ((1 << take) - 1);
      this.buf[pos >>> 3] |= chunk << (free - take);
      pos += take;
    }
    this.pos = pos;
  }

  /** Pads with zero bits to the next octet boundary (no-op when aligned). */
  align(): void {
    this.pos = (this.pos + 7) & ~7;
    this.ensure(0);
  }

  /** Whole octets at the current (possibly unaligned) position. */
  writeOctets(src: Uint8Array): void {
    const n = src.length;
    if ((this.pos & 7) === 0) {
      this.ensure(n * 8);
      this.buf.set(src, this.pos >>> 3);
      this.pos += n * 8;
      return;
    }
    for (let i = 0; i < n; i++) this.writeBits(src[i], 8);
  }

  /**
   * The characters of `text` as one octet each at an octet-aligned position. Returns the index of the first
   * character whose code exceeds 255 (nothing is written then), or -1.
   */
  writeLatin1(text: string): number {
    const n = text.length;
    for (let i = 0; i < n; i++) if (text.charCodeAt(i) > 255) return i;
    this.ensure(n * 8);
    const buf = this.buf;
    let at = this.pos >>> 3;
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    this.pos += n * 8;
    return -1;
  }

  /**
   * Constrained whole number, X.691 §10.5 (ALIGNED variant §10.5.7); see {@link BitReader.readConstrainedWholeNumber}.
   * The caller guarantees lb ≤ value ≤ ub.
   */
  writeConstrainedWholeNumber(value: number, lb: number, ub: number): void {
    const range = ub - lb + 1;
    const offset = value - lb;
    if (range === 1) return;
    if (range <= 255) {
      this.writeBits(offset, bitsFor(range - 1));
    } else if (range === 256) {
      this.align();
      this.writeBits(offset, 8);
    } else if (range <= 65536) {
      this.align();
      this.writeBits(offset, 16);
    } else {
      const octets = octetsFor(offset);
      this.writeConstrainedWholeNumber(octets, 1, octetsFor(range - 1));
      this.align();
      this.writeUnsignedOctets(offset, octets);
    }
  }

  /** Normally small non-negative whole number, X.691 §10.6. */
  writeNormallySmallNonNegativeWholeNumber(n: number): void {
    if (n <= 63) {
      this.writeBits(n, 7);
      return;
    }
    this.writeBit(1);
    this.writeSemiConstrainedWholeNumber(n, 0);
  }

  /** Semi-constrained whole number, X.691 §10.7: octet length then minimal octets of `value - lb`. */
  writeSemiConstrainedWholeNumber(value: number | bigint, lb: number): void {
    if (typeof value === 'number') {
      const offset = value - lb;
      const octets = octetsFor(offset);
      this.writeLengthDeterminant(octets, 0, undefined);
      this.writeUnsignedOctets(offset, octets);
      return;
    }
    const hex = (value - BigInt(lb)).toString(16);
    this.writeLengthDeterminant(Math.ceil(hex.length / 2), 0, undefined);
    this.writeOctets(Buffer.from(hex.length % 2 === 0 ? hex : '0' + hex, 'hex'));
  }


  /** Unconstrained whole number, X.691 §10.8: octet length then the minimal 2's-complement octets (§10.4). */
  writeUnconstrainedWholeNumber(value: number | bigint): void {
    const big = typeof value === 'bigint' ? value : BigInt(value);
    // Minimal two's complement: enough octets for the magnitude plus a sign bit.
    const magnitude = big < 0n ? -big - 1n : big;
    const octets = Math.floor(magnitude.toString(2).length / 8) + 1;
    this.writeLengthDeterminant(octets, 0, undefined);
    const raw = big < 0n ? (1n << BigInt(octets * 8)) + big : big;
    this.writeOctets(Buffer.from(raw.toString(16).padStart(octets * 2, '0'), 'hex'));
  }


  /**
   * Length determinant, X.691 §10.9 (ALIGNED). Below a 64K upper bound: a constrained whole number in lb..ub.
   * Otherwise octet-aligned: one octet (n < 128), two octets (n < 16K), or, for n ≥ 16K, a fragment header for
   * m × 16K items (m ≤ 4). Returns how many of the `n` items this determinant covers: the caller writes those
   * items and, when the result is a multiple of 16K, calls again with the rest (possibly 0, which writes the
   * closing 0x00 octet).
   */
  writeLengthDeterminant(n: number, lb: number, ub: number | undefined): number {
    if (ub !== undefined && ub < 65536) {
      this.writeConstrainedWholeNumber(n, lb, ub);
      return n;
    }
    this.align();
    if (n < 128) {
      this.writeBits(n, 8);
      return n;
    }
    if (n < FRAGMENT_UNIT) {
      this.writeBits(0x8000 | n, 16);
      return n;
    }
    const m = Math.min(4, Math.floor(n / FRAGMENT_UNIT));
    this.writeBits(0xc0 | m, 8);
    return m * FRAGMENT_UNIT;
  }

  /** Normally small length, X.691 §10.9.3.4 (n ≥ 1, the extension-addition bitmap length). */
  writeNormallySmallLength(n: number): void {
    if (n <= 64) {
      this.writeBits(n - 1, 7);
      return;
    }
    this.writeBit(1);
    this.writeLengthDeterminant(n, 0, undefined);
  }

  /**
   * Starts an open type field (X.691 §10.2): aligns and reserves one octet for the length. The value is then
   * encoded in place, as its own complete encoding starting on this octet boundary, and {@link endOpenType}
   * fixes up the length. Returns the mark to pass to {@link endOpenType}.
   */
  beginOpenType(): number {
    this.align();
    this.ensure(8);
    this.pos += 8;
    return this.pos;
  }

  /**
   * Completes the open type started at `mark`: pads to an octet, turns an empty encoding into 0x00 (§10.1.3)
   * and writes the length determinant in front, moving the contents when the length needs more than one octet
   * or fragmentation (§10.9.3.8).
   */
  endOpenType(mark: number): void {
    this.align();
    let length = (this.pos - mark) >>> 3;
    if (length === 0) {
      this.writeBits(0, 8);
      length = 1;
    }
    const headerAt = (mark >>> 3) - 1;
    if (length < 128) {
      this.buf[headerAt] = length;
      return;
    }
    if (length < FRAGMENT_UNIT) {
      this.ensure(8);
      this.buf.copyWithin(headerAt + 2, headerAt + 1, headerAt + 1 + length);
      this.buf[headerAt] = 0x80 | (length >>> 8);
      this.buf[headerAt + 1] = length & 0xff;
      this.pos += 8;
      return;
    }
    const contents = this.buf.slice(headerAt + 1, headerAt + 1 + length);
    this.buf.fill(0, headerAt, headerAt + 1 + length);
    this.pos = headerAt * 8;
    this.writeFragmentedOctets(contents);
  }

  /** Octets with an unconstrained length determinant, fragmented at 16K (X.691 §10.9.3.8). */
  writeFragmentedOctets(src: Uint8Array): void {
    let done = 0;
    for (;;) {
      const count = this.writeLengthDeterminant(src.length - done, 0, undefined);
      this.writeOctets(src.subarray(done, done + count));
      done += count;
      if (count < FRAGMENT_UNIT) return;
    }
  }

  private writeUnsignedOctets(value: number, octets: number): void {
    for (let i = octets - 1; i >= 0; i--) this.writeBits(Math.floor(value / 2 ** (8 * i)) & 0xff, 8);
  }

  private ensure(bits: number): void {
    const needed = (this.pos + bits + 7) >>> 3;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf);
    this.buf = grown;
  }
}
