/**
 * Digest credentials in an Authorization header (RFC 7616 §3.4, RFC 2617 §3.2.2, RFC 3261 §22.4,
 * §25.1 `digest-response`) and the digest computation itself (RFC 7616 §3.4.1–3.4.3):
 *
 *   response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2))   with qop=auth
 *   response = KD(H(A1), nonce ":" H(A2))                             without qop (RFC 2069)
 *   A1 = username ":" realm ":" passwd          (MD5, SHA-256)
 *   A1 = H(username ":" realm ":" passwd) ":" nonce ":" cnonce         (-sess variants)
 *   A2 = Method ":" request-uri
 *   KD(secret, data) = H(secret ":" data),  H = lower-case hex of MD5 or SHA-256 over the UTF-8 octets
 */
import { createHash } from 'node:crypto';
import { parseAuthHeader, SipParseError } from '../message';
import type { DigestAlgorithm } from './binding-store';

/** Algorithms a client may use in a response: the offered ones and their session variants (RFC 7616 §3.4.2). */
export type DigestResponseAlgorithm = DigestAlgorithm | 'MD5-sess' | 'SHA-256-sess';

/** Node hash names and hex lengths of each base algorithm. */
const HASHES: Readonly<Record<DigestAlgorithm, { name: string; hexLength: number }>> = {
  MD5: { name: 'md5', hexLength: 32 },
  'SHA-256': { name: 'sha256', hexLength: 64 },
};

/** The base algorithm of a response algorithm: `MD5-sess` → `MD5`. */
export function baseAlgorithm(algorithm: DigestResponseAlgorithm): DigestAlgorithm {
  return algorithm === 'MD5-sess' ? 'MD5' : algorithm === 'SHA-256-sess' ? 'SHA-256' : algorithm;
}

/** Length in characters of a lower-case hex digest of `algorithm` (32 for MD5, 64 for SHA-256). */
export function digestHexLength(algorithm: DigestResponseAlgorithm): number {
  return HASHES[baseAlgorithm(algorithm)].hexLength;
}

/** H(data): lower-case hex of the algorithm's hash over the UTF-8 octets of `data` (RFC 7616 §3.4.1). */
export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(HASHES[algorithm].name).update(data, 'utf8').digest('hex');
}

/**
 * HA1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2), the value a `CredentialStore` keeps instead
 * of the password. Lower-case hex, 32 characters for MD5, 64 for SHA-256.
 */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

/** Inputs of one digest response computation. */
export interface DigestResponseInput {
  /** The algorithm of the response (a -sess variant derives a session HA1 first). */
  algorithm: DigestResponseAlgorithm;
  /** H(username ":" realm ":" password) with the base algorithm, lower-case hex. */
  ha1: string;
  /** The server nonce. */
  nonce: string;
  /** The request method, e.g. `REGISTER`. */
  method: string;
  /** The `uri` parameter of the credentials (digest-uri), as written. */
  uri: string;
  /** `auth`, or absent for the RFC 2069 form. */
  qop?: 'auth';
  /** Nonce-count as written (8 hex digits); required with qop. */
  nc?: string;
  /** Client nonce; required with qop and with the -sess algorithms. */
  cnonce?: string;
}

/**
 * The expected `response` value (lower-case hex) for the given inputs (RFC 7616 §3.4.1).
 * @throws RangeError when qop or a -sess algorithm is used without nc/cnonce.
 */
export function computeDigestResponse(input: DigestResponseInput): string {
  const base = baseAlgorithm(input.algorithm);
  const H = (data: string): string => digestHash(base, data);
  let ha1 = input.ha1.toLowerCase();
  if (input.algorithm !== base) {
    if (input.cnonce === undefined) throw new RangeError('A -sess digest algorithm needs a cnonce');
    ha1 = H(`${ha1}:${input.nonce}:${input.cnonce}`);
  }
  const ha2 = H(`${input.method}:${input.uri}`);
  if (input.qop === undefined) return H(`${ha1}:${input.nonce}:${ha2}`);
  if (input.nc === undefined || input.cnonce === undefined) throw new RangeError('qop=auth needs nc and cnonce');
  return H(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`);
}

/** The parameters of Digest credentials the server uses; values unquoted. */
export interface DigestCredentials {
  /** The user name (decoded from `username*` when that form was used). */
  username: string;
  /** The realm the credentials are for. */
  realm: string;
  /** The server nonce being answered. */
  nonce: string;
  /** digest-uri as written. */
  uri: string;
  /** The response as written (hex; case is not significant). */
  response: string;
  /** The algorithm as written, upper-cased; `MD5` when absent (RFC 7616 §3.3). */
  algorithm: string;
  /** The qop as written, lower-cased; absent for the RFC 2069 form. */
  qop?: string;
  /** Nonce-count as written (8 hex digits), with qop. */
  nc?: string;
  /** Client nonce, with qop. */
  cnonce?: string;
  /** The server's opaque value, echoed. */
  opaque?: string;
  /** True when `userhash=true` (RFC 7616 §3.4.4): `username` is then a hash, not a name. */
  userhash: boolean;
}

const LHEX8 = /^[0-9a-fA-F]{8}$/;

function invalid(what: string): SipParseError {
  return new SipParseError(`Invalid Authorization ${what}`);
}

/**
 * Decode an RFC 8187 ext-value (`UTF-8''J%C3%A4s%C3%B8n`), as used by `username*` (RFC 7616 §3.4.4).
 * @throws SipParseError("Invalid Authorization username*") for another charset or a bad escape.
 */
function decodeExtValue(value: string): string {
  const m = /^([A-Za-z0-9!#$%&+^_`{}~-]+)'[A-Za-z0-9-]*'(.*)$/.exec(value);
  if (m === null || m[1].toUpperCase() !== 'UTF-8') throw invalid('username*');
  const octets: number[] = [];
  const text = m[2];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw invalid('username*');
      octets.push(parseInt(hex, 16));
      i += 2;
    } else {
      const c = text.charCodeAt(i);
      if (c > 126 || c <= 32) throw invalid('username*');
      octets.push(c);
    }
  }
  const decoded = Buffer.from(octets).toString('utf8');
  if (decoded.includes('\uFFFD')) throw invalid('username*');
  return decoded;
}

/**
 * Parse one Authorization value if its scheme is Digest (case-insensitive); `undefined` for other schemes.
 *
 * Checks what RFC 7616 §3.4 makes mandatory: username (or `username*`, not both), realm, nonce, uri,
 * response as hex of 32 or 64 characters; with qop also cnonce and an 8-hex-digit nc.
 * @throws SipParseError("Invalid authorization header" / "Invalid Authorization <param>") on malformed input;
 *   a UAS answers 400 with that reason.
 */
export function parseDigestCredentials(value: string): DigestCredentials | undefined {
  // Other schemes (Basic with a token68, Bearer, …) are not ours to parse.
  if (!/^[ \t]*digest(?:[ \t]|$)/i.test(value)) return undefined;
  const header = parseAuthHeader(value);
  const p = header.params;
  const required = (name: string): string => {
    const v = p.get(name);
    if (v === undefined || v.length === 0) throw invalid(name);
    return v;
  };
  let username: string;
  const extended = p.get('username*');
  if (extended !== undefined) {
    if (p.has('username')) throw invalid('username');
    username = decodeExtValue(extended);
  } else {
    username = required('username');
  }
  const realm = p.get('realm');
  if (realm === undefined) throw invalid('realm');
  const credentials: DigestCredentials = {
    username,
    realm,
    nonce: required('nonce'),
    uri: required('uri'),
    response: required('response'),
    algorithm: (p.get('algorithm') ?? 'MD5').toUpperCase(),
    userhash: (p.get('userhash') ?? 'false').toLowerCase() === 'true',
  };
  if (!/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{64})$/.test(credentials.response)) throw invalid('response');
  const opaque = p.get('opaque');
  if (opaque !== undefined) credentials.opaque = opaque;
  const qop = p.get('qop');
  if (qop !== undefined) {
    credentials.qop = qop.toLowerCase();
    credentials.cnonce = required('cnonce');
    const nc = required('nc');
    if (!LHEX8.test(nc)) throw invalid('nc');
    credentials.nc = nc;
  } else {
    const cnonce = p.get('cnonce');
    if (cnonce !== undefined) credentials.cnonce = cnonce;
  }
  return credentials;
}
