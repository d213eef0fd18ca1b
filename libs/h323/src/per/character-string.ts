import type { BitReader } from './bit-reader';
import { FRAGMENT_UNIT } from './bit-reader';
import type { BitWriter } from './bit-writer';
import type { CharacterStringType } from './compiled-type';
import { readOpenTypeContents } from './open-type';
import {
  checkRootSize,
  decodeSizePrefix,
  encodeSizePrefix,
  LENGTH_FOLLOWS_ROOT,
  SIZE_CONSTRAINED,
  SIZE_FIXED,
} from './size-constraint';

/**
 * Restricted character strings.
 *
 * Known-multiplier types (IA5String, NumericString, PrintableString, VisibleString, BMPString,
 * UniversalString), X.691 §27: each character takes b bits (§27.5.2: the smallest power of two ≥ the bits
 * needed for the effective permitted alphabet); it is its code when every code of the alphabet fits in b bits,
 * else its index in the alphabet (§27.5.4). Fixed sizes are octet-aligned when ub × b > 16, variable sizes
 * when ub × b ≥ 16 (§27.5.7, as deployed encoders read it); zero-length fields add no padding.
 *
 * Other string types (GeneralString, UTF8String, …), X.691 §28: an unconstrained length in octets followed by
 * the octets (Latin-1 one char per octet, or UTF-8 for UTF8String).
 * @throws PerEncodeError for a non-string, a size outside a non-extensible SIZE constraint, or a character
 *   outside the permitted alphabet (indexed alphabets) / beyond 2^b − 1
 */
export function encodeCharacterString(w: BitWriter, t: CharacterStringType, v: unknown): void {
  if (typeof v !== 'string') w.fail(`${t.stringType} value must be a string, got ${typeof v}`);
  if (!t.knownMultiplier) {
    encodeOctetBased(w, t, v);
    return;
  }
  const text = t.knownType === 'UniversalString' ? toCodePoints(v) : v;
  const n = text.length;
  const form = encodeSizePrefix(w, t.size, n);
  if (form === SIZE_FIXED || form === SIZE_CONSTRAINED) {
    if (n > 0 && (form === SIZE_FIXED ? t.alignFixed : t.alignVariable)) w.align();
    writeCharacters(w, t, text, 0, n);
    return;
  }
  let done = 0;
  for (;;) {
    const count = w.writeLengthDeterminant(n - done, 0, undefined);
    writeCharacters(w, t, text, done, done + count);
    done += count;
    if (count < FRAGMENT_UNIT) return;
  }
}

/** Decodes a character string; see {@link encodeCharacterString}. */
export function decodeCharacterString(r: BitReader, t: CharacterStringType): string {
  if (!t.knownMultiplier) {
    const bytes = readOpenTypeContents(r);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(t.octetEncoding);
  }
  const prefix = decodeSizePrefix(r, t.size);
  if (prefix >= 0) {
    if (prefix > 0 && (t.size?.fixed === true ? t.alignFixed : t.alignVariable)) r.align();
    return readCharacters(r, t, prefix);
  }
  let text = '';
  let total = 0;
  for (;;) {
    const count = r.readLengthDeterminant(0, undefined);
    const more = r.fragment;
    text += readCharacters(r, t, count);
    total += count;
    if (!more) break;
  }
  if (prefix === LENGTH_FOLLOWS_ROOT) checkRootSize(r, t.size, total);
  return text;
}

type Characters = string | readonly number[];

function writeCharacters(w: BitWriter, t: CharacterStringType, text: Characters, from: number, to: number): void {
  const b = t.bitsPerChar;
  const index = t.indexOfCode;
  if (typeof text !== 'string') {
    for (let i = from; i < to; i++) w.writeBits(text[i], b);
    return;
  }
  if (index !== undefined) {
    for (let i = from; i < to; i++) {
      const position = index.get(text.charCodeAt(i));
      if (position === undefined) {
        w.fail(`character ${JSON.stringify(text[i])} outside the permitted alphabet of ${t.stringType}`);
      }
      w.writeBits(position, b);
    }
    return;
  }
  if (b === 8 && (w.bitPosition & 7) === 0) {
    const bad = w.writeLatin1(from === 0 && to === text.length ? text : text.slice(from, to));
    if (bad >= 0) w.fail(`character code ${text.charCodeAt(from + bad)} does not fit ${t.stringType}`);
    return;
  }
  const max = 2 ** b - 1;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code > max) w.fail(`character code ${code} does not fit ${t.stringType}`);
    w.writeBits(code, b);
  }
}

function readCharacters(r: BitReader, t: CharacterStringType, n: number): string {
  const b = t.bitsPerChar;
  r.need(n * b);
  const alphabet = t.indexAlphabet;
  if (alphabet === undefined && (r.bitPosition & 7) === 0) {
    if (b === 8) return r.readLatin1(n);
    if (b === 16) return r.readUcs2(n);
  }
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const raw = r.readBits(b);
    if (alphabet !== undefined) {
      if (raw >= alphabet.length) r.fail(`character index ${raw} outside the permitted alphabet of ${t.stringType}`);
      codes[i] = alphabet.charCodeAt(raw);
    } else {
      codes[i] = raw;
    }
  }
  return t.knownType === 'UniversalString' ? fromCodePoints(r, codes) : fromCharCodes(codes);
}

function encodeOctetBased(w: BitWriter, t: CharacterStringType, v: string): void {
  if (t.octetEncoding === 'latin1') {
    for (let i = 0; i < v.length; i++) {
      if (v.charCodeAt(i) > 255) w.fail(`character code ${v.charCodeAt(i)} does not fit ${t.stringType}`);
    }
  }
  w.writeFragmentedOctets(Buffer.from(v, t.octetEncoding));
}

function toCodePoints(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0) as number);
  return out;
}

function fromCharCodes(codes: number[]): string {
  let out = '';
  for (let i = 0; i < codes.length; i += 4096) out += String.fromCharCode(...codes.slice(i, i + 4096));
  return out;
}

function fromCodePoints(r: BitReader, codes: number[]): string {
  let out = '';
  for (const code of codes) {
    if (code > 0x10ffff) r.fail(`UniversalString character ${code} beyond U+10FFFF`);
    out += String.fromCodePoint(code);
  }
  return out;
}
