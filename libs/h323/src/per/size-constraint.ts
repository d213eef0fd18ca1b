import type { BitReader } from './bit-reader';
import type { BitWriter } from './bit-writer';
import type { SizePlan } from './compiled-type';

/** Size encoded by the type itself: fixed size, no length determinant (X.691 §15.8, §16.8, §19.5, §27.5.6). */
export const SIZE_FIXED = 0;
/** Length written as a constrained whole number in lb..ub (ub < 64K, X.691 §10.9.3.3). */
export const SIZE_CONSTRAINED = 1;
/** Length to be written by the caller as unconstrained length determinants, fragmented at 16K (§10.9.3.5–8). */
export const SIZE_UNCONSTRAINED = 2;

/** Returned by {@link decodeSizePrefix}: lengths follow, and the total must satisfy the root constraint. */
export const LENGTH_FOLLOWS_ROOT = -1;
/** Returned by {@link decodeSizePrefix}: lengths follow, for a size outside an extensible root. */
export const LENGTH_FOLLOWS_EXTENDED = -2;

/**
 * Writes what precedes the contents of a sized type (strings, SEQUENCE OF): the extension bit of an
 * extensible SIZE constraint (set when `n` lies outside the root, which then encodes like an unconstrained
 * size), and the constrained length when ub < 64K. Returns one of {@link SIZE_FIXED},
 * {@link SIZE_CONSTRAINED}, {@link SIZE_UNCONSTRAINED}.
 * @throws PerEncodeError when `n` violates a non-extensible SIZE constraint
 */
export function encodeSizePrefix(w: BitWriter, size: SizePlan | undefined, n: number): number {
  if (size === undefined) return SIZE_UNCONSTRAINED;
  const inRoot = n >= size.lb && (size.ub === undefined || n <= size.ub);
  if (size.extensible) {
    w.writeBit(!inRoot);
    if (!inRoot) return SIZE_UNCONSTRAINED;
  } else if (!inRoot) {
    w.fail(`size ${n} outside SIZE(${size.lb}..${size.ub ?? 'MAX'})`);
  }
  if (size.fixed) return SIZE_FIXED;
  if (size.constrainedLength) {
    w.writeLengthDeterminant(n, size.lb, size.ub);
    return SIZE_CONSTRAINED;
  }
  return SIZE_UNCONSTRAINED;
}

/**
 * Reads what {@link encodeSizePrefix} wrote. Returns the size when it is fixed or was a constrained length;
 * otherwise {@link LENGTH_FOLLOWS_ROOT} or {@link LENGTH_FOLLOWS_EXTENDED}, and the caller reads unconstrained
 * length determinants.
 */
export function decodeSizePrefix(r: BitReader, size: SizePlan | undefined): number {
  if (size === undefined) return LENGTH_FOLLOWS_ROOT;
  if (size.extensible && r.readBit() === 1) return LENGTH_FOLLOWS_EXTENDED;
  if (size.fixed) return size.lb;
  if (size.constrainedLength) return r.readLengthDeterminant(size.lb, size.ub);
  return LENGTH_FOLLOWS_ROOT;
}

/** Rejects a total size read through unconstrained lengths that violates the root SIZE constraint. */
export function checkRootSize(r: BitReader, size: SizePlan | undefined, n: number): void {
  if (size === undefined) return;
  if (n < size.lb || (size.ub !== undefined && n > size.ub)) {
    r.fail(`size ${n} outside SIZE(${size.lb}..${size.ub ?? 'MAX'})`);
  }
}
