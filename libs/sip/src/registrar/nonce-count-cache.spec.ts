import { NonceCountCache } from './nonce-count-cache';

describe('NonceCountCache (RFC 7616 §3.4 nc, §5.5)', () => {
  let now = 1_000_000;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('accepts increasing counts and refuses repeated or lower ones', () => {
    const cache = new NonceCountCache({ clock });
    expect(cache.accept('n', 1, now, now + 1000)).toBe(true);
    expect(cache.accept('n', 1, now, now + 1000)).toBe(false);
    expect(cache.accept('n', 3, now, now + 1000)).toBe(true);
    expect(cache.accept('n', 2, now, now + 1000)).toBe(false);
    expect(cache.accept('n', 4, now, now + 1000)).toBe(true);
    expect(cache.accept('other', 1, now, now + 1000)).toBe(true);
  });

  it('refuses a count of 0 (nc starts at 00000001)', () => {
    expect(new NonceCountCache({ clock }).accept('n', 0, now, now + 1000)).toBe(false);
  });

  it('lets a nonce without qop (RFC 2069) serve once', () => {
    const cache = new NonceCountCache({ clock });
    expect(cache.accept('n', undefined, now, now + 1000)).toBe(true);
    expect(cache.accept('n', undefined, now, now + 1000)).toBe(false);
    expect(cache.accept('n', 5, now, now + 1000)).toBe(false);
  });

  it('refuses expired nonces and forgets them', () => {
    const cache = new NonceCountCache({ clock });
    expect(cache.accept('n', 1, now, now + 1000)).toBe(true);
    now += 1000;
    expect(cache.accept('n', 2, now - 1000, now)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('stays within its capacity and refuses unknown nonces that may have been evicted', () => {
    const cache = new NonceCountCache({ capacity: 3, clock });
    for (let i = 0; i < 3; i++) expect(cache.accept(`n${i}`, 1, now + i, now + 10_000)).toBe(true);
    // n0 is the least recently used; touching it makes n1 the one to go.
    expect(cache.accept('n0', 2, now, now + 10_000)).toBe(true);
    expect(cache.accept('n3', 1, now + 3, now + 10_000)).toBe(true);
    expect(cache.size).toBe(3);
    // n1 was evicted while valid: replaying its nc=1 must not pass, and nothing issued before it either.
    expect(cache.accept('n1', 1, now + 1, now + 10_000)).toBe(false);
    expect(cache.accept('never-seen-old', 1, now, now + 10_000)).toBe(false);
    // Nonces issued after the evicted one are still welcome.
    expect(cache.accept('n4', 1, now + 4, now + 10_000)).toBe(true);
    expect(cache.size).toBe(3);
  });

  it('does not raise the watermark when the evicted nonce had expired anyway', () => {
    const cache = new NonceCountCache({ capacity: 1, clock });
    const start = now;
    expect(cache.accept('a', 1, start, start + 10)).toBe(true);
    now += 10;
    // 'a' leaves expired: an older, still valid nonce seen for the first time is accepted.
    expect(cache.accept('b', 1, start - 1, now + 10_000)).toBe(true);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new NonceCountCache({ capacity: 0 })).toThrow(RangeError);
    expect(() => new NonceCountCache({ capacity: 1.5 })).toThrow(RangeError);
  });
});
