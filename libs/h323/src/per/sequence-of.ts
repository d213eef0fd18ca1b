import type { BitReader } from './bit-reader';
import { FRAGMENT_UNIT } from './bit-reader';
import type { BitWriter } from './bit-writer';
import { decodeValue, encodeValue } from './codec';
import type { SequenceOfType } from './compiled-type';
import { minimumBits } from './schema-linker';
import {
  checkRootSize,
  decodeSizePrefix,
  encodeSizePrefix,
  LENGTH_FOLLOWS_ROOT,
  SIZE_UNCONSTRAINED,
} from './size-constraint';

/** Most items of zero-bit encodings (e.g. SEQUENCE OF NULL) a decoder accepts in one value. */
export const MAX_EMPTY_ITEMS = 65536;

/**
 * SEQUENCE OF and SET OF, X.691 §19 and §21: the extension bit of an extensible SIZE constraint, then no
 * length for a fixed size below 64K, a constrained length when ub < 64K, else unconstrained length
 * determinants fragmented at 16K items (§19.6, §10.9.3.8); the items follow, not aligned. Values are arrays.
 * @throws PerEncodeError for a non-array or a size outside a non-extensible SIZE constraint
 */
export function encodeSequenceOf(w: BitWriter, t: SequenceOfType, v: unknown): void {
  if (!Array.isArray(v)) w.fail(`${t.set ? 'SET OF' : 'SEQUENCE OF'} value must be an array`);
  const n = v.length;
  const form = encodeSizePrefix(w, t.size, n);
  if (form !== SIZE_UNCONSTRAINED) {
    writeItems(w, t, v, 0, n);
    return;
  }
  let done = 0;
  for (;;) {
    const count = w.writeLengthDeterminant(n - done, 0, undefined);
    writeItems(w, t, v, done, done + count);
    done += count;
    if (count < FRAGMENT_UNIT) return;
  }
}

/**
 * Decodes a SEQUENCE OF / SET OF; see {@link encodeSequenceOf}. Item counts are checked against the remaining
 * input (using the least number of bits an item takes) before anything is allocated.
 */
export function decodeSequenceOf(r: BitReader, t: SequenceOfType): unknown[] {
  const prefix = decodeSizePrefix(r, t.size);
  const items: unknown[] = [];
  if (prefix >= 0) {
    readItems(r, t, items, prefix);
    return items;
  }
  for (;;) {
    const count = r.readLengthDeterminant(0, undefined);
    const more = r.fragment;
    readItems(r, t, items, count);
    if (!more) break;
  }
  if (prefix === LENGTH_FOLLOWS_ROOT) checkRootSize(r, t.size, items.length);
  return items;
}

function writeItems(w: BitWriter, t: SequenceOfType, items: readonly unknown[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    w.path.push(i);
    encodeValue(w, t.item, items[i]);
    w.path.pop();
  }
}

function readItems(r: BitReader, t: SequenceOfType, items: unknown[], count: number): void {
  if (t.itemMinimumBits < 0) t.itemMinimumBits = minimumBits(t.item);
  if (t.itemMinimumBits > 0) {
    if (count * t.itemMinimumBits > r.remainingBits) {
      r.fail(`${count} items cannot fit in the ${r.remainingBits} bits left`);
    }
  } else if (items.length + count > MAX_EMPTY_ITEMS) {
    r.fail(`more than ${MAX_EMPTY_ITEMS} items`);
  }
  const start = items.length;
  for (let i = 0; i < count; i++) {
    r.enter(start + i);
    items.push(decodeValue(r, t.item));
    r.leave();
  }
}
