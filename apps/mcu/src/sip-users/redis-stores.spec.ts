import { createHash, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Binding } from '@mcu/sip';
import { RedisBindingStore } from './redis-binding-store';
import { RedisCredentialStore } from './redis-credential-store';
import { DuplicateSipUserError } from './sip-user-errors';

const prefix = `test:sip-stores:${randomUUID()}:`;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('RedisCredentialStore', () => {
  const store = () => new RedisCredentialStore(redis, prefix, () => new Date('2026-03-04T05:06:07.000Z'));

  it('stores HA1 values for MD5 and SHA-256 and never the password', async () => {
    const user = await store().create({ username: 'alice', password: 's3cret-pass', displayName: 'Alice' }, 'tessera.example');
    expect(user).toEqual({ username: 'alice', displayName: 'Alice', realm: 'tessera.example', createdAt: '2026-03-04T05:06:07.000Z' });
    const md5 = createHash('md5').update('alice:tessera.example:s3cret-pass').digest('hex');
    const sha = createHash('sha256').update('alice:tessera.example:s3cret-pass').digest('hex');
    await expect(store().lookupHa1('alice', 'tessera.example', 'MD5')).resolves.toBe(md5);
    await expect(store().lookupHa1('alice', 'tessera.example', 'SHA-256')).resolves.toBe(sha);
    const raw = await redis.hgetall(`${prefix}sip-user:alice`);
    expect(Object.values(raw).join('\n')).not.toContain('s3cret-pass');
  });

  it('answers undefined for unknown users and other realms', async () => {
    await store().create({ username: 'bob', password: 'password-b' }, 'realm-a');
    await expect(store().lookupHa1('nobody', 'realm-a', 'MD5')).resolves.toBeUndefined();
    await expect(store().lookupHa1('bob', 'realm-b', 'MD5')).resolves.toBeUndefined();
  });

  it('refuses duplicate usernames, lists and deletes', async () => {
    await store().create({ username: 'carol', password: 'password-c' }, 'r');
    await expect(store().create({ username: 'carol', password: 'other-pass' }, 'r')).rejects.toBeInstanceOf(DuplicateSipUserError);
    expect((await store().list()).map((u) => u.username)).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']));
    expect(JSON.stringify(await store().list())).not.toMatch(/ha1|password/i);
    await expect(store().delete('carol')).resolves.toBe(true);
    await expect(store().delete('carol')).resolves.toBe(false);
    await expect(store().get('carol')).resolves.toBeUndefined();
    await expect(store().lookupHa1('carol', 'r', 'MD5')).resolves.toBeUndefined();
  });
});

describe('RedisBindingStore', () => {
  let now = 1_000_000;
  const store = () => new RedisBindingStore(redis, prefix, () => now);
  const binding = (aor: string, contact: string, expiresAt: number, extra: Partial<Binding> = {}): Binding => ({
    aor,
    contact,
    expiresAt,
    callId: 'c1@host',
    cseq: 1,
    source: 'UDP:127.0.0.1:5062',
    ...extra,
  });

  beforeEach(() => {
    now = Date.now();
  });

  it('puts, replaces and lists bindings of an AOR', async () => {
    const aor = 'sip:alice@example.com';
    await store().put(binding(aor, 'sip:alice@10.0.0.1:5062', now + 60_000, { q: 0.5, instanceId: '<urn:uuid:1>' }));
    await store().put(binding(aor, 'sip:alice@10.0.0.2:5062', now + 30_000));
    await store().put(binding(aor, 'sip:alice@10.0.0.1:5062', now + 90_000, { cseq: 2 }));
    const list = await store().list(aor);
    expect(list.map((b) => [b.contact, b.cseq])).toEqual([
      ['sip:alice@10.0.0.2:5062', 1],
      ['sip:alice@10.0.0.1:5062', 2],
    ]);
    expect(await store().list('sip:nobody@example.com')).toEqual([]);
  });

  it('drops expired bindings from every read and from Redis', async () => {
    const aor = 'sip:bob@example.com';
    await store().put(binding(aor, 'sip:bob@10.0.0.1', now + 1000));
    await store().put(binding(aor, 'sip:bob@10.0.0.2', now + 5000));
    now += 1000; // expiresAt <= now: expired
    expect((await store().list(aor)).map((b) => b.contact)).toEqual(['sip:bob@10.0.0.2']);
    expect(await redis.hkeys(`${prefix}reg:bindings:${aor}`)).toEqual(['sip:bob@10.0.0.2']);
    now += 4000;
    expect(await store().list(aor)).toEqual([]);
    expect(await redis.sismember(`${prefix}reg:aors`, aor)).toBe(0);
  });

  it('gives the per-AOR keys a Redis expiry at the latest binding', async () => {
    const aor = 'sip:expiry@example.com';
    const at = Date.now() + 120_000;
    await store().put(binding(aor, 'sip:e@10.0.0.1', at - 60_000));
    await store().put(binding(aor, 'sip:e@10.0.0.2', at));
    expect(await redis.pexpiretime(`${prefix}reg:bindings:${aor}`)).toBe(at);
    expect(await redis.pexpiretime(`${prefix}reg:expiry:${aor}`)).toBe(at);
  });

  it('removes one or all bindings and lists every AOR', async () => {
    const a = 'sip:carol@example.com';
    const b = 'sip:dave@example.com';
    await store().put(binding(a, 'sip:carol@10.0.0.1', now + 60_000));
    await store().put(binding(a, 'sip:carol@10.0.0.2', now + 60_000));
    await store().put(binding(b, 'sip:dave@10.0.0.3', now + 60_000));
    await store().remove(a, 'sip:carol@10.0.0.1');
    await store().remove(a, 'sip:carol@10.0.0.9'); // absent: no error
    const all = (await store().listAll()).filter((x) => x.aor === a || x.aor === b);
    expect(all.map((x) => x.contact)).toEqual(['sip:carol@10.0.0.2', 'sip:dave@10.0.0.3']);
    await store().removeAll(a);
    expect(await store().list(a)).toEqual([]);
    expect((await store().listAll()).some((x) => x.aor === a)).toBe(false);
  });
});
