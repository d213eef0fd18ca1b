import { createHash } from 'node:crypto';
import { parseAuthHeader, parseMessage, SipHeaders, SipRequest, type SipResponse } from '../message';
import type { Binding, BindingStore, CredentialStore, DigestAlgorithm } from './binding-store';
import { Registrar, type RegistrarLogger, type RegistrarOptions } from './registrar';

/** Test-only binding storage of the unit under test (the Redis store is exercised end to end in test/). */
class MemoryBindings implements BindingStore {
  readonly map = new Map<string, Binding>();
  /** Answer list() one event-loop turn after reading, as a networked store would. */
  yieldInList = false;
  failWith?: Error;
  constructor(private readonly clock: () => number) {}
  async list(aor: string): Promise<Binding[]> {
    if (this.failWith) throw this.failWith;
    const result = [...this.map.values()].filter((b) => b.aor === aor && b.expiresAt > this.clock()).map((b) => ({ ...b }));
    if (this.yieldInList) await new Promise<void>((resolve) => setImmediate(resolve));
    return result;
  }
  async put(binding: Binding): Promise<void> {
    this.map.set(`${binding.aor} ${binding.contact}`, { ...binding });
  }
  async remove(aor: string, contact: string): Promise<void> {
    this.map.delete(`${aor} ${contact}`);
  }
  async removeAll(aor: string): Promise<void> {
    for (const [key, b] of this.map) if (b.aor === aor) this.map.delete(key);
  }
  async listAll(): Promise<Binding[]> {
    return [...this.map.values()].filter((b) => b.expiresAt > this.clock());
  }
}

/** Test-only credential table (HA1 computed on lookup). */
class TableCredentials implements CredentialStore {
  constructor(private readonly passwords: Record<string, string>) {}
  async lookupHa1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined> {
    const password = this.passwords[username];
    return password === undefined ? undefined : h(algorithm, `${username}:${realm}:${password}`);
  }
}

function h(algorithm: string, data: string): string {
  return createHash(algorithm === 'SHA-256' ? 'sha256' : 'md5').update(data, 'utf8').digest('hex');
}

const SOURCE = 'UDP:192.0.2.10:5062';

interface RegisterOptions {
  requestUri?: string;
  to?: string;
  callId?: string;
  cseq?: number;
  contacts?: string[];
  expires?: string;
  extra?: string[];
  authorization?: string;
  /** Header values set after parsing, to reach the registrar with what the parser would refuse. */
  override?: Record<string, string>;
}

function register(o: RegisterOptions = {}): SipRequest {
  const requestUri = o.requestUri ?? 'sip:mcu.example';
  const lines = [
    `REGISTER ${requestUri} SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-' + Math.random().toString(16).slice(2),
    'Max-Forwards: 70',
    'From: <sip:alice@mcu.example>;tag=from1',
    `To: ${o.to ?? '<sip:alice@mcu.example>'}`,
    `Call-ID: ${o.callId ?? 'call-1@192.0.2.10'}`,
    `CSeq: ${o.cseq ?? 1} REGISTER`,
    ...(o.contacts ?? ['<sip:alice@192.0.2.10:5062>']).map((c) => `Contact: ${c}`),
    ...(o.expires !== undefined ? [`Expires: ${o.expires}`] : []),
    ...(o.authorization !== undefined ? [`Authorization: ${o.authorization}`] : []),
    ...(o.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  const msg = parseMessage(Buffer.from(lines.join('\r\n')));
  if (!msg.isRequest()) throw new Error('not a request');
  for (const [name, value] of Object.entries(o.override ?? {})) msg.headers.set(name, value);
  return msg;
}

/** Answer the challenge of `algorithm` found in a 401, as a UAC would (RFC 7616 §3.4). */
function credentialsFor(
  res: SipResponse,
  req: SipRequest,
  o: { algorithm?: DigestAlgorithm; username?: string; password?: string; nc?: string } = {},
): string {
  const algorithm = o.algorithm ?? 'MD5';
  const challenge = res.headers
    .getAll('www-authenticate')
    .map(parseAuthHeader)
    .find((c) => c.params.get('algorithm') === algorithm);
  if (challenge === undefined) throw new Error(`no ${algorithm} challenge`);
  const realm = challenge.params.get('realm') ?? '';
  const nonce = challenge.params.get('nonce') ?? '';
  const username = o.username ?? 'alice';
  const nc = o.nc ?? '00000001';
  const cnonce = 'cn0nce';
  const ha1 = h(algorithm, `${username}:${realm}:${o.password ?? 's3cret'}`);
  const ha2 = h(algorithm, `REGISTER:${req.uri}`);
  const response = h(algorithm, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${req.uri}", response="${response}", ` +
    `algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}", opaque="${challenge.params.get('opaque')}"`
  );
}

describe('Registrar (RFC 3261 §10.3)', () => {
  let now: number;
  const clock = (): number => now;
  let bindings: MemoryBindings;
  let logger: RegistrarLogger & { lines: string[] };

  const make = (o: Partial<RegistrarOptions> = {}): Registrar =>
    new Registrar({
      domain: 'mcu.example',
      bindings,
      credentials: new TableCredentials({ alice: 's3cret', bob: 'hunter2' }),
      clock,
      digest: { secret: Buffer.alloc(32, 3) },
      logger,
      ...o,
    });

  /** REGISTER, answer the 401, REGISTER again with credentials (CSeq + 1). */
  async function authed(
    registrar: Registrar,
    o: RegisterOptions = {},
    auth: { algorithm?: DigestAlgorithm; username?: string; password?: string } = {},
  ): Promise<SipResponse> {
    const first = register(o);
    const challenge = await registrar.handle(first, SOURCE);
    expect(challenge.status).toBe(401);
    const cseq = (o.cseq ?? 1) + 1;
    const second = register({ ...o, cseq });
    second.headers.append('Authorization', credentialsFor(challenge, second, auth));
    return registrar.handle(second, SOURCE);
  }

  const contactsOf = (res: SipResponse): string[] => res.headers.getAll('contact');

  beforeEach(() => {
    now = Date.UTC(2024, 0, 15, 12, 0, 0);
    bindings = new MemoryBindings(clock);
    const lines: string[] = [];
    logger = {
      lines,
      info: (_o, m) => lines.push(`info ${m}`),
      warn: (_o, m) => lines.push(`warn ${m}`),
      error: (_o, m) => lines.push(`error ${m}`),
    };
  });

  describe('authentication (step 3)', () => {
    it('challenges a REGISTER without credentials with SHA-256 then MD5 and copies the dialog headers', async () => {
      const req = register();
      const res = await make().handle(req, SOURCE);
      expect(res.status).toBe(401);
      const challenges = res.headers.getAll('www-authenticate').map(parseAuthHeader);
      expect(challenges.map((c) => c.params.get('algorithm'))).toEqual(['SHA-256', 'MD5']);
      expect(challenges[0].params.get('realm')).toBe('mcu.example');
      expect(challenges[0].params.get('qop')).toBe('auth');
      expect(res.headers.get('call-id')).toBe('call-1@192.0.2.10');
      expect(res.headers.get('cseq')).toBe('1 REGISTER');
      expect(res.headers.get('to')).toMatch(/^<sip:alice@mcu\.example>;tag=\S+$/);
      expect(res.headers.getAll('via')).toEqual(req.headers.getAll('via'));
      expect(bindings.map.size).toBe(0);
    });

    it.each([['MD5' as const], ['SHA-256' as const]])('registers after a %s challenge', async (algorithm) => {
      const res = await authed(make(), {}, { algorithm });
      expect(res.status).toBe(200);
      expect(contactsOf(res)).toEqual(['<sip:alice@192.0.2.10:5062>;expires=3600']);
      expect(res.headers.get('date')).toBe('Mon, 15 Jan 2024 12:00:00 GMT');
      expect([...bindings.map.values()]).toEqual([
        {
          aor: 'sip:alice@mcu.example',
          contact: 'sip:alice@192.0.2.10:5062',
          expiresAt: now + 3_600_000,
          callId: 'call-1@192.0.2.10',
          cseq: 2,
          source: SOURCE,
        },
      ]);
    });

    it('uses the configured realm', async () => {
      const res = await make({ realm: 'tessera' }).handle(register(), SOURCE);
      expect(parseAuthHeader(res.headers.get('www-authenticate') ?? '').params.get('realm')).toBe('tessera');
    });

    it('challenges again on a wrong password or an unknown user, storing nothing', async () => {
      const registrar = make();
      for (const auth of [{ password: 'wrong' }, { username: 'mallory' }]) {
        const res = await authed(registrar, { to: `<sip:${auth.username ?? 'alice'}@mcu.example>` }, auth);
        expect(res.status).toBe(401);
        expect(parseAuthHeader(res.headers.get('www-authenticate') ?? '').params.has('stale')).toBe(false);
      }
      expect(bindings.map.size).toBe(0);
      expect(logger.lines).toContain('warn REGISTER challenged');
    });

    it('answers stale=true once the nonce expired, and registers with the fresh nonce', async () => {
      const registrar = make({ digest: { secret: Buffer.alloc(32, 3), nonceLifetimeMs: 300_000 } });
      const challenge = await registrar.handle(register(), SOURCE);
      now += 300_000;
      const late = register({ cseq: 2 });
      late.headers.append('Authorization', credentialsFor(challenge, late));
      const stale = await registrar.handle(late, SOURCE);
      expect(stale.status).toBe(401);
      expect(stale.headers.getAll('www-authenticate').map((v) => parseAuthHeader(v).params.get('stale'))).toEqual(['true', 'true']);
      const retry = register({ cseq: 3 });
      retry.headers.append('Authorization', credentialsFor(stale, retry));
      expect((await registrar.handle(retry, SOURCE)).status).toBe(200);
    });

    it('refuses a replayed nonce-count', async () => {
      const registrar = make();
      const challenge = await registrar.handle(register(), SOURCE);
      const first = register({ cseq: 2 });
      first.headers.append('Authorization', credentialsFor(challenge, first));
      expect((await registrar.handle(first, SOURCE)).status).toBe(200);
      const replay = register({ cseq: 3 });
      replay.headers.append('Authorization', credentialsFor(challenge, replay));
      expect((await registrar.handle(replay, SOURCE)).status).toBe(401);
      const next = register({ cseq: 4 });
      next.headers.append('Authorization', credentialsFor(challenge, next, { nc: '00000002' }));
      expect((await registrar.handle(next, SOURCE)).status).toBe(200);
    });

    it('answers 400 with a reason to a malformed Authorization', async () => {
      const res = await make().handle(register({ authorization: 'Digest username="alice, realm=' }), SOURCE);
      expect(res.status).toBe(400);
      expect(res.reason).toBe('Invalid authorization header');
      const missing = await make().handle(register({ authorization: 'Digest username="alice", realm="mcu.example"' }), SOURCE);
      expect(missing.status).toBe(400);
      expect(missing.reason).toBe('Invalid Authorization nonce');
    });

    it('answers 403 when the authenticated user registers another user’s AOR (step 4)', async () => {
      const res = await authed(make(), { to: '<sip:bob@mcu.example>' }, { username: 'alice' });
      expect(res.status).toBe(403);
      expect(bindings.map.size).toBe(0);
    });

    it('lets an authorize hook decide', async () => {
      const registrar = make({ authorize: (username, aor) => username === 'alice' && aor.user === 'room-100' });
      expect((await authed(registrar, { to: '<sip:room-100@mcu.example>' })).status).toBe(200);
    });
  });

  describe('Request-URI and address-of-record (steps 1, 5)', () => {
    it('accepts any host by default', async () => {
      expect((await authed(make(), { requestUri: 'sip:198.51.100.7:5060' })).status).toBe(200);
    });

    it('answers 404 for a Request-URI host outside the configured ones, case-insensitively', async () => {
      const registrar = make({ acceptedHosts: ['10.0.0.1'] });
      const res = await registrar.handle(register({ requestUri: 'sip:other.example' }), SOURCE);
      expect(res.status).toBe(404);
      expect(res.headers.has('www-authenticate')).toBe(false);
      expect((await authed(registrar, { requestUri: 'sip:MCU.Example' })).status).toBe(200);
      expect((await authed(registrar, { requestUri: 'sip:10.0.0.1:5060', callId: 'c2' })).status).toBe(200);
    });

    it('accepts hosts by predicate', async () => {
      const registrar = make({ acceptedHosts: (host) => host.endsWith('.example.net') });
      expect((await registrar.handle(register({ requestUri: 'sip:x.example.org' }), SOURCE)).status).toBe(404);
      expect((await authed(registrar, { requestUri: 'sip:a.example.net' })).status).toBe(200);
    });

    it('answers 416 to a non-SIP Request-URI', async () => {
      const res = await make().handle(register({ requestUri: 'tel:+15551234' }), SOURCE);
      expect(res.status).toBe(416);
    });

    it('canonicalises the To into the AOR: sip scheme, lower-case host, no port or parameters', async () => {
      const res = await authed(make(), { to: '"Alice" <sips:alice@MCU.Example:5061;transport=tls>' });
      expect(res.status).toBe(200);
      expect([...bindings.map.values()][0].aor).toBe('sip:alice@mcu.example');
    });

    it('puts every AOR under aorHost when configured', async () => {
      await authed(make({ aorHost: 'mcu.example' }), { to: '<sip:alice@10.0.0.1>' });
      expect([...bindings.map.values()][0].aor).toBe('sip:alice@mcu.example');
    });

    it('answers 404 to a To without user part or in a domain not served', async () => {
      const registrar = make({
        acceptedHosts: ['mcu.example'],
        authorize: () => true,
      });
      expect((await authed(registrar, { to: '<sip:mcu.example>' })).status).toBe(404);
      expect((await authed(registrar, { to: '<sip:alice@elsewhere.example>' })).status).toBe(404);
    });
  });

  describe('request checks', () => {
    it('answers 420 with Unsupported for a Require option (step 2)', async () => {
      const res = await make().handle(register({ extra: ['Require: path, gruu'] }), SOURCE);
      expect(res.status).toBe(420);
      expect(res.headers.get('unsupported')).toBe('path, gruu');
    });

    it('answers 405 to another method and 400 to a CSeq method mismatch', async () => {
      const options = register();
      options.method = 'OPTIONS';
      const res = await make().handle(options, SOURCE);
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('REGISTER');
      const mismatch = register({ extra: [] });
      mismatch.headers.set('CSeq', '1 INVITE');
      expect((await make().handle(mismatch, SOURCE)).status).toBe(400);
    });

    it('answers 400 naming the problem for missing or malformed headers instead of throwing', async () => {
      const bare = new SipRequest('REGISTER', 'sip:mcu.example', new SipHeaders([{ name: 'Via', value: 'SIP/2.0/UDP h;branch=z9hG4bK1' }]));
      const res = await make().handle(bare, SOURCE);
      expect(res.status).toBe(400);
      expect(res.reason).toBe('Missing To');
      const badContact = await make().handle(register({ override: { Contact: '<sip:alice@host' } }), SOURCE);
      expect(badContact.status).toBe(400);
      expect(badContact.reason).toMatch(/^Invalid Contact/);
      const badUri = register();
      badUri.uri = 'sip:';
      expect((await make().handle(badUri, SOURCE)).reason).toBe('Invalid Request-URI');
    });

    it('answers 500 and logs when the store fails, without rejecting', async () => {
      const registrar = make();
      const challenge = await registrar.handle(register(), SOURCE);
      const req = register({ cseq: 2 });
      req.headers.append('Authorization', credentialsFor(challenge, req));
      bindings.failWith = new Error('connection lost');
      const res = await registrar.handle(req, SOURCE);
      expect(res.status).toBe(500);
      expect(logger.lines).toContain('error registrar failed');
    });
  });

  describe('bindings (steps 6–8)', () => {
    it('takes the interval from the Contact expires parameter, else Expires, and caps it at maxExpires', async () => {
      const res = await authed(make(), {
        contacts: ['<sip:a@192.0.2.10>;expires=120', '<sip:b@192.0.2.10>', '<sip:c@192.0.2.10>;expires=99999'],
        expires: '300',
      });
      expect(res.status).toBe(200);
      expect(contactsOf(res)).toEqual([
        '<sip:a@192.0.2.10>;expires=120',
        '<sip:b@192.0.2.10>;expires=300',
        '<sip:c@192.0.2.10>;expires=3600',
      ]);
    });

    it('treats malformed intervals as 3600 s (RFC 3261 §20.10, §20.19)', async () => {
      const res = await authed(make({ maxExpires: 7200 }), {
        override: { Contact: '<sip:a@192.0.2.10>;expires="Thu, 01 Dec 1994 16:00:00 GMT", <sip:b@192.0.2.10>', Expires: 'soon' },
      });
      expect(contactsOf(res)).toEqual(['<sip:a@192.0.2.10>;expires=3600', '<sip:b@192.0.2.10>;expires=3600']);
    });

    it('answers 423 with Min-Expires to a too brief interval and stores nothing', async () => {
      const res = await authed(make({ minExpires: 60 }), { expires: '30' });
      expect(res.status).toBe(423);
      expect(res.headers.get('min-expires')).toBe('60');
      expect(bindings.map.size).toBe(0);
      expect((await authed(make({ minExpires: 60 }), { expires: '60', callId: 'c2' })).status).toBe(200);
    });

    it('lists the current bindings for a REGISTER without Contact, with remaining intervals', async () => {
      const registrar = make();
      await authed(registrar, { contacts: ['<sip:a@192.0.2.10>;q=0.5', '<sip:b@192.0.2.10>;expires=600'] });
      now += 100_500;
      const res = await authed(registrar, { contacts: [], cseq: 10 });
      expect(res.status).toBe(200);
      expect(contactsOf(res)).toEqual(['<sip:a@192.0.2.10>;expires=3500;q=0.5', '<sip:b@192.0.2.10>;expires=500']);
      now += 500_000;
      expect(contactsOf(await authed(registrar, { contacts: [], cseq: 20 }))).toEqual(['<sip:a@192.0.2.10>;expires=3000;q=0.5']);
    });

    it('removes one binding with expires 0, others stay', async () => {
      const registrar = make();
      await authed(registrar, { contacts: ['<sip:a@192.0.2.10>', '<sip:b@192.0.2.10>'] });
      const res = await authed(registrar, { contacts: ['<sip:a@192.0.2.10>'], expires: '0', cseq: 5 });
      expect(contactsOf(res)).toEqual(['<sip:b@192.0.2.10>;expires=3600']);
      expect([...bindings.map.values()].map((b) => b.contact)).toEqual(['sip:b@192.0.2.10']);
    });

    it('removes all bindings with Contact: * and Expires: 0', async () => {
      const registrar = make();
      await authed(registrar, { contacts: ['<sip:a@192.0.2.10>', '<sip:b@192.0.2.10>'] });
      const res = await authed(registrar, { contacts: ['*'], expires: '0', cseq: 5 });
      expect(res.status).toBe(200);
      expect(contactsOf(res)).toEqual([]);
      expect(bindings.map.size).toBe(0);
    });

    it.each([
      ['without Expires', { contacts: ['*'] }],
      ['with Expires other than 0', { contacts: ['*'], expires: '300' }],
      ['with another Contact', { contacts: ['*', '<sip:a@192.0.2.10>'], expires: '0' }],
    ])('answers 400 to Contact: * %s', async (_name, o) => {
      const registrar = make();
      await authed(registrar, { contacts: ['<sip:a@192.0.2.10>'] });
      const res = await authed(registrar, { ...o, cseq: 5 });
      expect(res.status).toBe(400);
      expect(bindings.map.size).toBe(1);
    });

    it('refreshes a binding whose Contact is equal per RFC 3261 §19.1.4 though written differently', async () => {
      const registrar = make();
      await authed(registrar, { contacts: ['<sip:alice@192.0.2.10;transport=udp>'] });
      now += 10_000;
      const res = await authed(registrar, { contacts: ['<sip:alice@192.0.2.10;transport=UDP>'], cseq: 5 });
      expect(contactsOf(res)).toEqual(['<sip:alice@192.0.2.10;transport=UDP>;expires=3600']);
      expect([...bindings.map.values()]).toHaveLength(1);
      expect([...bindings.map.values()][0]).toMatchObject({ contact: 'sip:alice@192.0.2.10;transport=UDP', cseq: 6 });
    });

    it('answers 500 to a same-Call-ID REGISTER whose CSeq is not higher, changing nothing (step 7)', async () => {
      const registrar = make();
      await authed(registrar, { cseq: 10 }); // stored with CSeq 11
      const before = [...bindings.map.values()];
      for (const cseq of [9, 10]) {
        // 10 → 11 after the challenge round: equal to the stored CSeq.
        const res = await authed(registrar, { cseq, expires: '0' });
        expect(res.status).toBe(500);
      }
      expect([...bindings.map.values()]).toEqual(before);
      const star = await authed(registrar, { cseq: 3, contacts: ['*'], expires: '0' });
      expect(star.status).toBe(500);
      expect(bindings.map.size).toBe(1);
      // Another Call-ID may replace the binding whatever its CSeq.
      expect((await authed(registrar, { cseq: 1, callId: 'other', expires: '0' })).status).toBe(200);
      expect(bindings.map.size).toBe(0);
    });

    it('processes REGISTERs of one AOR one at a time, so a late lower CSeq is refused', async () => {
      const registrar = make();
      const challenge = await registrar.handle(register(), SOURCE);
      const high = register({ cseq: 3 });
      high.headers.append('Authorization', credentialsFor(challenge, high, { nc: '00000001' }));
      const low = register({ cseq: 2, expires: '0' });
      low.headers.append('Authorization', credentialsFor(challenge, low, { nc: '00000002' }));
      bindings.yieldInList = true;
      const [a, b] = await Promise.all([registrar.handle(high, SOURCE), registrar.handle(low, SOURCE)]);
      expect([a.status, b.status]).toEqual([200, 500]);
      expect([...bindings.map.values()][0].cseq).toBe(3);
    });

    it('answers 400 to a malformed q and 403 beyond maxBindingsPerAor', async () => {
      expect((await authed(make(), { contacts: ['<sip:a@192.0.2.10>;q=2'] })).status).toBe(400);
      const res = await authed(make({ maxBindingsPerAor: 2 }), {
        contacts: ['<sip:a@192.0.2.10>', '<sip:b@192.0.2.10>', '<sip:c@192.0.2.10>'],
      });
      expect(res.status).toBe(403);
      expect(bindings.map.size).toBe(0);
    });

    it('keeps q and +sip.instance in the binding', async () => {
      await authed(make(), { contacts: ['<sip:a@192.0.2.10>;q=0.7;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"'] });
      expect([...bindings.map.values()][0]).toMatchObject({ q: 0.7, instanceId: 'urn:uuid:00000000-0000-1000-8000-000A95A0E128' });
    });
  });

  it('rejects inconsistent limits at construction', () => {
    expect(() => make({ minExpires: 4000, maxExpires: 3600 })).toThrow(RangeError);
    expect(() => make({ minExpires: -1 })).toThrow(RangeError);
  });
});
