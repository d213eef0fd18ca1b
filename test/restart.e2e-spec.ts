/**
 * Persistence across a restart: rooms and SIP users created over REST are stored in Redis (under the
 * instance's `MCU_REDIS_PREFIX`) and are there again when a new MCU process starts with the same
 * prefix; SIP users are listed without their password and can still authenticate.
 */
import { randomBytes } from 'node:crypto';
import { killAllChildren } from './support/child-registry';
import { answerDigestChallenge } from './support/digest-client';
import { McuProcess, uniqueRedisPrefix } from './support/mcu-process';
import { LOOPBACK } from './support/ports';
import { countKeysWithPrefix } from './support/redis-keys';
import { McuRestClient, Room } from './support/rest-client';
import { findChallenge, REGISTER_URI, sendRegister } from './support/register-request';
import { SipUdpClient } from './support/sip-udp-client';

// Real processes and SIPp runs take seconds; Jest's default is 5 s.
jest.setTimeout(120_000);

describe('rooms and SIP users survive a restart', () => {
  const prefix = uniqueRedisPrefix();
  const password = randomBytes(6).toString('hex');
  const instances: McuProcess[] = [];
  let rooms: Room[] = [];

  afterAll(async () => {
    await killAllChildren();
    for (const mcu of instances) await mcu.kill();
    await instances[0]?.dispose();
  });

  it('first run: creates rooms and SIP users, then exits 0 on SIGTERM', async () => {
    const mcu = await McuProcess.start({ label: 'restart-1', redisPrefix: prefix });
    instances.push(mcu);
    const rest = new McuRestClient(mcu.baseUrl);
    rooms = [
      await rest.createRoom({ name: 'Board', number: '8100', pin: '2468', maxParticipants: 12, lobby: true }),
      await rest.createRoom({ name: 'Standup', number: '8200', locked: true }),
    ];
    await rest.createSipUser('erin', password);
    await rest.createSipUser('frank', password);
    expect(await countKeysWithPrefix(prefix)).toBeGreaterThan(0);
    expect(await mcu.stop()).toEqual({ code: 0, signal: null });
  });

  it('second run with the same prefix: the rooms are there with their settings', async () => {
    const mcu = await McuProcess.start({ label: 'restart-2', redisPrefix: prefix });
    instances.push(mcu);
    const rest = new McuRestClient(mcu.baseUrl);
    const listed = await rest.listRooms();
    for (const created of rooms) {
      const found = listed.find((r) => r.id === created.id);
      expect(found).toMatchObject({ id: created.id, name: created.name, number: created.number });
      expect(await rest.getRoom(created.id)).toMatchObject(created);
    }
  });

  it('second run: the SIP users are listed, without passwords', async () => {
    const mcu = instances[1];
    const rest = new McuRestClient(mcu.baseUrl);
    const users = await rest.listSipUsers();
    expect(users.map((u) => u.username).sort()).toEqual(expect.arrayContaining(['erin', 'frank']));
    const text = JSON.stringify(users);
    expect(text).not.toContain(password);
    for (const user of users) expect(Object.keys(user)).not.toContain('password');
  });

  it('second run: a SIP user created before the restart can still register with digest authentication', async () => {
    const mcu = instances[1];
    const client = await SipUdpClient.open(LOOPBACK, mcu.sipPort);
    try {
      const callId = `${randomBytes(8).toString('hex')}@${LOOPBACK}`;
      const challenged = await sendRegister(client, { user: 'erin', callId, cseq: 1, expires: 60 });
      expect(challenged.status).toBe(401);
      const challenge = findChallenge(challenged);
      if (!challenge) throw new Error(`no digest challenge in:\n${challenged.raw}`);
      const answer = answerDigestChallenge(challenge, { username: 'erin', password, method: 'REGISTER', uri: REGISTER_URI });
      const accepted = await sendRegister(client, { user: 'erin', callId, cseq: 2, expires: 60, authorization: answer.header });
      if (accepted.status !== 200) throw new Error(`expected 200 after restart, got:\n${accepted.raw}\n--- MCU log tail:\n${mcu.logTail()}`);
    } finally {
      await client.close();
    }
  });

  it('second run exits 0 on SIGTERM; teardown removes every key under the prefix', async () => {
    expect(await instances[1].stop()).toEqual({ code: 0, signal: null });
    await instances[0].dispose();
    expect(await countKeysWithPrefix(prefix)).toBe(0);
  });
});
