/**
 * Replay protection with the digest nonce-count (RFC 7616 §3.4 "nc", §5.5 "Replay Attacks";
 * RFC 2617 §3.2.2): for each nonce the server remembers the highest nc it accepted, and accepts a
 * request only when its nc is higher.
 *
 * Memory stays bounded: at most `capacity` nonces are remembered, least recently used first out; an
 * entry whose nonce expired is refused and dropped when next seen. A nonce that was evicted before it expired can no longer
 * be checked; to keep replays impossible, every nonce issued at or before the newest such evicted nonce
 * is refused when it is not remembered (`evictedUpTo`). The client then receives `stale=true` and retries
 * with a fresh nonce.
 */

/** Default number of nonces remembered. */
export const DEFAULT_NONCE_COUNT_CAPACITY = 10_000;

interface NonceUse {
  /** Highest nonce-count accepted; `Infinity` for a nonce used once without qop (RFC 2069). */
  lastCount: number;
  issuedAt: number;
  expiresAt: number;
}

/** Options of a `NonceCountCache`. */
export interface NonceCountCacheOptions {
  /** Maximum number of nonces remembered (≥ 1). Default 10 000. */
  capacity?: number;
  /** Wall clock, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

/**
 * Remembers the highest nonce-count per nonce (RFC 7616 §3.4).
 * @throws RangeError from the constructor when `capacity` is not a positive integer.
 */
export class NonceCountCache {
  private readonly capacity: number;
  private readonly clock: () => number;
  private readonly uses = new Map<string, NonceUse>();
  /** Issue time (ms) of the newest nonce evicted while still valid; unknown nonces issued up to it are refused. */
  private evictedUpTo = -Infinity;

  constructor(options: NonceCountCacheOptions = {}) {
    this.capacity = options.capacity ?? DEFAULT_NONCE_COUNT_CAPACITY;
    this.clock = options.clock ?? Date.now;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new RangeError('Nonce-count capacity must be a positive integer');
    }
  }

  /** Number of nonces currently remembered. */
  get size(): number {
    return this.uses.size;
  }

  /**
   * Record one use of `nonce`.
   * @param nonce the nonce, already checked to be valid.
   * @param count the nonce-count (1..2^32−1), or `undefined` for a request without qop (RFC 2069), which
   *   may use a nonce only once.
   * @param issuedAt issue time of the nonce, ms since the epoch.
   * @param expiresAt expiry of the nonce, ms since the epoch.
   * @returns true when the use is new (count higher than any accepted before), false for a replay or for a
   *   nonce that can no longer be checked.
   */
  accept(nonce: string, count: number | undefined, issuedAt: number, expiresAt: number): boolean {
    const now = this.clock();
    const known = this.uses.get(nonce);
    if (known !== undefined) {
      this.uses.delete(nonce);
      if (known.expiresAt <= now) return false;
      if (count === undefined || count <= known.lastCount) {
        this.uses.set(nonce, known);
        return false;
      }
      known.lastCount = count;
      this.uses.set(nonce, known);
      return true;
    }
    if (issuedAt <= this.evictedUpTo || expiresAt <= now) return false;
    if (count !== undefined && count < 1) return false;
    this.makeRoom(now);
    this.uses.set(nonce, { lastCount: count ?? Infinity, issuedAt, expiresAt });
    return true;
  }

  /** Drop every entry (e.g. when the nonce secret changes). */
  clear(): void {
    this.uses.clear();
    this.evictedUpTo = -Infinity;
  }

  private makeRoom(now: number): void {
    // Least recently used first; an expired entry leaves without a trace, a valid one raises `evictedUpTo`.
    while (this.uses.size >= this.capacity) {
      const oldest = this.uses.entries().next();
      if (oldest.done === true) return;
      const [nonce, use] = oldest.value;
      this.uses.delete(nonce);
      if (use.expiresAt > now && use.issuedAt > this.evictedUpTo) this.evictedUpTo = use.issuedAt;
    }
  }
}
