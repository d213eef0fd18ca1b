import type { BitReader } from './bit-reader';
import type { BitWriter } from './bit-writer';
import type { EnumeratedType } from './compiled-type';
import { UNKNOWN_ENUMERATION_PREFIX } from './values';

/**
 * ENUMERATED, X.691 §13: an extension bit when the type is extensible; a root item as a constrained whole
 * number of its index (items sorted by value, §13.2); an extension addition as a normally small non-negative
 * whole number of its addition index (§13.3). Values are the item names; an addition unknown to the schema is
 * `'$unknown-<addition index>'`.
 * @throws PerEncodeError for a name the type does not have
 */
export function encodeEnumerated(w: BitWriter, t: EnumeratedType, v: unknown): void {
  if (typeof v !== 'string') w.fail(`ENUMERATED value must be a string, got ${typeof v}`);
  const index = t.indexOf.get(v);
  if (index === undefined) {
    const unknown = unknownAdditionIndex(v);
    if (!t.extensible || unknown < t.additions.length) w.fail(`ENUMERATED has no item ${JSON.stringify(v)}`);
    w.writeBit(1);
    w.writeNormallySmallNonNegativeWholeNumber(unknown);
    return;
  }
  if (index >= 0) {
    if (t.extensible) w.writeBit(0);
    w.writeConstrainedWholeNumber(index, 0, t.root.length - 1);
    return;
  }
  w.writeBit(1);
  w.writeNormallySmallNonNegativeWholeNumber(-1 - index);
}

/** Decodes an ENUMERATED (X.691 §13); see {@link encodeEnumerated}. */
export function decodeEnumerated(r: BitReader, t: EnumeratedType): string {
  if (t.extensible && r.readBit() === 1) {
    const index = r.readNormallySmallNonNegativeWholeNumber();
    return index < t.additions.length ? t.additions[index] : UNKNOWN_ENUMERATION_PREFIX + index;
  }
  if (t.root.length === 0) r.fail('ENUMERATED without root items');
  return t.root[r.readConstrainedWholeNumber(0, t.root.length - 1)];
}

function unknownAdditionIndex(v: string): number {
  if (!v.startsWith(UNKNOWN_ENUMERATION_PREFIX)) return -1;
  const digits = v.slice(UNKNOWN_ENUMERATION_PREFIX.length);
  return /^(0|[1-9][0-9]{0,8})$/.test(digits) ? Number(digits) : -1;
}
