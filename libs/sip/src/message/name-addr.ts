/**
 * name-addr / addr-spec values of From, To, Contact, Route, Record-Route, Reply-To, Refer-To
 * (RFC 3261 §20.10, §25.1):
 *
 *   name-addr  = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *
 * In the addr-spec form (no angle brackets) the URI ends at the first ";" and the parameters that follow
 * belong to the header field, not to the URI (§20.10); such a URI must not contain ",", "?" or ";".
 */
import { SipParseError } from './errors';
import { isTokenChar, isWs, parseParams, quote, scanQuoted, skipWs, trimWs, unquote } from './grammar';
import { formatUri, parseUri, type SipUri } from './uri';

/** A parsed name-addr or addr-spec with its header parameters. */
export interface NameAddr {
  /** Display name with quotes removed and quoted-pairs resolved; absent when none was written. */
  displayName?: string;
  /** The URI. */
  uri: SipUri;
  /** Header parameters after the URI (tag, expires, q, lr, …): names lower-case, values as written, `null` = no value. */
  params: Map<string, string | null>;
}

function bad(what: string, detail?: string): SipParseError {
  return new SipParseError(detail === undefined ? `Invalid ${what}` : `Invalid ${what}: ${detail}`);
}

/**
 * Parse one name-addr or addr-spec value with its trailing header parameters.
 * `what` names the header in error reasons (e.g. "To").
 * @throws SipParseError(`Invalid ${what}`) on an unterminated quoted string, a display name that is not a
 *   token sequence, whitespace inside <>, a URI that does not parse, or malformed parameters.
 */
export function parseNameAddr(value: string, what = 'address'): NameAddr {
  const s = value;
  const end = s.length;
  let i = skipWs(s, 0, end);
  let displayName: string | undefined;
  let laquot = -1;
  if (i < end && s.charCodeAt(i) === 34) {
    const close = scanQuoted(s, i, end);
    if (close < 0) throw bad(what, 'unterminated quoted string');
    displayName = unquote(s.slice(i, close));
    i = skipWs(s, close, end);
    if (i >= end || s.charCodeAt(i) !== 60) throw bad(what, 'missing <URI> after display name');
    laquot = i;
  } else {
    // Either *(token LWS) "<" or an addr-spec: look for "<" while the characters stay token/LWS.
    let j = i;
    while (j < end) {
      const c = s.charCodeAt(j);
      if (c === 60) {
        laquot = j;
        break;
      }
      if (!isTokenChar(c) && !isWs(c)) break;
      j++;
    }
    if (laquot < 0 && j < end && s.charCodeAt(j) !== 58) {
      // Not a token sequence and no scheme colon: e.g. `Bell, Alexander <sip:…>`.
      if (s.indexOf('<', j) >= 0) throw bad(what, 'unquoted display name with non-token characters');
    }
    if (laquot > i) displayName = trimWs(s.slice(i, laquot));
  }
  if (laquot >= 0) {
    const raquot = s.indexOf('>', laquot + 1);
    if (raquot < 0) throw bad(what, 'missing >');
    const inner = s.slice(laquot + 1, raquot);
    if (inner.length === 0) throw bad(what, 'empty <>');
    if (isWs(inner.charCodeAt(0)) || isWs(inner.charCodeAt(inner.length - 1))) throw bad(what, 'whitespace inside <>');
    const uri = parseUriAs(inner, what);
    const params = new Map<string, string | null>();
    parseParams(s, raquot + 1, end, params, what);
    return displayName !== undefined && displayName.length > 0 ? { displayName, uri, params } : { uri, params };
  }
  // addr-spec form: the URI ends at the first ";" (§20.10).
  let j = i;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c === 59 || isWs(c)) break;
    if (c === 44 || c === 63) throw bad(what, 'URI with comma or ? must be enclosed in <>');
    j++;
  }
  const uri = parseUriAs(s.slice(i, j), what);
  const params = new Map<string, string | null>();
  parseParams(s, j, end, params, what);
  return { uri, params };
}

function parseUriAs(text: string, what: string): SipUri {
  try {
    return parseUri(text);
  } catch (e) {
    if (e instanceof SipParseError) throw bad(what, 'malformed URI');
    throw e;
  }
}

/** Write a name-addr, always in the `<…>` form, with the display name (if any) as a quoted-string. */
export function formatNameAddr(na: NameAddr): string {
  let out = '';
  if (na.displayName !== undefined && na.displayName.length > 0) out += quote(na.displayName) + ' ';
  out += '<' + formatUri(na.uri) + '>';
  for (const [name, value] of na.params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}
