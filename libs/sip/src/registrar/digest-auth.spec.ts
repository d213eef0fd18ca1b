import { createHash } from 'node:crypto';
import { parseAuthHeader } from '../message';
import type { CredentialStore, DigestAlgorithm } from './binding-store';
import { DigestAuthenticator, type DigestAuthenticatorOptions } from './digest-auth';

/** Test-only credential store: password table turned into HA1 values on lookup. */
class TableCredentials implements CredentialStore {
  lookups = 0;
  constructor(private readonly passwords: Record<string, string>) {}
  async lookupHa1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined> {
    this.lookups++;
    const password = this.passwords[username];
    return password === undefined ? undefined : h(algorithm, `${username}:${realm}:${password}`);
  }
}

/** H() written out independently of the code under test. */
function h(algorithm: string, data: string): string {
  return createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5').update(data, 'utf8').digest('hex');
}

const REALM = 'mcu.example';
const URI = 'sip:mcu.example';

interface ClientOptions {
  username?: string;
  password?: string;
  algorithm?: string;
  qop?: string | null;
  nc?: string;
  cnonce?: string;
  uri?: string;
  realm?: string;
  method?: string;
  nonce?: string;
}

/** A UAC answering a challenge (RFC 7616 §3.4), computed with node:crypto directly. */
function answer(challenge: string, o: ClientOptions = {}): string {
  const params = parseAuthHeader(challenge).params;
  const username = o.username ?? 'alice';
  const realm = o.realm ?? params.get('realm') ?? '';
  const nonce = o.nonce ?? params.get('nonce') ?? '';
  const algorithm = o.algorithm ?? params.get('algorithm') ?? 'MD5';
  const uri = o.uri ?? URI;
  const nc = o.nc ?? '00000001';
  const cnonce = o.cnonce ?? 'c0ffee';
  const qop = o.qop === undefined ? 'auth' : o.qop;
  let ha1 = h(algorithm, `${username}:${realm}:${o.password ?? 's3cret'}`);
  if (algorithm.toLowerCase().endsWith('-sess')) ha1 = h(algorithm, `${ha1}:${nonce}:${cnonce}`);
  const ha2 = h(algorithm, `${o.method ?? 'REGISTER'}:${uri}`);
  const response = qop === null ? h(algorithm, `${ha1}:${nonce}:${ha2}`) : h(algorithm, `${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
  let out = `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}`;
  if (params.has('opaque')) out += `, opaque="${params.get('opaque')}"`;
  if (qop !== null) out += `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
  return out;
}

describe('DigestAuthenticator (RFC 7616, RFC 8760, RFC 3261 §22.4)', () => {
  let now = 1_700_000_000_000;
  const clock = (): number => now;
  let credentials: TableCredentials;
  const make = (o: Partial<DigestAuthenticatorOptions> = {}): DigestAuthenticator =>
    new DigestAuthenticator({ realm: REALM, credentials, clock, secret: Buffer.alloc(32, 1), ...o });
  const verify = (auth: DigestAuthenticator, ...authorization: string[]) =>
    auth.verify({ method: 'REGISTER', uri: URI, authorization });

  beforeEach(() => {
    now = 1_700_000_000_000;
    credentials = new TableCredentials({ alice: 's3cret', bob: 'hunter2' });
  });

  describe('challenge()', () => {
    it('offers SHA-256 first and MD5 second, one nonce, qop="auth" (RFC 8760 §2.4)', () => {
      const values = make().challenge();
      expect(values).toHaveLength(2);
      const [sha, md5] = values.map(parseAuthHeader);
      expect(sha.scheme).toBe('Digest');
      expect(sha.params.get('algorithm')).toBe('SHA-256');
      expect(md5.params.get('algorithm')).toBe('MD5');
      for (const c of [sha, md5]) {
        expect(c.params.get('realm')).toBe(REALM);
        expect(c.params.get('qop')).toBe('auth');
        expect(c.params.get('opaque')).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(c.params.has('stale')).toBe(false);
      }
      expect(sha.params.get('nonce')).toBe(md5.params.get('nonce'));
      expect(values[0]).toMatch(/^Digest realm="mcu\.example", nonce="[^"]+", opaque="[^"]+", algorithm=SHA-256, qop="auth"$/);
    });

    it('adds stale=true on request and gives a fresh nonce each time', () => {
      const auth = make();
      const a = parseAuthHeader(auth.challenge(true)[0]);
      const b = parseAuthHeader(auth.challenge()[0]);
      expect(a.params.get('stale')).toBe('true');
      expect(a.params.get('nonce')).not.toBe(b.params.get('nonce'));
    });

    it('offers only the configured algorithms', () => {
      const values = make({ algorithms: ['MD5'] }).challenge();
      expect(values.map((v) => parseAuthHeader(v).params.get('algorithm'))).toEqual(['MD5']);
      expect(() => make({ algorithms: [] })).toThrow(RangeError);
    });
  });

  describe('verify()', () => {
    it.each([['MD5'], ['SHA-256'], ['MD5-sess'], ['SHA-256-sess']])('authenticates a correct %s response', async (algorithm) => {
      const auth = make();
      const [sha, md5] = auth.challenge();
      const challenge = algorithm.startsWith('MD5') ? md5 : sha;
      await expect(verify(auth, answer(challenge, { algorithm }))).resolves.toEqual({
        outcome: 'authenticated',
        username: 'alice',
        algorithm,
      });
    });

    it('accepts upper-case hex and a lower-case algorithm token', async () => {
      const auth = make();
      const value = answer(auth.challenge()[1]).replace(/response="([0-9a-f]+)"/, (_m, r: string) => `response="${r.toUpperCase()}"`);
      await expect(verify(auth, value.replace('algorithm=MD5', 'algorithm=md5'))).resolves.toMatchObject({ outcome: 'authenticated' });
    });

    it('answers a request without credentials or with another scheme with a challenge', async () => {
      const auth = make();
      await expect(verify(auth)).resolves.toEqual({ outcome: 'challenge', stale: false, failure: 'no-credentials' });
      await expect(verify(auth, 'Basic YWxpY2U6czNjcmV0')).resolves.toMatchObject({ failure: 'no-credentials' });
    });

    it('refuses a wrong password without stale', async () => {
      const auth = make();
      await expect(verify(auth, answer(auth.challenge()[0], { password: 'wrong' }))).resolves.toEqual({
        outcome: 'challenge',
        stale: false,
        failure: 'wrong-response',
        username: 'alice',
      });
    });

    it('refuses an unknown user without stale', async () => {
      const auth = make();
      await expect(verify(auth, answer(auth.challenge()[0], { username: 'mallory' }))).resolves.toMatchObject({
        outcome: 'challenge',
        stale: false,
        failure: 'unknown-user',
      });
    });

    it('picks the credentials of its realm among several and refuses foreign realms', async () => {
      const auth = make();
      const [, md5] = auth.challenge();
      const foreign = answer(md5, { realm: 'other.example' });
      await expect(verify(auth, foreign)).resolves.toMatchObject({ outcome: 'challenge', stale: false, failure: 'realm-mismatch' });
      await expect(verify(auth, foreign, answer(md5))).resolves.toMatchObject({ outcome: 'authenticated' });
    });

    it('answers stale=true when the nonce expired but the response is right (RFC 7616 §3.3)', async () => {
      const auth = make({ nonceLifetimeMs: 300_000 });
      const challenge = auth.challenge()[0];
      now += 300_000;
      await expect(verify(auth, answer(challenge))).resolves.toMatchObject({ outcome: 'challenge', stale: true, failure: 'expired-nonce' });
      await expect(verify(auth, answer(challenge, { password: 'wrong' }))).resolves.toMatchObject({ stale: false, failure: 'wrong-response' });
    });

    it('accepts a nonce until its lifetime ends', async () => {
      const auth = make({ nonceLifetimeMs: 300_000 });
      const challenge = auth.challenge()[0];
      now += 299_999;
      await expect(verify(auth, answer(challenge))).resolves.toMatchObject({ outcome: 'authenticated' });
    });

    it('answers stale=true for a nonce of a previous process (other secret), and verifies across instances with one secret', async () => {
      const before = make({ secret: Buffer.alloc(32, 9) });
      const challenge = before.challenge()[0];
      await expect(verify(make({ secret: Buffer.alloc(32, 10) }), answer(challenge))).resolves.toMatchObject({
        stale: true,
        failure: 'invalid-nonce',
      });
      await expect(verify(make({ secret: Buffer.alloc(32, 9) }), answer(challenge))).resolves.toMatchObject({ outcome: 'authenticated' });
    });

    it('finds the RFC 7616 §3.9.1 responses correct, and stale because the nonce is not its own', async () => {
      credentials = new TableCredentials({ Mufasa: 'Circle of Life' });
      const auth = make({ realm: 'http-auth@example.org' });
      const fields =
        'username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", qop=auth, nc=00000001, ' +
        'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ' +
        'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
      const request = (response: string, algorithm: string) => ({
        method: 'GET',
        uri: '/dir/index.html',
        authorization: [`Digest ${fields}, algorithm=${algorithm}, response="${response}"`],
      });
      await expect(auth.verify(request('8ca523f5e9506fed4657c9700eebdbec', 'MD5'))).resolves.toMatchObject({
        stale: true,
        failure: 'invalid-nonce',
      });
      await expect(auth.verify(request('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1', 'SHA-256'))).resolves.toMatchObject({
        stale: true,
        failure: 'invalid-nonce',
      });
      await expect(auth.verify(request('8ca523f5e9506fed4657c9700eebdbed', 'MD5'))).resolves.toMatchObject({
        stale: false,
        failure: 'wrong-response',
      });
    });

    it('refuses a replayed nonce-count and accepts a higher one (RFC 7616 §5.5)', async () => {
      const auth = make();
      const challenge = auth.challenge()[0];
      await expect(verify(auth, answer(challenge, { nc: '00000001' }))).resolves.toMatchObject({ outcome: 'authenticated' });
      await expect(verify(auth, answer(challenge, { nc: '00000001' }))).resolves.toMatchObject({
        outcome: 'challenge',
        stale: true,
        failure: 'replayed-nonce',
      });
      await expect(verify(auth, answer(challenge, { nc: '00000002', cnonce: 'other' }))).resolves.toMatchObject({ outcome: 'authenticated' });
      await expect(verify(auth, answer(challenge, { nc: '00000002' }))).resolves.toMatchObject({ failure: 'replayed-nonce' });
      await expect(verify(auth, answer(challenge, { nc: '0000000A' }))).resolves.toMatchObject({ outcome: 'authenticated' });
      await expect(verify(auth, answer(challenge, { nc: '00000009' }))).resolves.toMatchObject({ failure: 'replayed-nonce' });
    });

    it('accepts the qop-less RFC 2069 form for MD5 once per nonce', async () => {
      const auth = make();
      const md5 = auth.challenge()[1];
      await expect(verify(auth, answer(md5, { qop: null }))).resolves.toMatchObject({ outcome: 'authenticated', algorithm: 'MD5' });
      await expect(verify(auth, answer(md5, { qop: null }))).resolves.toMatchObject({ stale: true, failure: 'replayed-nonce' });
    });

    it('refuses qop-less SHA-256, qop-less MD5 when disabled, and qop=auth-int', async () => {
      const auth = make();
      const [sha, md5] = auth.challenge();
      await expect(verify(auth, answer(sha, { qop: null }))).resolves.toMatchObject({ outcome: 'challenge', failure: 'unsupported-qop' });
      const strict = make({ allowMissingQop: false });
      await expect(verify(strict, answer(strict.challenge()[1], { qop: null }))).resolves.toMatchObject({ failure: 'unsupported-qop' });
      await expect(verify(auth, answer(md5, { qop: 'auth-int' }))).resolves.toMatchObject({ failure: 'unsupported-qop' });
    });

    it('refuses algorithms not offered', async () => {
      const mdOnly = make({ algorithms: ['MD5'] });
      const challenge = mdOnly.challenge()[0];
      await expect(verify(mdOnly, answer(challenge, { algorithm: 'SHA-256' }))).resolves.toMatchObject({ failure: 'unsupported-algorithm' });
      const auth = make();
      const value = answer(auth.challenge()[0]).replace('algorithm=SHA-256', 'algorithm=SHA-512-256');
      await expect(verify(auth, value)).resolves.toMatchObject({ outcome: 'challenge', failure: 'unsupported-algorithm' });
    });

    it('checks the digest-uri against the Request-URI (RFC 7616 §3.4.6), by RFC 3261 §19.1.4 equivalence', async () => {
      const auth = make();
      const [sha] = auth.challenge();
      await expect(verify(auth, answer(sha, { uri: 'sip:other.example' }))).resolves.toEqual({
        outcome: 'bad-request',
        reason: 'Authorization URI mismatch',
      });
      await expect(verify(auth, answer(sha, { uri: 'sip:MCU.example', nc: '00000001' }))).resolves.toMatchObject({ outcome: 'authenticated' });
      const lenient = make({ checkDigestUri: false });
      await expect(verify(lenient, answer(lenient.challenge()[0], { uri: 'sip:10.0.0.1' }))).resolves.toMatchObject({
        outcome: 'authenticated',
      });
    });

    it.each([
      ['an unterminated quoted string', 'Digest username="alice, realm="mcu.example"', 'Invalid authorization header'],
      ['a missing nonce', 'Digest username="alice", realm="mcu.example", uri="sip:mcu.example", response="00000000000000000000000000000000"', 'Invalid Authorization nonce'],
      ['a bad nc', 'Digest username="a", realm="mcu.example", nonce="n", uri="sip:mcu.example", response="00000000000000000000000000000000", qop=auth, nc=xyz, cnonce="c"', 'Invalid Authorization nc'],
      ['a response of the wrong length for SHA-256', 'Digest username="a", realm="mcu.example", nonce="n", uri="sip:mcu.example", response="00000000000000000000000000000000", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c"', 'Invalid Authorization response'],
      ['only a scheme separator', 'Digest =', 'Invalid authorization header'],
    ])('answers 400 (bad-request) for %s without consulting the store', async (_name, value, reason) => {
      const auth = make();
      await expect(verify(auth, value)).resolves.toEqual({ outcome: 'bad-request', reason });
      expect(credentials.lookups).toBe(0);
    });

    it('rejects the promise only when the credential store fails', async () => {
      const failing: CredentialStore = { lookupHa1: () => Promise.reject(new Error('store down')) };
      const auth = make({ credentials: failing });
      await expect(verify(auth, answer(auth.challenge()[0]))).rejects.toThrow('store down');
    });
  });
});
