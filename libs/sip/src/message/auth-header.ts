/**
 * Authorization, Proxy-Authorization, WWW-Authenticate and Proxy-Authenticate values
 * (RFC 3261 §20.7, §25.1; RFC 7616 §3.3–3.4; RFC 7235 §2.1 auth-param):
 *
 *   credentials = auth-scheme LWS auth-param *( COMMA auth-param )
 *   auth-param  = token EQUAL ( token / quoted-string )
 */
import { SipParseError } from './errors';
import { isTokenChar, quote, scanQuoted, scanToken, skipWs, unquote } from './grammar';

/** A parsed challenge or credentials value. */
export interface AuthHeader {
  /** The auth-scheme as written, e.g. `"Digest"`. */
  scheme: string;
  /** Parameters: names lower-case, values with quotes removed and quoted-pairs resolved. */
  params: Map<string, string>;
}

/**
 * Parse a challenge or credentials header value.
 * @throws SipParseError("Invalid authorization header") when the scheme or a parameter is malformed.
 */
export function parseAuthHeader(value: string): AuthHeader {
  const s = value;
  const end = s.length;
  let i = skipWs(s, 0, end);
  const schemeEnd = scanToken(s, i, end);
  if (schemeEnd === i) throw new SipParseError('Invalid authorization header');
  const scheme = s.slice(i, schemeEnd);
  const params = new Map<string, string>();
  i = skipWs(s, schemeEnd, end);
  while (i < end) {
    const nameEnd = scanToken(s, i, end);
    if (nameEnd === i) throw new SipParseError('Invalid authorization header');
    const name = s.slice(i, nameEnd).toLowerCase();
    i = skipWs(s, nameEnd, end);
    if (s.charCodeAt(i) !== 61) throw new SipParseError('Invalid authorization header');
    i = skipWs(s, i + 1, end);
    let valueEnd: number;
    let v: string;
    if (s.charCodeAt(i) === 34) {
      valueEnd = scanQuoted(s, i, end);
      if (valueEnd < 0) throw new SipParseError('Invalid authorization header');
      v = unquote(s.slice(i, valueEnd));
    } else {
      valueEnd = i;
      // token68-like values (base64 with "/" and "=") are accepted too.
      while (valueEnd < end) {
        const c = s.charCodeAt(valueEnd);
        if (isTokenChar(c) || c === 47 || c === 61 || c === 58) valueEnd++;
        else break;
      }
      if (valueEnd === i) throw new SipParseError('Invalid authorization header');
      v = s.slice(i, valueEnd);
    }
    params.set(name, v);
    i = skipWs(s, valueEnd, end);
    if (i < end) {
      if (s.charCodeAt(i) !== 44) throw new SipParseError('Invalid authorization header');
      i = skipWs(s, i + 1, end);
    }
  }
  return { scheme, params };
}

/**
 * Write a challenge or credentials value: `Scheme a="x", b=y`. Parameters listed in `quoted` are written as
 * quoted-strings (RFC 7616 §3.4: username, realm, nonce, uri, response, cnonce, opaque are quoted;
 * algorithm, qop (in credentials), nc and stale are not).
 */
export function formatAuthHeader(scheme: string, params: Record<string, string>, quoted: string[]): string {
  const q = new Set(quoted.map((n) => n.toLowerCase()));
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    parts.push(`${name}=${q.has(name.toLowerCase()) ? quote(value) : value}`);
  }
  return parts.length > 0 ? `${scheme} ${parts.join(', ')}` : scheme;
}
