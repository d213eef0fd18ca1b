import { bitsFor } from './bit-reader';
import type { KnownMultiplierStringType } from './schema';

/**
 * Canonical alphabets of the known-multiplier character string types (X.680 §41 Table 8, X.691 §27.5) and the
 * ALIGNED-variant bits per character derived from a permitted alphabet (X.691 §27.5.2 – §27.5.4).
 */

const PRINTABLE = " '()+,-./0123456789:=?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** First code, last code and size of the canonical character set, or the explicit canonical alphabet. */
export interface CanonicalAlphabet {
  readonly chars: string | undefined;
  readonly count: number;
  readonly maxCode: number;
}

const CANONICAL: Record<KnownMultiplierStringType, CanonicalAlphabet> = {
  NumericString: { chars: ' 0123456789', count: 11, maxCode: 0x39 },
  PrintableString: { chars: PRINTABLE, count: PRINTABLE.length, maxCode: 0x7a },
  VisibleString: { chars: undefined, count: 95, maxCode: 0x7e },
  IA5String: { chars: undefined, count: 128, maxCode: 0x7f },
  BMPString: { chars: undefined, count: 65536, maxCode: 0xffff },
  UniversalString: { chars: undefined, count: 2 ** 32, maxCode: 0xffffffff },
};

/** The canonical alphabet of a known-multiplier type. */
export function canonicalAlphabet(type: KnownMultiplierStringType): CanonicalAlphabet {
  return CANONICAL[type];
}

/** Characters of the canonical alphabet as a string (only for the small ones: NumericString … IA5String). */
export function canonicalChars(type: KnownMultiplierStringType): string {
  const alphabet = CANONICAL[type];
  if (alphabet.chars !== undefined) return alphabet.chars;
  const first = type === 'VisibleString' ? 0x20 : 0;
  let out = '';
  for (let code = first; code <= alphabet.maxCode && out.length < alphabet.count; code++) out += String.fromCharCode(code);
  return out;
}

/** The ALIGNED-variant encoding of characters for an effective alphabet. */
export interface CharacterEncodingPlan {
  /** Bits per character b: the smallest power of two ≥ B, where 2^B ≥ N (X.691 §27.5.2). */
  readonly bitsPerChar: number;
  /** Set when codes exceed 2^b − 1 and characters are encoded by their index in `alphabet` (§27.5.4). */
  readonly indexAlphabet: string | undefined;
}

/**
 * Plans the character encoding of a known-multiplier string with the effective permitted alphabet `alphabet`
 * (ascending code order) or, when absent, the type's canonical alphabet.
 */
export function planCharacters(type: KnownMultiplierStringType, alphabet: string | undefined): CharacterEncodingPlan {
  const canonical = CANONICAL[type];
  const count = alphabet !== undefined ? alphabet.length : canonical.count;
  const maxCode = alphabet !== undefined ? maxCodeOf(alphabet) : canonical.maxCode;
  const minimalBits = bitsFor(count - 1);
  let bitsPerChar = 1;
  while (bitsPerChar < minimalBits) bitsPerChar *= 2;
  if (maxCode <= 2 ** bitsPerChar - 1) return { bitsPerChar, indexAlphabet: undefined };
  return { bitsPerChar, indexAlphabet: alphabet ?? canonicalChars(type) };
}

function maxCodeOf(alphabet: string): number {
  let max = 0;
  for (let i = 0; i < alphabet.length; i++) max = Math.max(max, alphabet.charCodeAt(i));
  return max;
}
