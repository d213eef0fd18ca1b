import type { BitReader } from './bit-reader';
import type { BitWriter } from './bit-writer';
import { decodeValue, encodeValue } from './codec';
import type { CompiledAddition, CompiledComponent, SequenceType } from './compiled-type';
import { readOpenTypeContents } from './open-type';
import type { UnknownExtension } from './values';

type Fields = Record<string, unknown>;

/** Longest extension-addition bitmap the encoder writes (a decoder is bounded by its input anyway). */
const MAX_EXTENSION_BITMAP = 65536;

/**
 * SEQUENCE and SET, X.691 §18 and §20 (SET components are already in canonical tag order):
 * the extension bit when the type is extensible (§18.1), a bit-map of the present OPTIONAL/DEFAULT root
 * components (§18.2), the root components, then — when the extension bit is set — the normally small length
 * of the extension-addition bit-map, the bit-map, and each present addition as an open type (§18.7–§18.9);
 * an extension addition group is encoded there as a SEQUENCE of its components.
 *
 * Values are plain objects (values.ts); a component is absent when its key is missing or undefined.
 * `$unknownExtensions` and `$extensionBitmapLength` reproduce what a decoder kept from a newer peer.
 * @throws PerEncodeError for a non-object value or a missing mandatory component
 */
export function encodeSequence(w: BitWriter, t: SequenceType, v: unknown): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) {
    w.fail(`${t.set ? 'SET' : 'SEQUENCE'} value must be an object`);
  }
  const fields = v as Fields;
  let extended = false;
  if (t.extensible) {
    extended = hasExtensions(t, fields);
    w.writeBit(extended);
  }
  writePresenceBitmap(w, t.root, fields);
  writeComponents(w, t.root, fields);
  if (extended) writeExtensions(w, t, fields);
}

/** Decodes a SEQUENCE or SET; see {@link encodeSequence}. */
export function decodeSequence(r: BitReader, t: SequenceType): Fields {
  const extended = t.extensible && r.readBit() === 1;
  const fields: Fields = {};
  readComponents(r, t.root, t.optionalCount, fields);
  if (extended) readExtensions(r, t, fields);
  return fields;
}

function hasExtensions(t: SequenceType, fields: Fields): boolean {
  const unknown = fields.$unknownExtensions;
  if ((Array.isArray(unknown) && unknown.length > 0) || fields.$extensionBitmapLength !== undefined) return true;
  for (const addition of t.additions) if (isPresent(addition, fields)) return true;
  return false;
}

function isPresent(addition: CompiledAddition, fields: Fields): boolean {
  for (const c of addition.components) if (fields[c.name] !== undefined) return true;
  return false;
}

function writePresenceBitmap(w: BitWriter, components: readonly CompiledComponent[], fields: Fields): void {
  for (const c of components) if (c.optional) w.writeBit(fields[c.name] !== undefined);
}

function writeComponents(w: BitWriter, components: readonly CompiledComponent[], fields: Fields): void {
  for (const c of components) {
    const value = fields[c.name];
    w.path.push(c.name);
    if (value === undefined) {
      if (!c.optional) w.fail('missing mandatory component');
    } else {
      encodeValue(w, c.type, value);
    }
    w.path.pop();
  }
}

function writeExtensions(w: BitWriter, t: SequenceType, fields: Fields): void {
  const unknown = unknownExtensions(w, t, fields);
  const known = t.additions.length;
  let length = 0;
  for (let i = 0; i < known; i++) if (isPresent(t.additions[i], fields)) length = i + 1;
  if (unknown.length > 0) length = Math.max(length, unknown[unknown.length - 1].index + 1);
  const stated = fields.$extensionBitmapLength;
  if (typeof stated === 'number' && Number.isSafeInteger(stated) && stated > length) length = stated;
  if (length === 0) length = 1;
  if (length > MAX_EXTENSION_BITMAP) w.fail(`extension bitmap of ${length} bits`);
  w.writeNormallySmallLength(length);
  let u = 0;
  for (let i = 0; i < length; i++) {
    if (i < known) w.writeBit(isPresent(t.additions[i], fields));
    else if (u < unknown.length && unknown[u].index === i) {
      w.writeBit(1);
      u++;
    } else w.writeBit(0);
  }
  u = 0;
  for (let i = 0; i < length; i++) {
    if (i < known) {
      const addition = t.additions[i];
      if (!isPresent(addition, fields)) continue;
      const mark = w.beginOpenType();
      if (addition.group) {
        writePresenceBitmap(w, addition.components, fields);
        writeComponents(w, addition.components, fields);
      } else {
        const c = addition.components[0];
        w.path.push(c.name);
        encodeValue(w, c.type, fields[c.name]);
        w.path.pop();
      }
      w.endOpenType(mark);
    } else if (u < unknown.length && unknown[u].index === i) {
      w.writeFragmentedOctets(unknown[u].encoding);
      u++;
    }
  }
}

function unknownExtensions(w: BitWriter, t: SequenceType, fields: Fields): readonly UnknownExtension[] {
  const list = fields.$unknownExtensions;
  if (list === undefined) return [];
  if (!Array.isArray(list)) w.fail('$unknownExtensions must be an array');
  let previous = t.additions.length - 1;
  for (const item of list as UnknownExtension[]) {
    if (typeof item !== 'object' || item === null || !(item.encoding instanceof Uint8Array) || !Number.isSafeInteger(item.index)) {
      w.fail('$unknownExtensions items must be { index, encoding }');
    }
    if (item.index <= previous) w.fail(`$unknownExtensions index ${item.index} out of order or not beyond known additions`);
    previous = item.index;
  }
  return list as UnknownExtension[];
}

function readComponents(
  r: BitReader,
  components: readonly CompiledComponent[],
  optionalCount: number,
  fields: Fields,
): void {
  let bitmap = 0;
  let bitmapBits: Uint8Array | undefined;
  if (optionalCount <= 24) bitmap = r.readBits(optionalCount);
  else {
    r.need(optionalCount);
    bitmapBits = new Uint8Array(optionalCount);
    for (let i = 0; i < optionalCount; i++) bitmapBits[i] = r.readBit();
  }
  let optionalIndex = 0;
  for (const c of components) {
    if (c.optional) {
      const present =
        bitmapBits !== undefined
          ? bitmapBits[optionalIndex] === 1
          : ((bitmap >>> (optionalCount - 1 - optionalIndex)) & 1) === 1;
      optionalIndex++;
      if (!present) continue;
    }
    r.enter(c.name);
    fields[c.name] = decodeValue(r, c.type);
    r.leave();
  }
}

function readExtensions(r: BitReader, t: SequenceType, fields: Fields): void {
  const length = r.readNormallySmallLength();
  r.need(length);
  const present = new Uint8Array(length);
  for (let i = 0; i < length; i++) present[i] = r.readBit();
  let last = -1;
  let unknown: UnknownExtension[] | undefined;
  for (let i = 0; i < length; i++) {
    if (present[i] === 0) continue;
    last = i;
    const contents = readOpenTypeContents(r);
    if (i >= t.additions.length) {
      (unknown ??= []).push({ index: i, encoding: Buffer.from(contents) });
      continue;
    }
    const addition = t.additions[i];
    const inner = r.child(contents);
    if (addition.group) {
      readComponents(inner, addition.components, addition.optionalCount, fields);
    } else {
      const c = addition.components[0];
      inner.enter(c.name);
      fields[c.name] = decodeValue(inner, c.type);
      inner.leave();
    }
  }
  if (unknown !== undefined) fields.$unknownExtensions = unknown;
  if (length !== last + 1) fields.$extensionBitmapLength = length;
}
