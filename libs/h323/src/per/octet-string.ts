import type { BitReader } from './bit-reader';
import { FRAGMENT_UNIT } from './bit-reader';
import type { BitWriter } from './bit-writer';
import type { OctetStringType } from './compiled-type';
import {
  checkRootSize,
  decodeSizePrefix,
  encodeSizePrefix,
  LENGTH_FOLLOWS_ROOT,
  SIZE_CONSTRAINED,
  SIZE_FIXED,
} from './size-constraint';

/**
 * OCTET STRING, X.691 §16: fixed sizes of at most two octets are not aligned (§16.6), other fixed sizes below
 * 64K are octet-aligned without length (§16.7); otherwise a length determinant in octets precedes the
 * octet-aligned octets (§16.8, §16.9), fragmented at 16K. A zero-length field adds no padding. Value: Buffer
 * (any Uint8Array is accepted for encoding).
 * @throws PerEncodeError for a non-octet value or a size outside a non-extensible SIZE constraint
 */
export function encodeOctetString(w: BitWriter, t: OctetStringType, v: unknown): void {
  if (!(v instanceof Uint8Array)) w.fail('OCTET STRING value must be a Buffer');
  const n = v.length;
  const form = encodeSizePrefix(w, t.size, n);
  if (form === SIZE_FIXED) {
    if (n > 2) w.align();
    w.writeOctets(v);
    return;
  }
  if (form === SIZE_CONSTRAINED) {
    if (n > 0) w.align();
    w.writeOctets(v);
    return;
  }
  let done = 0;
  for (;;) {
    const count = w.writeLengthDeterminant(n - done, 0, undefined);
    w.writeOctets(v.subarray(done, done + count));
    done += count;
    if (count < FRAGMENT_UNIT) return;
  }
}

/** Decodes an OCTET STRING (X.691 §16); see {@link encodeOctetString}. */
export function decodeOctetString(r: BitReader, t: OctetStringType): Buffer {
  const prefix = decodeSizePrefix(r, t.size);
  if (prefix >= 0) {
    if (t.size?.fixed === true ? prefix > 2 : prefix > 0) r.align();
    return r.readOctets(prefix);
  }
  let count = r.readLengthDeterminant(0, undefined);
  if (!r.fragment) {
    if (prefix === LENGTH_FOLLOWS_ROOT) checkRootSize(r, t.size, count);
    return r.readOctets(count);
  }
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const more = r.fragment;
    parts.push(r.readOctets(count));
    total += count;
    if (!more) break;
    count = r.readLengthDeterminant(0, undefined);
  }
  if (prefix === LENGTH_FOLLOWS_ROOT) checkRootSize(r, t.size, total);
  return Buffer.concat(parts);
}
