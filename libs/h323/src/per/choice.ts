import type { BitReader } from './bit-reader';
import type { BitWriter } from './bit-writer';
import { decodeValue, encodeValue } from './codec';
import type { ChoiceType } from './compiled-type';
import { readOpenTypeContents } from './open-type';
import { UNKNOWN_ALTERNATIVE, type UnknownAlternative } from './values';

interface ChoiceValue {
  readonly tag: string;
  readonly value?: unknown;
  readonly index?: number;
}

/**
 * CHOICE, X.691 §22: the extension bit when the type is extensible (§22.5); a root alternative as a constrained
 * whole number of its index in canonical tag order followed by its value (§22.6, nothing when there is a single
 * root alternative); an extension addition as a normally small non-negative whole number of its addition index
 * followed by its value as an open type (§22.8). The value is `{ tag: alternativeName, value }`; an alternative
 * beyond the known additions is an {@link UnknownAlternative}, re-encoded as received.
 * @throws PerEncodeError for a malformed value or an unknown alternative name
 */
export function encodeChoice(w: BitWriter, t: ChoiceType, v: unknown): void {
  const choice = v as ChoiceValue;
  if (typeof v !== 'object' || v === null || typeof choice.tag !== 'string') {
    w.fail('CHOICE value must be { tag, value }');
  }
  const alternative = t.byName.get(choice.tag);
  if (alternative === undefined) {
    encodeUnknown(w, t, choice);
    return;
  }
  w.path.push(alternative.name);
  if (!alternative.extension) {
    if (t.extensible) w.writeBit(0);
    w.writeConstrainedWholeNumber(alternative.index, 0, t.root.length - 1);
    encodeValue(w, alternative.type, choice.value);
  } else {
    w.writeBit(1);
    w.writeNormallySmallNonNegativeWholeNumber(alternative.index);
    const mark = w.beginOpenType();
    encodeValue(w, alternative.type, choice.value);
    w.endOpenType(mark);
  }
  w.path.pop();
}

/** Decodes a CHOICE; see {@link encodeChoice}. */
export function decodeChoice(r: BitReader, t: ChoiceType): ChoiceValue {
  if (t.extensible && r.readBit() === 1) {
    const index = r.readNormallySmallNonNegativeWholeNumber();
    const contents = readOpenTypeContents(r);
    const alternative = t.additions[index];
    if (alternative === undefined) {
      const unknown: UnknownAlternative = { tag: UNKNOWN_ALTERNATIVE, index, value: Buffer.from(contents) };
      return unknown;
    }
    const inner = r.child(contents);
    inner.enter(alternative.name);
    const value = decodeValue(inner, alternative.type);
    inner.leave();
    return { tag: alternative.name, value };
  }
  if (t.root.length === 0) r.fail('CHOICE without root alternatives');
  const alternative = t.root[r.readConstrainedWholeNumber(0, t.root.length - 1)];
  r.enter(alternative.name);
  const value = decodeValue(r, alternative.type);
  r.leave();
  return { tag: alternative.name, value };
}

function encodeUnknown(w: BitWriter, t: ChoiceType, choice: ChoiceValue): void {
  if (choice.tag !== UNKNOWN_ALTERNATIVE || !t.extensible) {
    w.fail(`CHOICE has no alternative ${JSON.stringify(choice.tag)}`);
  }
  const index = choice.index;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < t.additions.length) {
    w.fail('unknown CHOICE alternative needs an index beyond the known extension additions');
  }
  if (!(choice.value instanceof Uint8Array)) w.fail('unknown CHOICE alternative value must be a Buffer');
  w.writeBit(1);
  w.writeNormallySmallNonNegativeWholeNumber(index);
  w.writeFragmentedOctets(choice.value);
}
