import type { BitReader } from './bit-reader';
import type { BitWriter } from './bit-writer';
import type { IntegerType } from './compiled-type';

/**
 * INTEGER, X.691 §12. An extensible type first writes one bit, set when the value lies outside the extension
 * root, and such a value is then an unconstrained whole number (§12.1). Root values: nothing when lb = ub,
 * a constrained whole number (§10.5) when both bounds exist, a semi-constrained whole number (§10.7) with only
 * a lower bound, an unconstrained whole number (§10.8) otherwise.
 *
 * Values are numbers, or bigints beyond ±2^53.
 * @throws PerEncodeError when the value is not an integer or lies outside a non-extensible constraint
 */
export function encodeInteger(w: BitWriter, t: IntegerType, v: unknown): void {
  if (typeof v !== 'number' && typeof v !== 'bigint') w.fail(`INTEGER value must be a number or bigint, got ${typeof v}`);
  if (typeof v === 'number' && !Number.isSafeInteger(v)) w.fail(`INTEGER value ${v} is not a safe integer (use bigint)`);
  const lb = t.lb;
  const ub = t.ub;
  const inRoot = (lb === undefined || v >= lb) && (ub === undefined || v <= ub);
  if (t.extensible) {
    w.writeBit(!inRoot);
    if (!inRoot) {
      w.writeUnconstrainedWholeNumber(v);
      return;
    }
  } else if (!inRoot) {
    w.fail(`INTEGER value ${v} outside ${lb ?? 'MIN'}..${ub ?? 'MAX'}`);
  }
  if (lb !== undefined && ub !== undefined) w.writeConstrainedWholeNumber(Number(v), lb, ub);
  else if (lb !== undefined) w.writeSemiConstrainedWholeNumber(v, lb);
  else w.writeUnconstrainedWholeNumber(v);
}

/** Decodes an INTEGER (X.691 §12); see {@link encodeInteger}. */
export function decodeInteger(r: BitReader, t: IntegerType): number | bigint {
  if (t.extensible && r.readBit() === 1) return r.readUnconstrainedWholeNumber();
  const lb = t.lb;
  const ub = t.ub;
  if (lb !== undefined && ub !== undefined) return r.readConstrainedWholeNumber(lb, ub);
  if (lb !== undefined) return r.readSemiConstrainedWholeNumber(lb);
  const value = r.readUnconstrainedWholeNumber();
  if (ub !== undefined && value > ub) r.fail(`INTEGER value ${value} above ${ub}`);
  return value;
}
