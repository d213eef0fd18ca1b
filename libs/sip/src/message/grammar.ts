/**
 * Core rules of the SIP grammar (RFC 3261 §25.1) as character tables and small scanners.
 *
 * Every scanner walks a string by index with `charCodeAt` and never backtracks, so hostile input costs
 * linear time. Positions are UTF-16 indices into the string being scanned.
 */
import { SipParseError } from './errors';

function table(chars: string, withAlnum: boolean): Uint8Array {
  const t = new Uint8Array(128);
  if (withAlnum) {
    for (let c = 48; c <= 57; c++) t[c] = 1;
    for (let c = 65; c <= 90; c++) t[c] = 1;
    for (let c = 97; c <= 122; c++) t[c] = 1;
  }
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") (RFC 3261 §25.1). */
const TOKEN = table("-.!%*_+`'~", true);
/** Characters of a generic-param value when not quoted: token, plus host characters (IPv6 references). */
const PARAM_VALUE = table("-.!%*_+`'~:[]", true);
/** True for an octet allowed in a token. */
export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

/** True when `s` is a non-empty token (RFC 3261 §25.1). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/**
 * True when `s` can be a Call-ID: non-empty, visible characters only (RFC 3261 §25.1 `word ["@" word]`,
 * accepted liberally: any non-whitespace, non-control character, as deployed equipment sends "=" and others).
 */
export function isCallId(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 127) return false;
  }
  return true;
}

/** True for SP or HTAB. */
export function isWs(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * `s` without leading and trailing SP/HTAB/CR/LF. Unlike `String.prototype.trim()`, other Unicode spaces
 * (e.g. U+FEFF, U+00A0) are content and kept.
 */
export function trimWs(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end) {
    const c = s.charCodeAt(start);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    start++;
  }
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    end--;
  }
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Index of the first non-SP/HTAB character at or after `i` (at most `end`). */
export function skipWs(s: string, i: number, end = s.length): number {
  while (i < end && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** End index (exclusive) of the token starting at `i`; equals `i` when there is none. */
export function scanToken(s: string, i: number, end = s.length): number {
  while (i < end && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * End index (exclusive, after the closing DQUOTE) of the quoted-string starting at `i` (which must be a DQUOTE),
 * honouring quoted-pair escapes (RFC 3261 §25.1). Returns -1 when the string is not terminated.
 */
export function scanQuoted(s: string, i: number, end = s.length): number {
  for (let j = i + 1; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return -1;
}

/** The content of a quoted-string (without DQUOTEs) with quoted-pairs resolved. */
export function unquote(quoted: string): string {
  const inner = quoted.length >= 2 && quoted.charCodeAt(0) === 34 ? quoted.slice(1, -1) : quoted;
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '\\' && i + 1 < inner.length) out += inner[++i];
    else out += c;
  }
  return out;
}

/** `text` as a quoted-string, escaping DQUOTE and backslash (RFC 3261 §25.1). */
export function quote(text: string): string {
  return '"' + text.replace(/["\\]/g, (m) => '\\' + m) + '"';
}

/**
 * Parse `*( SEMI generic-param )` from `s[i..end)` into `out` (RFC 3261 §25.1 generic-param, §20).
 * LWS around ";" and "=" is allowed. Names are lower-cased; a value is kept as written (a quoted value keeps
 * its DQUOTEs); a parameter without value maps to `null`. Stops at `end` or at a "," outside quotes when
 * `stopAtComma`, and returns the index where it stopped.
 * @throws SipParseError(`Invalid ${what}`) on an empty name, a missing value after "=", or stray characters.
 */
export function parseParams(
  s: string,
  i: number,
  end: number,
  out: Map<string, string | null>,
  what: string,
  stopAtComma = false,
): number {
  for (;;) {
    i = skipWs(s, i, end);
    if (i >= end) return i;
    const c = s.charCodeAt(i);
    if (c === 44 && stopAtComma) return i;
    if (c !== 59) throw new SipParseError(`Invalid ${what}: unexpected characters after the value`);
    i = skipWs(s, i + 1, end);
    const nameEnd = scanToken(s, i, end);
    if (nameEnd === i) throw new SipParseError(`Invalid ${what}: empty parameter`);
    const name = s.slice(i, nameEnd).toLowerCase();
    i = skipWs(s, nameEnd, end);
    if (i < end && s.charCodeAt(i) === 61) {
      i = skipWs(s, i + 1, end);
      let valueEnd: number;
      if (i < end && s.charCodeAt(i) === 34) {
        valueEnd = scanQuoted(s, i, end);
        if (valueEnd < 0) throw new SipParseError(`Invalid ${what}: unterminated quoted string`);
      } else {
        valueEnd = i;
        while (valueEnd < end) {
          const v = s.charCodeAt(valueEnd);
          if (v >= 128 || PARAM_VALUE[v] !== 1) break;
          valueEnd++;
        }
        if (valueEnd === i) throw new SipParseError(`Invalid ${what}: parameter without value after "="`);
      }
      out.set(name, s.slice(i, valueEnd));
      i = valueEnd;
    } else {
      out.set(name, null);
    }
  }
}

/** `;name=value` text for a parameter map (values written as stored). */
export function formatParams(params: Map<string, string | null>): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

/**
 * Parse a non-negative decimal integer made of 1*DIGIT (leading zeros allowed), at most `max`.
 * Returns -1 when `s` is not 1*DIGIT or the value exceeds `max`.
 */
export function parseDigits(s: string, max: number): number {
  if (s.length === 0 || s.length > 20) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n > max ? -1 : n;
}
