/**
 * REGISTER with digest authentication against the started MCU (RFC 3261 §10, §22.4; RFC 7616;
 * RFC 8760): MD5 with SIPp (`test/sipp/register-digest*.xml`) and SHA-256 from TypeScript, because
 * SIPp 3.6 (Debian's sip-tester) computes MD5 and AKAv1-MD5 digests only ("authentication must use
 * MD5 or AKAv1-MD5") and baresip 1.0's libre answers MD5 challenges only.
 */
import { randomBytes } from 'node:crypto';
import { killAllChildren } from './support/child-registry';
import { answerDigestChallenge, DigestChallenge, parseDigestChallenge } from './support/digest-client';
import { McuProcess } from './support/mcu-process';
import { LOOPBACK } from './support/ports';
import { McuRestClient } from './support/rest-client';
import { findChallenge, REGISTER_URI, sendRegister } from './support/register-request';
import { headerValues, SipUdpClient } from './support/sip-udp-client';
import { runSipp } from './support/sipp';
import { expectCallsSucceeded } from './support/sipp-assertions';

// Real processes and SIPp runs take seconds; Jest's default is 5 s.
jest.setTimeout(120_000);

describe('REGISTER with digest authentication (MD5 via SIPp, SHA-256 via a UDP client)', () => {
  let mcu: McuProcess;
  let rest: McuRestClient;
  const password = randomBytes(6).toString('hex');

  beforeAll(async () => {
    mcu = await McuProcess.start({ label: 'sip-register' });
    rest = new McuRestClient(mcu.baseUrl);
    for (const user of ['alice', 'bob', 'carol', 'dave']) await rest.createSipUser(user, password);
  });

  afterAll(async () => {
    await killAllChildren();
    await mcu?.dispose();
  });

  it('the test digest client reproduces RFC 7616 §3.9.1 (MD5 and SHA-256)', () => {
    const expected: Record<string, string> = {
      MD5: '8ca523f5e9506fed4657c9700eebdbec',
      'SHA-256': '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    };
    for (const algorithm of ['MD5', 'SHA-256']) {
      const challenge = parseDigestChallenge(
        `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
          'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
      );
      expect(challenge).not.toBeNull();
      const answer = answerDigestChallenge(
        challenge as DigestChallenge,
        { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html' },
        1,
        { cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' },
      );
      expect(answer.response).toBe(expected[algorithm]);
    }
  });

  it('MD5: the first REGISTER gets 401 with a challenge, the answered one 200 with the binding (SIPp)', async () => {
    const result = await runSipp({
      label: 'register-md5',
      scenario: 'register-digest.xml',
      remote: mcu.sipAddress,
      service: 'alice',
      auth: { username: 'alice', password },
      calls: 1,
      timeoutMs: 20_000,
      traceMessages: true,
    });
    expectCallsSucceeded(result, 1, mcu);
    const bindings = JSON.stringify(await rest.registrations());
    expect(bindings).toContain('alice');
    expect(bindings).toContain(`${LOOPBACK}:${result.localPort}`);
  });

  it('MD5: an answer computed with a wrong password is refused with 401 or 403, and no binding is made', async () => {
    const result = await runSipp({
      label: 'register-md5-wrong-password',
      scenario: 'register-digest-wrong-password.xml',
      remote: mcu.sipAddress,
      service: 'bob',
      auth: { username: 'bob', password: `${password}x` },
      calls: 1,
      timeoutMs: 20_000,
      traceMessages: true,
    });
    expectCallsSucceeded(result, 1, mcu);
    expect(JSON.stringify(await rest.registrations())).not.toContain(`${LOOPBACK}:${result.localPort}`);
  });

  describe('SHA-256 (RFC 8760)', () => {
    let client: SipUdpClient;

    beforeEach(async () => {
      client = await SipUdpClient.open(LOOPBACK, mcu.sipPort);
    });

    afterEach(async () => {
      await client.close();
    });

    it('the 401 offers an algorithm=SHA-256 challenge with qop=auth; its answer gets 200 and a binding', async () => {
      const callId = `${randomBytes(8).toString('hex')}@${LOOPBACK}`;
      const first = await sendRegister(client, { user: 'carol', callId, cseq: 1 });
      expect(first.status).toBe(401);
      const challenge = findChallenge(first, 'SHA-256');
      if (!challenge) throw new Error(`no SHA-256 challenge in:\n${first.raw}`);
      expect(challenge.qop).toContain('auth');

      const answer = answerDigestChallenge(challenge, { username: 'carol', password, method: 'REGISTER', uri: REGISTER_URI });
      const second = await sendRegister(client, { user: 'carol', callId, cseq: 2, authorization: answer.header });
      if (second.status !== 200) throw new Error(`expected 200, got:\n${second.raw}\n--- MCU log tail:\n${mcu.logTail()}`);
      expect(headerValues(second, 'contact').join(',')).toContain(`${LOOPBACK}:${client.localPort}`);
      const bindings = JSON.stringify(await rest.registrations());
      expect(bindings).toContain('carol');
      expect(bindings).toContain(`${LOOPBACK}:${client.localPort}`);
    });

    it('a replayed nonce count is refused, and so is a wrong password', async () => {
      const callId = `${randomBytes(8).toString('hex')}@${LOOPBACK}`;
      const first = await sendRegister(client, { user: 'dave', callId, cseq: 1 });
      expect(first.status).toBe(401);
      const challenge = findChallenge(first, 'SHA-256');
      if (!challenge) throw new Error(`no SHA-256 challenge in:\n${first.raw}`);
      const credentials = { username: 'dave', password, method: 'REGISTER', uri: REGISTER_URI };

      const answer = answerDigestChallenge(challenge, credentials, 1);
      const accepted = await sendRegister(client, { user: 'dave', callId, cseq: 2, authorization: answer.header });
      if (accepted.status !== 200) throw new Error(`expected 200, got:\n${accepted.raw}\n--- MCU log tail:\n${mcu.logTail()}`);

      // Same nonce, same nc=00000001 again (RFC 7616 §3.4: the server rejects a repeated nonce count).
      const replayed = await sendRegister(client, { user: 'dave', callId, cseq: 3, authorization: answer.header });
      expect([401, 403]).toContain(replayed.status);

      const wrong = await sendRegister(client, { user: 'dave', callId, cseq: 4, authorization: answerDigestChallenge(challenge, { ...credentials, password: `${password}x` }, 2).header });
      expect([401, 403]).toContain(wrong.status);
    });
  });

  it('exits with code 0 on SIGTERM', async () => {
    expect(await mcu.stop()).toEqual({ code: 0, signal: null });
  });
});
