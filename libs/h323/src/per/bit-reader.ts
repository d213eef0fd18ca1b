import { formatPath, type PathStack, PerDecodeError } from './per-error';

/** 16K: the unit of fragmentation of length determinants (X.691 §10.9.3.8). */
export const FRAGMENT_UNIT = 16384;

/** Deepest nesting of constructed values the decoder follows before it rejects the input. */
export const MAX_DECODE_DEPTH = 128;

/**
 * Reads an aligned-PER encoding bit by bit (X.691 ALIGNED variant), most significant bit first, and implements
 * the X.691 §10 encoding procedures for the decoder: constrained (§10.5), normally small (§10.6),
 * semi-constrained (§10.7) and unconstrained (§10.8) whole numbers, and length determinants (§10.9).
 *
 * Every read checks the remaining bits first and throws {@link PerDecodeError} (with the current field path
 * from {@link path} and the bit offset) instead of reading past the end. Offsets count bits from the start of
 * the outermost encoding, also inside open types, which are read through a child reader sharing the path stack.
 */
export class BitReader {
  /** Field path stack maintained by the type decoders; used in error messages. */
  readonly path: PathStack;
  /** True when the last {@link readLengthDeterminant} returned a fragment (more length determinants follow). */
  fragment = false;
  private pos: number;
  private readonly end: number;
  /** The same octets as a Buffer (a view, no copy), for fast copies and string decoding. */
  private readonly bytes: Buffer;

  /**
   * @param data the encoding
   * @param baseBitOffset offset of `data[0]` within the outermost encoding, for error reports
   * @param path path stack shared with a parent reader (open types)
   */
  constructor(
    private readonly data: Uint8Array,
    private readonly baseBitOffset = 0,
    path: PathStack = [],
  ) {
    this.pos = 0;
    this.end = data.length * 8;
    this.path = path;
    this.bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  }

  /** Bits consumed so far (relative to this reader's data). */
  get bitPosition(): number {
    return this.pos;
  }

  /** Bits left to read. */
  get remainingBits(): number {
    return this.end - this.pos;
  }

  /** Throws a {@link PerDecodeError} at the current position and path. */
  fail(reason: string): never {
    throw new PerDecodeError(reason, formatPath(this.path), this.baseBitOffset + this.pos);
  }

  /** Throws unless `bits` more bits are available. */
  need(bits: number): void {
    if (bits > this.end - this.pos) {
      this.fail(`truncated encoding: ${bits} more bits needed, ${this.end - this.pos} left`);
    }
  }

  /** Enters a constructed value; rejects hostile nesting depth. */
  enter(segment: string | number): void {
    if (this.path.length >= MAX_DECODE_DEPTH) this.fail(`nesting deeper than ${MAX_DECODE_DEPTH} levels`);
    this.path.push(segment);
  }

  /** Leaves the value entered by {@link enter}. */
  leave(): void {
    this.path.pop();
  }

  /** One bit (0 or 1). */
  readBit(): number {
    if (this.pos >= this.end) this.need(1);
    const bit = (this.data[this.pos >>> 3] >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }

  /** `n` bits (0 ≤ n ≤ 32) as a non-negative binary integer (X.691 §10.3). */
  readBits(n: number): number {
    if (n > 24) {
      const high = this.readBits(n - 16);
      return high * 65536 + this.readBits(16);
    }
    this.need(n);
    let value = 0;
    let pos = this.pos;
    let left = n;
    while (left > 0) {
      const available = 8 - (pos & 7);
      const take = available < left ? available : left;
      const chunk = (this.data[pos >>> 3] >>> (available - take)) & ((1 << take) - 1);
      value = (value << take) | chunk;
      pos += take;
      left -= take;
    }
    this.pos = pos;
    return value;
  }

  /** Skips to the next octet boundary (no-op when aligned). Padding bits are not checked. */
  align(): void {
    this.pos = (this.pos + 7) & ~7;
    if (this.pos > this.end) this.pos = this.end;
  }

  /** `n` whole octets starting at the current (possibly unaligned) position, copied into a new Buffer. */
  readOctets(n: number): Buffer {
    this.need(n * 8);
    if ((this.pos & 7) === 0) {
      const start = this.pos >>> 3;
      this.pos += n * 8;
      const out = Buffer.allocUnsafe(n);
      this.bytes.copy(out, 0, start, start + n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.readBits(8);
    return out;
  }

  /** `n` octets at the current octet-aligned position as a Latin-1 string (one character per octet). */
  readLatin1(n: number): string {
    this.need(n * 8);
    const start = this.pos >>> 3;
    this.pos += n * 8;
    return this.bytes.toString('latin1', start, start + n);
  }

  /** `n` 16-bit characters (UTF-16 code units, big-endian) at the current octet-aligned position. */
  readUcs2(n: number): string {
    this.need(n * 16);
    const start = this.pos >>> 3;
    this.pos += n * 16;
    const swapped = Buffer.allocUnsafe(n * 2);
    this.bytes.copy(swapped, 0, start, start + n * 2);
    return swapped.swap16().toString('utf16le');
  }

  /** A view (no copy) of `n` octets at the current octet-aligned position. */
  viewOctets(n: number): Uint8Array {
    this.need(n * 8);
    const start = this.pos >>> 3;
    this.pos += n * 8;
    return this.data.subarray(start, start + n);
  }

  /** A child reader over `bytes` (an open type's contents) that reports offsets relative to this encoding. */
  child(bytes: Uint8Array): BitReader {
    return new BitReader(bytes, this.baseBitOffset + this.pos - bytes.length * 8, this.path);
  }

  /**
   * Constrained whole number, X.691 §10.5, ALIGNED variant (§10.5.7): nothing when the range is 1; a minimal
   * bit-field when the range is ≤ 255; one aligned octet when it is 256; two aligned octets up to 64K; otherwise
   * (the indefinite-length case, §10.5.7.4 and §12.2.6) a constrained length of 1..octets(range) followed by
   * that many aligned octets.
   */
  readConstrainedWholeNumber(lb: number, ub: number): number {
    const range = ub - lb + 1;
    let offset: number;
    if (range === 1) return lb;
    if (range <= 255) {
      offset = this.readBits(bitsFor(range - 1));
    } else if (range === 256) {
      this.align();
      offset = this.readBits(8);
    } else if (range <= 65536) {
      this.align();
      offset = this.readBits(16);
    } else {
      const octets = this.readConstrainedWholeNumber(1, octetsFor(range - 1));
      this.align();
      offset = this.readUnsignedOctets(octets);
    }
    if (offset > range - 1) this.fail(`constrained whole number ${lb + offset} above upper bound ${ub}`);
    return lb + offset;
  }

  /**
   * Normally small non-negative whole number, X.691 §10.6: a 0 bit and 6 bits for n ≤ 63, else a 1 bit and a
   * semi-constrained whole number (lb 0).
   */
  readNormallySmallNonNegativeWholeNumber(): number {
    if (this.readBit() === 0) return this.readBits(6);
    const value = this.readSemiConstrainedWholeNumber(0);
    if (typeof value !== 'number') this.fail('normally small number too large');
    return value;
  }

  /**
   * Semi-constrained whole number, X.691 §10.7: a length determinant (in octets, §10.9 unconstrained) followed by
   * the aligned octets of `value - lb` as a non-negative binary integer. Numbers beyond 2^53 come back as bigint.
   */
  readSemiConstrainedWholeNumber(lb: number): number | bigint {
    const octets = this.readIntegerLength();
    const offset = octets <= 6 ? this.readUnsignedOctets(octets) : this.readBigUnsignedOctets(octets);
    if (typeof offset === 'number') return lb + offset;
    const value = BigInt(lb) + offset;
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  /**
   * Unconstrained whole number, X.691 §10.8: a length determinant (octets) followed by the aligned 2's-complement
   * binary integer (§10.4). Numbers beyond ±2^53 come back as bigint.
   */
  readUnconstrainedWholeNumber(): number | bigint {
    const octets = this.readIntegerLength();
    if (octets <= 6) {
      const raw = this.readUnsignedOctets(octets);
      const signBit = 2 ** (octets * 8 - 1);
      return raw >= signBit ? raw - signBit * 2 : raw;
    }
    const raw = this.readBigUnsignedOctets(octets);
    const signBit = 1n << BigInt(octets * 8 - 1);
    const value = raw >= signBit ? raw - (signBit << 1n) : raw;
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  /**
   * Length determinant, X.691 §10.9 (ALIGNED). With `ub` below 64K the length is a constrained whole number
   * in lb..ub (§10.9.3.3). Otherwise it is octet-aligned: one octet for n < 128 (§10.9.3.6), two octets for
   * n < 16K (§10.9.3.7), or a fragment header 11000mmm announcing m × 16K items (§10.9.3.8), in which case
   * {@link fragment} is set and the caller reads the items and then another length determinant.
   */
  readLengthDeterminant(lb: number, ub: number | undefined): number {
    this.fragment = false;
    if (ub !== undefined && ub < 65536) return this.readConstrainedWholeNumber(lb, ub);
    this.align();
    const first = this.readBits(8);
    if ((first & 0x80) === 0) return first;
    if ((first & 0x40) === 0) return ((first & 0x3f) << 8) | this.readBits(8);
    const m = first & 0x3f;
    if (m < 1 || m > 4) this.fail(`invalid fragment size code ${m}`);
    this.fragment = true;
    return m * FRAGMENT_UNIT;
  }

  /**
   * Normally small length, X.691 §10.9.3.4 (length of the extension-addition bitmap, n ≥ 1): a 0 bit and n−1 in
   * 6 bits, or a 1 bit and an unconstrained length determinant.
   */
  readNormallySmallLength(): number {
    if (this.readBit() === 0) return this.readBits(6) + 1;
    const n = this.readLengthDeterminant(0, undefined);
    if (this.fragment) this.fail('fragmented extension bitmap length');
    if (n === 0) this.fail('empty extension bitmap');
    return n;
  }

  /** Length determinant of an integer's octets (never fragmented, never zero). */
  private readIntegerLength(): number {
    const octets = this.readLengthDeterminant(0, undefined);
    if (this.fragment || octets === 0) this.fail(`invalid integer length ${octets}`);
    this.align();
    return octets;
  }

  private readUnsignedOctets(octets: number): number {
    let value = 0;
    for (let i = 0; i < octets; i++) value = value * 256 + this.readBits(8);
    return value;
  }

  private readBigUnsignedOctets(octets: number): bigint {
    this.need(octets * 8);
    if ((this.pos & 7) !== 0) this.align();
    const start = this.pos >>> 3;
    this.pos += octets * 8;
    return BigInt('0x' + this.bytes.toString('hex', start, start + octets));
  }

}

/** Number of bits of the binary representation of `n` (n ≥ 0; 0 for n = 0). */
export function bitsFor(n: number): number {
  let bits = 0;
  while (n >= 1) {
    bits++;
    n = Math.floor(n / 2);
  }
  return bits;
}

/** Number of octets needed for the non-negative integer `n` (at least 1). */
export function octetsFor(n: number): number {
  let octets = 1;
  while (n >= 256) {
    octets++;
    n = Math.floor(n / 256);
  }
  return octets;
}
