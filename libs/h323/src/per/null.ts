import type { BitWriter } from './bit-writer';

/**
 * NULL, X.691 §17: no bits at all. The value is `null`.
 * @throws PerEncodeError when the value is not null
 */
export function encodeNull(w: BitWriter, v: unknown): void {
  if (v !== null) w.fail('NULL value must be null');
}

/** Decodes a NULL (X.691 §17): reads nothing. */
export function decodeNull(): null {
  return null;
}
