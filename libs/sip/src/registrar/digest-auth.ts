/**
 * HTTP Digest access authentication as a SIP UAS uses it (RFC 3261 §22.4, RFC 7616, RFC 8760,
 * with the RFC 2617 / RFC 2069 forms deployed phones still send).
 *
 * - Challenges: one `WWW-Authenticate` value per offered algorithm, the preferred first (RFC 7616 §3.7,
 *   RFC 8760 §2.4); by default SHA-256 then MD5, each with `qop="auth"`, sharing one nonce.
 * - Nonces are stateless and verifiable (`DigestNonceIssuer`); the nonce-count of each nonce must
 *   increase (`NonceCountCache`, RFC 7616 §5.5).
 * - `stale=true` is answered when the response is correct for the user's password but the nonce is
 *   expired, not ours (e.g. issued before a restart) or already used with that nonce-count (RFC 7616 §3.3).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatAuthHeader, parseUri, SipParseError, uriEquals } from '../message';
import type { CredentialStore, DigestAlgorithm } from './binding-store';
import {
  baseAlgorithm,
  computeDigestResponse,
  digestHexLength,
  parseDigestCredentials,
  type DigestCredentials,
  type DigestResponseAlgorithm,
} from './digest-credentials';
import { DigestNonceIssuer } from './digest-nonce';
import { NonceCountCache } from './nonce-count-cache';

/** Options of a `DigestAuthenticator`. */
export interface DigestAuthenticatorOptions {
  /** The protection space (RFC 7616 §3.3 `realm`), usually the SIP domain. */
  realm: string;
  /** Where HA1 values come from. */
  credentials: CredentialStore;
  /** Algorithms offered, most preferred first. Default `['SHA-256', 'MD5']` (RFC 8760 §2.4). */
  algorithms?: readonly DigestAlgorithm[];
  /** Nonce lifetime, ms. Default 300 000. */
  nonceLifetimeMs?: number;
  /** HMAC key for nonces (≥ 16 octets). Default: random per process (nonces then die with the process). */
  secret?: Buffer;
  /** Wall clock, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
  /** How many nonces the replay check remembers. Default 10 000. */
  nonceCountCapacity?: number;
  /** Accept MD5 responses without qop (RFC 2069; each nonce then serves one request). Default true. */
  allowMissingQop?: boolean;
  /** Require the digest-uri to equal the Request-URI (RFC 7616 §3.4.6; RFC 3261 §19.1.4 comparison). Default true. */
  checkDigestUri?: boolean;
}

/** Why credentials were not accepted (for logs; every one of them is answered with a 401 challenge). */
export type DigestFailure =
  | 'no-credentials'
  | 'realm-mismatch'
  | 'unsupported-algorithm'
  | 'unsupported-qop'
  | 'unknown-user'
  | 'wrong-response'
  | 'invalid-nonce'
  | 'expired-nonce'
  | 'replayed-nonce';

/**
 * Outcome of `DigestAuthenticator.verify()`:
 * - `authenticated`: go on with the request as `username`;
 * - `challenge`: answer 401 with `challenge(stale)`;
 * - `bad-request`: answer 400 with `reason` as the reason phrase.
 */
export type DigestVerdict =
  | { outcome: 'authenticated'; username: string; algorithm: DigestResponseAlgorithm }
  | { outcome: 'challenge'; stale: boolean; failure: DigestFailure; username?: string }
  | { outcome: 'bad-request'; reason: string };

/** The parts of a request digest verification looks at. */
export interface DigestRequest {
  /** Request method, e.g. `REGISTER` (A2 of RFC 7616 §3.4.3). */
  method: string;
  /** The Request-URI as text. */
  uri: string;
  /** Every Authorization header value of the request, in order. */
  authorization: readonly string[];
}

const RESPONSE_ALGORITHMS: Readonly<Record<string, DigestResponseAlgorithm>> = {
  MD5: 'MD5',
  'MD5-SESS': 'MD5-sess',
  'SHA-256': 'SHA-256',
  'SHA-256-SESS': 'SHA-256-sess',
};

/**
 * Issues digest challenges and verifies digest credentials for one realm (RFC 7616, RFC 8760, RFC 3261 §22.4).
 * @throws RangeError from the constructor on a short secret, a non-positive lifetime or capacity, or no algorithm.
 */
export class DigestAuthenticator {
  /** The realm challenged for. */
  readonly realm: string;
  private readonly credentials: CredentialStore;
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly nonces: DigestNonceIssuer;
  private readonly nonceCounts: NonceCountCache;
  private readonly opaque: string;
  private readonly allowMissingQop: boolean;
  private readonly checkDigestUri: boolean;

  constructor(options: DigestAuthenticatorOptions) {
    this.realm = options.realm;
    this.credentials = options.credentials;
    this.algorithms = [...new Set<DigestAlgorithm>(options.algorithms ?? ['SHA-256', 'MD5'])];
    if (this.algorithms.length === 0) throw new RangeError('At least one digest algorithm must be offered');
    const secret = options.secret ?? randomBytes(32);
    const clock = options.clock ?? Date.now;
    this.nonces = new DigestNonceIssuer({ realm: this.realm, secret, lifetimeMs: options.nonceLifetimeMs, clock });
    this.nonceCounts = new NonceCountCache({ capacity: options.nonceCountCapacity, clock });
    // Echoed by clients (RFC 7616 §3.3); carries no state here, the nonce has its own MAC.
    this.opaque = createHmac('sha256', secret).update(`opaque:${this.realm}`).digest().subarray(0, 12).toString('base64url');
    this.allowMissingQop = options.allowMissingQop ?? true;
    this.checkDigestUri = options.checkDigestUri ?? true;
  }

  /**
   * WWW-Authenticate values for a 401 (RFC 7616 §3.3, RFC 8760 §2.4): one per offered algorithm, preferred
   * first, sharing a fresh nonce, e.g.
   * `Digest realm="example.com", nonce="…", opaque="…", algorithm=SHA-256, qop="auth"`.
   * @param stale true to add `stale=true` (the previous nonce was refused, the password was right).
   */
  challenge(stale = false): string[] {
    const nonce = this.nonces.issue();
    return this.algorithms.map((algorithm) => {
      const params: Record<string, string> = { realm: this.realm, nonce, opaque: this.opaque };
      if (stale) params.stale = 'true';
      params.algorithm = algorithm;
      params.qop = 'auth';
      return formatAuthHeader('Digest', params, ['realm', 'nonce', 'opaque', 'qop']);
    });
  }

  /**
   * Verify the request's Digest credentials for this realm (RFC 7616 §3.4, RFC 3261 §22.4).
   *
   * Malformed credentials give `bad-request` (answer 400); missing, foreign-realm, wrong or unknown-user
   * credentials give `challenge` without stale; a correct response on an expired, unknown or replayed nonce
   * gives `challenge` with `stale: true`. Never throws for bad input.
   * @returns a promise rejected only when the credential store fails.
   */
  async verify(request: DigestRequest): Promise<DigestVerdict> {
    let credentials: DigestCredentials | undefined;
    let sawDigest = false;
    for (const value of request.authorization) {
      let parsed: DigestCredentials | undefined;
      try {
        parsed = parseDigestCredentials(value);
      } catch (e) {
        if (e instanceof SipParseError) return { outcome: 'bad-request', reason: e.reason };
        throw e;
      }
      if (parsed === undefined) continue;
      sawDigest = true;
      if (credentials === undefined && parsed.realm === this.realm) credentials = parsed;
    }
    if (credentials === undefined) {
      return { outcome: 'challenge', stale: false, failure: sawDigest ? 'realm-mismatch' : 'no-credentials' };
    }
    const c = credentials;
    const username = c.username;
    const refuse = (failure: DigestFailure, stale = false): DigestVerdict => ({ outcome: 'challenge', stale, failure, username });

    const algorithm = RESPONSE_ALGORITHMS[c.algorithm];
    if (algorithm === undefined || !this.algorithms.includes(baseAlgorithm(algorithm))) return refuse('unsupported-algorithm');
    if (c.response.length !== digestHexLength(algorithm)) {
      return { outcome: 'bad-request', reason: 'Invalid Authorization response' };
    }
    if (c.qop !== undefined && c.qop !== 'auth') return refuse('unsupported-qop');
    if (c.qop === undefined && (algorithm !== 'MD5' || !this.allowMissingQop)) return refuse('unsupported-qop');
    if (this.checkDigestUri && !sameUri(c.uri, request.uri)) {
      return { outcome: 'bad-request', reason: 'Authorization URI mismatch' };
    }
    if (c.userhash) return refuse('unknown-user');

    const ha1 = await this.credentials.lookupHa1(username, this.realm, baseAlgorithm(algorithm));
    if (ha1 === undefined) return refuse('unknown-user');
    const expected = computeDigestResponse({
      algorithm,
      ha1,
      nonce: c.nonce,
      method: request.method,
      uri: c.uri,
      qop: c.qop === 'auth' ? 'auth' : undefined,
      nc: c.nc,
      cnonce: c.cnonce,
    });
    if (!timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(c.response.toLowerCase(), 'latin1'))) {
      return refuse('wrong-response');
    }

    const nonce = this.nonces.check(c.nonce);
    if (nonce.status === 'invalid') return refuse('invalid-nonce', true);
    if (nonce.status === 'expired') return refuse('expired-nonce', true);
    const count = c.nc === undefined ? undefined : parseInt(c.nc, 16);
    if (!this.nonceCounts.accept(c.nonce, count, nonce.issuedAt, nonce.expiresAt)) return refuse('replayed-nonce', true);
    return { outcome: 'authenticated', username, algorithm };
  }
}

/** digest-uri equals the Request-URI: same text, or equivalent per RFC 3261 §19.1.4. */
function sameUri(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  try {
    return uriEquals(parseUri(digestUri), parseUri(requestUri));
  } catch (e) {
    if (e instanceof SipParseError) return false;
    throw e;
  }
}
