import type { BitReader } from './bit-reader';
import { FRAGMENT_UNIT } from './bit-reader';
import type { BitWriter } from './bit-writer';
import type { BitStringType } from './compiled-type';
import {
  checkRootSize,
  decodeSizePrefix,
  encodeSizePrefix,
  LENGTH_FOLLOWS_ROOT,
  SIZE_CONSTRAINED,
  SIZE_FIXED,
} from './size-constraint';
import type { BitStringValue } from './values';

/**
 * BIT STRING, X.691 §15: fixed sizes up to 16 bits are a plain bit-field (§15.8), fixed sizes up to 64K are
 * octet-aligned without length (§15.9); otherwise a length determinant in bits precedes the octet-aligned
 * bits (§15.10, §15.11), fragmented at 16K bits. A zero-length field adds no padding. The value is
 * `{ bits, length }` (see values.ts).
 * @throws PerEncodeError for a malformed value or a size outside a non-extensible SIZE constraint
 */
export function encodeBitString(w: BitWriter, t: BitStringType, v: unknown): void {
  const value = v as BitStringValue;
  if (typeof v !== 'object' || v === null || !(value.bits instanceof Uint8Array) || !Number.isSafeInteger(value.length)) {
    w.fail('BIT STRING value must be { bits: Buffer, length: number }');
  }
  const n = value.length;
  if (n < 0 || value.bits.length * 8 < n) w.fail(`BIT STRING length ${n} does not match ${value.bits.length} octets`);
  const form = encodeSizePrefix(w, t.size, n);
  if (form === SIZE_FIXED) {
    if (n > 16) w.align();
    writeBitField(w, value.bits, 0, n);
    return;
  }
  if (form === SIZE_CONSTRAINED) {
    if (n > 0) w.align();
    writeBitField(w, value.bits, 0, n);
    return;
  }
  let done = 0;
  for (;;) {
    const count = w.writeLengthDeterminant(n - done, 0, undefined);
    writeBitField(w, value.bits, done, count);
    done += count;
    if (count < FRAGMENT_UNIT) return;
  }
}

/** Decodes a BIT STRING (X.691 §15); see {@link encodeBitString}. */
export function decodeBitString(r: BitReader, t: BitStringType): BitStringValue {
  const prefix = decodeSizePrefix(r, t.size);
  if (prefix >= 0) {
    if (t.size?.fixed === true ? prefix > 16 : prefix > 0) r.align();
    return { bits: readBitField(r, prefix), length: prefix };
  }
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const count = r.readLengthDeterminant(0, undefined);
    const more = r.fragment;
    parts.push(readBitField(r, count));
    total += count;
    if (!more) break;
  }
  if (prefix === LENGTH_FOLLOWS_ROOT) checkRootSize(r, t.size, total);
  return { bits: parts.length === 1 ? parts[0] : Buffer.concat(parts), length: total };
}

/** Writes `count` bits of `bits` starting at bit `start` (a multiple of 8). */
function writeBitField(w: BitWriter, bits: Uint8Array, start: number, count: number): void {
  const first = start >>> 3;
  const whole = count >>> 3;
  if (whole > 0) w.writeOctets(bits.subarray(first, first + whole));
  const rest = count & 7;
  if (rest > 0) w.writeBits(bits[first + whole] >>> (8 - rest), rest);
}

/** Reads `count` bits into a new Buffer, left-aligned, unused trailing bits zero. */
function readBitField(r: BitReader, count: number): Buffer {
  r.need(count);
  const whole = count >>> 3;
  const rest = count & 7;
  if (rest === 0) return r.readOctets(whole);
  const out = Buffer.alloc(whole + 1);
  if (whole > 0) r.readOctets(whole).copy(out);
  out[whole] = r.readBits(rest) << (8 - rest);
  return out;
}
