import type { BitReader } from './bit-reader';
import type { BitWriter } from './bit-writer';
import type { OpenType } from './compiled-type';

/**
 * Open type field, X.691 §10.2: the contents (a complete encoding, §10.1) as an octet string with an
 * unconstrained length determinant, fragmented at 16K. Used for open types such as `TYPE-IDENTIFIER.&Type`,
 * whose values are kept as the contained encoding (a Buffer; decode it with the `contains` type), and by
 * SEQUENCE and CHOICE for their extension additions.
 * @throws PerEncodeError when the value is not a Buffer
 */
export function encodeOpenType(w: BitWriter, _t: OpenType, v: unknown): void {
  if (!(v instanceof Uint8Array)) w.fail('open type value must be a Buffer holding the contained encoding');
  w.writeFragmentedOctets(v);
}

/** Decodes an open type field into a copy of its contents; see {@link encodeOpenType}. */
export function decodeOpenType(r: BitReader, _t: OpenType): Buffer {
  return Buffer.from(readOpenTypeContents(r));
}

/**
 * Reads an open type field (X.691 §10.2) and returns its contents: a view into the input when it is not
 * fragmented, else the concatenated fragments. Lengths are checked against the remaining input first.
 */
export function readOpenTypeContents(r: BitReader): Uint8Array {
  let count = r.readLengthDeterminant(0, undefined);
  if (!r.fragment) return r.viewOctets(count);
  const parts: Uint8Array[] = [];
  for (;;) {
    const more = r.fragment;
    parts.push(r.viewOctets(count));
    if (!more) break;
    count = r.readLengthDeterminant(0, undefined);
  }
  return Buffer.concat(parts);
}
