/**
 * SIP, SIPS and other URIs (RFC 3261 §19.1, §25.1; tel per RFC 3966).
 *
 * `parseUri()` resolves %-escapes in the user, password, parameters and headers; `formatUri()` writes them
 * back with the escaping each component requires. `uriEquals()` implements the comparison rules of §19.1.4.
 */
import { SipParseError } from './errors';

/** A parsed URI. */
export interface SipUri {
  /** Scheme, lower-case: `sip`, `sips`, `tel` or any other. */
  scheme: string;
  /** User part with escapes resolved (for `tel`: the telephone-subscriber). */
  user?: string;
  /** Password with escapes resolved (deprecated by RFC 3261, still parsed). */
  password?: string;
  /** Host, lower-case; an IPv6 reference keeps its brackets. Empty for `tel` and other schemes. */
  host: string;
  /** Port, 0..65535, when written. */
  port?: number;
  /** URI parameters: names lower-case, values with escapes resolved, `null` for a parameter without value. */
  params: Map<string, string | null>;
  /** URI headers (`?name=value&…`), names as written, values with escapes resolved. */
  headers: Map<string, string>;
  /** For schemes other than sip/sips/tel: everything after "scheme:", verbatim. */
  opaque?: string;
}

const ALNUM = 1;
const MARK = 2; // - _ . ! ~ * ' ( )
const USER_UNRESERVED = 4; // & = + $ , ; ? /
const PASSWORD_EXTRA = 8; // & = + $ ,
const PARAM_UNRESERVED = 16; // [ ] / : & + $
const HNV_UNRESERVED = 32; // [ ] / ? : + $

const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] |= ALNUM;
for (let c = 65; c <= 90; c++) CLASS[c] |= ALNUM;
for (let c = 97; c <= 122; c++) CLASS[c] |= ALNUM;
const mark = (chars: string, bit: number): void => {
  for (let i = 0; i < chars.length; i++) CLASS[chars.charCodeAt(i)] |= bit;
};
mark("-_.!~*'()", MARK);
mark('&=+$,;?/', USER_UNRESERVED);
mark('&=+$,', PASSWORD_EXTRA);
mark('[]/:&+$', PARAM_UNRESERVED);
mark('[]/?:+$', HNV_UNRESERVED);

const HEX = '0123456789ABCDEF';

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Resolve %HH escapes (RFC 3261 §25.1 `escaped`); the octets are read as UTF-8.
 * @throws SipParseError("Invalid URI") on a "%" not followed by two hex digits.
 */
export function unescapeUriComponent(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      const hi = i + 2 < s.length ? hexValue(s.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hexValue(s.charCodeAt(i + 2)) : -1;
      if (lo < 0) throw new SipParseError('Invalid URI');
      bytes.push(hi * 16 + lo);
      i += 2;
    } else if (c < 128) {
      bytes.push(c);
    } else {
      for (const b of Buffer.from(s[i], 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Escape every character whose class is not in `allowed` (alphanumerics and marks are always allowed). */
function escapeComponent(s: string, allowed: number): string {
  const mask = ALNUM | MARK | allowed;
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CLASS[c] & mask) === 0) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b < 128 && (CLASS[b] & mask) !== 0) out += String.fromCharCode(b);
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** True for characters that can never appear in a URI: controls, SP, DQUOTE, "<", ">", "\", DEL. */
function forbidden(c: number): boolean {
  return c <= 32 || c === 34 || c === 60 || c === 62 || c === 92 || c === 127;
}

function invalid(): SipParseError {
  return new SipParseError('Invalid URI');
}

/**
 * Parse a URI (RFC 3261 §19.1.1 for sip/sips, RFC 3966 for tel, `scheme:opaque` for others).
 * @throws SipParseError("Invalid URI") when the text is not a URI.
 */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':');
  if (colon <= 0) throw invalid();
  for (let i = 0; i < text.length; i++) if (forbidden(text.charCodeAt(i))) throw invalid();
  const first = text.charCodeAt(0) | 0x20;
  if (first < 97 || first > 122) throw invalid();
  for (let i = 1; i < colon; i++) {
    const c = text.charCodeAt(i);
    if (!((CLASS[c] & ALNUM) !== 0 || c === 43 || c === 45 || c === 46)) throw invalid();
  }
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(text, colon + 1, scheme);
  if (scheme === 'tel') return parseTelUri(text, colon + 1);
  if (colon + 1 >= text.length) throw invalid();
  return { scheme, host: '', params: new Map(), headers: new Map(), opaque: text.slice(colon + 1) };
}

function parseSipUri(text: string, start: number, scheme: string): SipUri {
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: new Map() };
  const end = text.length;
  const at = text.indexOf('@', start);
  let i = start;
  if (at >= 0) {
    const userinfo = text.slice(start, at);
    const pw = userinfo.indexOf(':');
    const user = pw < 0 ? userinfo : userinfo.slice(0, pw);
    if (user.length === 0) throw invalid();
    uri.user = unescapeUriComponent(user);
    if (pw >= 0) uri.password = unescapeUriComponent(userinfo.slice(pw + 1));
    i = at + 1;
  }
  // host
  const hostStart = i;
  if (i < end && text.charCodeAt(i) === 91) {
    const close = text.indexOf(']', i);
    if (close < 0) throw invalid();
    for (let j = i + 1; j < close; j++) {
      const c = text.charCodeAt(j);
      if (!(hexValue(c) >= 0 || c === 58 || c === 46)) throw invalid();
    }
    i = close + 1;
  } else {
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === 58 || c === 59 || c === 63) break;
      if (!((CLASS[c] & ALNUM) !== 0 || c === 45 || c === 46 || c === 95)) throw invalid();
      i++;
    }
  }
  if (i === hostStart) throw invalid();
  uri.host = text.slice(hostStart, i).toLowerCase();
  // port
  if (i < end && text.charCodeAt(i) === 58) {
    const portStart = ++i;
    let port = 0;
    while (i < end) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      port = port * 10 + d;
      i++;
    }
    if (i === portStart || i - portStart > 5 || port > 65535) throw invalid();
    uri.port = port;
  }
  // parameters
  while (i < end && text.charCodeAt(i) === 59) {
    let j = i + 1;
    while (j < end) {
      const c = text.charCodeAt(j);
      if (c === 59 || c === 63) break;
      j++;
    }
    const param = text.slice(i + 1, j);
    const eq = param.indexOf('=');
    const name = unescapeUriComponent(eq < 0 ? param : param.slice(0, eq)).toLowerCase();
    if (name.length === 0) throw invalid();
    uri.params.set(name, eq < 0 ? null : unescapeUriComponent(param.slice(eq + 1)));
    i = j;
  }
  // headers
  if (i < end && text.charCodeAt(i) === 63) {
    for (const h of text.slice(i + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0) throw invalid();
      uri.headers.set(unescapeUriComponent(h.slice(0, eq)), unescapeUriComponent(h.slice(eq + 1)));
    }
    i = end;
  }
  if (i !== end) throw invalid();
  return uri;
}

function parseTelUri(text: string, start: number): SipUri {
  const semi = text.indexOf(';', start);
  const number = semi < 0 ? text.slice(start) : text.slice(start, semi);
  if (number.length === 0) throw invalid();
  const uri: SipUri = { scheme: 'tel', user: unescapeUriComponent(number), host: '', params: new Map(), headers: new Map() };
  if (semi >= 0) {
    for (const p of text.slice(semi + 1).split(';')) {
      const eq = p.indexOf('=');
      const name = unescapeUriComponent(eq < 0 ? p : p.slice(0, eq)).toLowerCase();
      if (name.length === 0) throw invalid();
      uri.params.set(name, eq < 0 ? null : unescapeUriComponent(p.slice(eq + 1)));
    }
  }
  return uri;
}

/** Write a URI as text, escaping each component as RFC 3261 §25.1 requires. */
export function formatUri(uri: SipUri): string {
  if (uri.opaque !== undefined && uri.scheme !== 'sip' && uri.scheme !== 'sips' && uri.scheme !== 'tel') {
    return `${uri.scheme}:${uri.opaque}`;
  }
  let out = uri.scheme + ':';
  if (uri.scheme === 'tel') {
    out += escapeComponent(uri.user ?? '', PASSWORD_EXTRA | PARAM_UNRESERVED);
  } else {
    if (uri.user !== undefined) {
      out += escapeComponent(uri.user, USER_UNRESERVED);
      if (uri.password !== undefined) out += ':' + escapeComponent(uri.password, PASSWORD_EXTRA);
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += ':' + uri.port;
  }
  for (const [name, value] of uri.params) {
    out += ';' + escapeComponent(name, PARAM_UNRESERVED);
    if (value !== null) out += '=' + escapeComponent(value, PARAM_UNRESERVED);
  }
  let sep = '?';
  for (const [name, value] of uri.headers) {
    out += sep + escapeComponent(name, HNV_UNRESERVED) + '=' + escapeComponent(value, HNV_UNRESERVED);
    sep = '&';
  }
  return out;
}

/** Parameters that, when present in either URI, must be present and equal in both (RFC 3261 §19.1.4). */
const MUST_MATCH = ['user', 'ttl', 'method', 'maddr', 'transport'];

/**
 * URI equivalence per RFC 3261 §19.1.4: userinfo case-sensitive, host and parameters case-insensitive,
 * user/ttl/method/maddr/transport must match when present in either, other parameters only when present
 * in both, headers must all match; a missing port differs from an explicit one. Other schemes compare
 * by scheme and the rest of the text.
 */
export function uriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  if (a.scheme !== 'sip' && a.scheme !== 'sips' && a.scheme !== 'tel') return a.opaque === b.opaque;
  if (a.user !== b.user || a.password !== b.password) return false;
  if (a.host !== b.host || a.port !== b.port) return false;
  const lc = (v: string | null | undefined): string | null | undefined => (typeof v === 'string' ? v.toLowerCase() : v);
  for (const name of MUST_MATCH) {
    if (lc(a.params.get(name)) !== lc(b.params.get(name))) return false;
  }
  for (const [name, value] of a.params) {
    if (b.params.has(name) && lc(value) !== lc(b.params.get(name))) return false;
  }
  if (a.headers.size !== b.headers.size) return false;
  const bHeaders = new Map<string, string>();
  for (const [name, value] of b.headers) bHeaders.set(name.toLowerCase(), value);
  for (const [name, value] of a.headers) {
    if (bHeaders.get(name.toLowerCase()) !== value) return false;
  }
  return true;
}
