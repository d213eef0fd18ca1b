import { DigestNonceIssuer } from './digest-nonce';

describe('DigestNonceIssuer (RFC 7616 §3.3, §5.4)', () => {
  const secret = Buffer.alloc(32, 7);
  let now = 1_700_000_000_000;
  const clock = (): number => now;

  beforeEach(() => {
    now = 1_700_000_000_000;
  });

  it('issues distinct 43-character base64url nonces that verify until the lifetime ends', () => {
    const issuer = new DigestNonceIssuer({ realm: 'mcu.example', secret, lifetimeMs: 300_000, clock });
    const a = issuer.issue();
    const b = issuer.issue();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(issuer.check(a)).toEqual({ status: 'valid', issuedAt: now, expiresAt: now + 300_000 });
    now += 299_999;
    expect(issuer.check(a).status).toBe('valid');
    now += 1;
    expect(issuer.check(a)).toEqual({ status: 'expired', issuedAt: now - 300_000, expiresAt: now });
  });

  it('defaults to a 300 s lifetime', () => {
    const issuer = new DigestNonceIssuer({ realm: 'r', secret, clock });
    const n = issuer.issue();
    now += 299_999;
    expect(issuer.check(n).status).toBe('valid');
    now += 1;
    expect(issuer.check(n).status).toBe('expired');
  });

  it('refuses nonces of another secret (a restart), another realm, tampered or malformed ones', () => {
    const issuer = new DigestNonceIssuer({ realm: 'r', secret, clock });
    const n = issuer.issue();
    expect(new DigestNonceIssuer({ realm: 'r', secret: Buffer.alloc(32, 8), clock }).check(n).status).toBe('invalid');
    expect(new DigestNonceIssuer({ realm: 'other', secret, clock }).check(n).status).toBe('invalid');
    const raw = Buffer.from(n, 'base64url');
    raw[3] ^= 1; // move the time stamp
    expect(issuer.check(raw.toString('base64url')).status).toBe('invalid');
    for (const bad of ['', 'abc', n + 'A', n.slice(1), '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', '!'.repeat(43)]) {
      expect(issuer.check(bad).status).toBe('invalid');
    }
  });

  it('refuses a nonce stamped in the future (clock stepped back)', () => {
    const issuer = new DigestNonceIssuer({ realm: 'r', secret, clock });
    const n = issuer.issue();
    now -= 1;
    expect(issuer.check(n).status).toBe('invalid');
  });

  it('rejects a short secret and a non-positive lifetime', () => {
    expect(() => new DigestNonceIssuer({ realm: 'r', secret: Buffer.alloc(15) })).toThrow(RangeError);
    expect(() => new DigestNonceIssuer({ realm: 'r', lifetimeMs: 0 })).toThrow(RangeError);
    expect(() => new DigestNonceIssuer({ realm: 'r', lifetimeMs: Number.NaN })).toThrow(RangeError);
  });
});
