/**
 * Client side of HTTP Digest authentication as SIP uses it (RFC 3261 §22.4, RFC 7616 §3.4, RFC 8760):
 * parsing a `WWW-Authenticate: Digest …` challenge and computing the `Authorization` header for it,
 * with MD5 or SHA-256 and `qop=auth`. Kept independent of libs/sip so that the tests check the
 * MCU's registrar against a separate implementation.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Algorithms the tests use (RFC 8760 §2). */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** The parameters of one Digest challenge. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** As written in the challenge; MD5 when absent (RFC 7616 §3.3). */
  algorithm: string;
  /** The offered qop values, e.g. `['auth']`; empty when the challenge has none. */
  qop: string[];
  stale: boolean;
}

/**
 * Parses the value of one `WWW-Authenticate` / `Proxy-Authenticate` header field.
 *
 * @param value e.g. `Digest realm="x", nonce="y", algorithm=SHA-256, qop="auth"`
 * @returns null when the scheme is not Digest or realm/nonce are missing
 */
export function parseDigestChallenge(value: string): DigestChallenge | null {
  const match = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!match) return null;
  const params = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/gy;
  for (let m = re.exec(match[1]); m !== null; m = re.exec(match[1])) {
    params.set(m[1].toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]);
  }
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) return null;
  return {
    realm,
    nonce,
    opaque: params.get('opaque'),
    algorithm: params.get('algorithm') ?? 'MD5',
    qop: (params.get('qop') ?? '')
      .split(',')
      .map((q) => q.trim())
      .filter((q) => q.length > 0),
    stale: (params.get('stale') ?? '').toLowerCase() === 'true',
  };
}

/** What the client authenticates. */
export interface DigestCredentials {
  username: string;
  password: string;
  /** The request's method, e.g. `REGISTER`. */
  method: string;
  /** The Request-URI as sent, e.g. `sip:127.0.0.1:5060`. */
  uri: string;
}

/** The computed header value and the values the server must check. */
export interface DigestAnswer {
  /** Value for the `Authorization` header field. */
  header: string;
  /** The `response` parameter (hex). */
  response: string;
  /** Nonce count sent (8 hex digits), present with qop. */
  nc?: string;
  cnonce?: string;
}

function hashHex(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text, 'utf8').digest('hex');
}

/**
 * Computes the Authorization header for `challenge` (RFC 7616 §3.4.1–3.4.3):
 * `response = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2))` with `A1 = user:realm:password`
 * and `A2 = method:uri`; without qop (RFC 2069 compatibility) `H(H(A1) ":" nonce ":" H(A2))`.
 *
 * @param nonceCount the nc value to send (1 for the first request with this nonce)
 * @param overrides replace parameters after computing (to send deliberately wrong values)
 * @throws Error when the challenge's algorithm is neither MD5 nor SHA-256
 */
export function answerDigestChallenge(
  challenge: DigestChallenge,
  credentials: DigestCredentials,
  nonceCount = 1,
  overrides: { cnonce?: string } = {},
): DigestAnswer {
  const algorithm = challenge.algorithm.toUpperCase();
  if (algorithm !== 'MD5' && algorithm !== 'SHA-256') {
    throw new Error(`unsupported digest algorithm ${challenge.algorithm}`);
  }
  const alg = algorithm as DigestAlgorithm;
  const ha1 = hashHex(alg, `${credentials.username}:${challenge.realm}:${credentials.password}`);
  const ha2 = hashHex(alg, `${credentials.method}:${credentials.uri}`);
  const quote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const params = [
    `username=${quote(credentials.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(credentials.uri)}`,
  ];
  let answer: DigestAnswer;
  if (challenge.qop.includes('auth')) {
    const nc = nonceCount.toString(16).padStart(8, '0');
    const cnonce = overrides.cnonce ?? randomBytes(8).toString('hex');
    const response = hashHex(alg, `${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`);
    params.push(`response=${quote(response)}`, `algorithm=${challenge.algorithm}`, `cnonce=${quote(cnonce)}`, 'qop=auth', `nc=${nc}`);
    answer = { header: '', response, nc, cnonce };
  } else {
    const response = hashHex(alg, `${ha1}:${challenge.nonce}:${ha2}`);
    params.push(`response=${quote(response)}`, `algorithm=${challenge.algorithm}`);
    answer = { header: '', response };
  }
  if (challenge.opaque !== undefined) params.push(`opaque=${quote(challenge.opaque)}`);
  answer.header = `Digest ${params.join(', ')}`;
  return answer;
}
