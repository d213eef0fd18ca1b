import type { BitReader } from './bit-reader';
import type { BitWriter } from './bit-writer';

/**
 * BOOLEAN, X.691 §11: a single bit, 1 for TRUE.
 * @throws PerEncodeError when the value is not a boolean
 */
export function encodeBoolean(w: BitWriter, v: unknown): void {
  if (typeof v !== 'boolean') w.fail(`BOOLEAN value must be a boolean, got ${typeof v}`);
  w.writeBit(v);
}

/** Decodes a BOOLEAN (X.691 §11). */
export function decodeBoolean(r: BitReader): boolean {
  return r.readBit() === 1;
}
