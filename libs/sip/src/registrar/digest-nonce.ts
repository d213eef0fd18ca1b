/**
 * Stateless, verifiable digest nonces (RFC 7616 §3.3 "nonce", §5.4 "Limited-Use Nonce Values").
 *
 * A nonce is the base64url text (no padding) of 32 octets:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                issued-at (ms since the epoch, uint64 BE)       |
 *   +                                                               +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    random (8 octets)                          |
 *   +                                                               +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  MAC = HMAC-SHA-256(secret, realm ":" issued-at ":" random),   |
 *   |        first 16 octets                                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The server keeps no state per nonce: the MAC proves it issued the nonce, the time stamp bounds its
 * lifetime. With a random secret per process, nonces issued before a restart no longer verify; the
 * authenticator then answers `stale=true` when the digest response is otherwise correct.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TIME_OCTETS = 8;
const RANDOM_OCTETS = 8;
const MAC_OCTETS = 16;
const NONCE_OCTETS = TIME_OCTETS + RANDOM_OCTETS + MAC_OCTETS;

/** Default nonce lifetime: 300 000 ms (5 min). */
export const DEFAULT_NONCE_LIFETIME_MS = 300_000;

/** Options of a `DigestNonceIssuer`. */
export interface DigestNonceIssuerOptions {
  /** The realm the nonces are issued for; part of the MAC so a nonce of one realm fails in another. */
  realm: string;
  /** HMAC key, at least 16 octets. Default: 32 random octets per process. */
  secret?: Buffer;
  /** How long a nonce stays valid, ms. Default 300 000. */
  lifetimeMs?: number;
  /** Wall clock, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

/** Result of checking a nonce: `valid`, or why not. `issuedAt` (ms since the epoch) when the MAC verified. */
export type NonceCheck =
  | { status: 'valid'; issuedAt: number; expiresAt: number }
  | { status: 'expired'; issuedAt: number; expiresAt: number }
  | { status: 'invalid' };

/**
 * Issues nonces and checks them without keeping state (RFC 7616 §3.3, §5.4).
 * @throws RangeError from the constructor when the secret is shorter than 16 octets or the lifetime is not positive.
 */
export class DigestNonceIssuer {
  /** Nonce lifetime, ms. */
  readonly lifetimeMs: number;
  private readonly realm: string;
  private readonly secret: Buffer;
  private readonly clock: () => number;

  constructor(options: DigestNonceIssuerOptions) {
    this.realm = options.realm;
    this.secret = options.secret ?? randomBytes(32);
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_NONCE_LIFETIME_MS;
    this.clock = options.clock ?? Date.now;
    if (this.secret.length < 16) throw new RangeError('Digest nonce secret must be at least 16 octets');
    if (!(this.lifetimeMs > 0) || !Number.isFinite(this.lifetimeMs)) {
      throw new RangeError('Digest nonce lifetime must be a positive number of milliseconds');
    }
  }

  /** A fresh nonce (43 base64url characters) stamped with the current clock. */
  issue(): string {
    const raw = Buffer.alloc(NONCE_OCTETS);
    raw.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.clock()))), 0);
    randomBytes(RANDOM_OCTETS).copy(raw, TIME_OCTETS);
    this.mac(raw).copy(raw, TIME_OCTETS + RANDOM_OCTETS);
    return raw.toString('base64url');
  }

  /**
   * Check a nonce received in an Authorization header: `invalid` when it was not issued by this issuer
   * (wrong length, bad MAC, other realm or secret, stamped in the future), `expired` when older than the
   * lifetime, else `valid`. Never throws.
   */
  check(nonce: string): NonceCheck {
    if (nonce.length !== Math.ceil((NONCE_OCTETS * 4) / 3) || !/^[A-Za-z0-9_-]+$/.test(nonce)) {
      return { status: 'invalid' };
    }
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_OCTETS) return { status: 'invalid' };
    const expected = this.mac(raw);
    const given = raw.subarray(TIME_OCTETS + RANDOM_OCTETS);
    if (!timingSafeEqual(expected, given)) return { status: 'invalid' };
    const issuedAt = Number(raw.readBigUInt64BE(0));
    const now = this.clock();
    if (issuedAt > now) return { status: 'invalid' };
    const expiresAt = issuedAt + this.lifetimeMs;
    return now >= expiresAt ? { status: 'expired', issuedAt, expiresAt } : { status: 'valid', issuedAt, expiresAt };
  }

  private mac(raw: Buffer): Buffer {
    return createHmac('sha256', this.secret)
      .update(this.realm)
      .update(':')
      .update(raw.subarray(0, TIME_OCTETS))
      .update(':')
      .update(raw.subarray(TIME_OCTETS, TIME_OCTETS + RANDOM_OCTETS))
      .digest()
      .subarray(0, MAC_OCTETS);
  }
}
