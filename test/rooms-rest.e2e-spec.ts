/**
 * The REST API of a started MCU process (TypeScript sources run through @swc-node/register, so no
 * build is needed) against the real Redis at 127.0.0.1:6379 with a unique key prefix: room CRUD,
 * 400 bodies naming the field, 404, 409, the API key, SIP users without passwords, OpenAPI, health,
 * configuration errors, and rooms surviving a restart. Every key under the prefix is deleted after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Redis from 'ioredis';
import { findFreeLoopbackPort } from '../apps/mcu/src/redis/embedded-redis';

const REPO_ROOT = join(__dirname, '..');
const MAIN = join(REPO_ROOT, 'apps/mcu/src/main.ts');
const API_KEY = 'e2e-api-key-0123456789abcdef';

interface Started {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

/** Runs the MCU with `env` (on top of loopback defaults); resolves once it logs "REST API listening". */
async function startMcu(prefix: string, env: Record<string, string> = {}): Promise<Started> {
  const sipPort = await findFreeLoopbackPort();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', MAIN], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      MCU_HTTP_HOST: '127.0.0.1',
      MCU_HTTP_PORT: '0',
      MCU_SIP_HOST: '127.0.0.1',
      MCU_SIP_PORT: String(sipPort),
      MCU_H323_PORT: '0',
      MCU_PUBLIC_IP: '127.0.0.1',
      REDIS_URL: 'redis://127.0.0.1:6379',
      MCU_REDIS_PREFIX: prefix,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"REST API listening"/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    void exited.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (url === undefined) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`MCU did not start:\n${output.slice(-4000)}`);
  }
  return { child, url, exited, output: () => output };
}

/** SIGTERM and the exit status. */
async function stopMcu(mcu: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  mcu.child.kill('SIGTERM');
  return mcu.exited;
}

/** Runs the MCU expecting it to refuse to start; resolves its exit code and stderr. */
function runExpectingFailure(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', MAIN], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MCU_HTTP_PORT: '0', REDIS_URL: 'redis://127.0.0.1:6379', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
}

describe('REST API of a running MCU', () => {
  const prefix = `tessera-e2e-rest-${randomUUID()}:`;
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  const running: Started[] = [];
  let mcu: Started;
  let api: (method: string, path: string, body?: unknown) => ReturnType<typeof call>;

  beforeAll(async () => {
    await redis.connect();
    mcu = await startMcu(prefix);
    running.push(mcu);
    api = (method, path, body) => call(mcu.url, method, path, body);
  });

  afterAll(async () => {
    for (const started of running) {
      started.child.kill('SIGKILL');
      await started.exited;
    }
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('reports health without authentication', async () => {
    const res = await api('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', redis: 'up' });
  });

  it('serves the OpenAPI document', async () => {
    const res = await api('GET', '/api/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/rooms', '/api/rooms/{id}', '/api/rooms/{id}/participants', '/api/rooms/{id}/participants/{pid}/admit', '/api/sip/users', '/api/sip/registrations', '/health']),
    );
  });

  it('creates, reads, lists, updates and deletes rooms', async () => {
    const created = await api('POST', '/api/rooms', { name: '  Weekly sync ', number: '4711', pin: '1234' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[a-z][a-z0-9]{11}$/),
      name: 'Weekly sync',
      number: '4711',
      pin: '1234',
      maxParticipants: 50,
      locked: false,
      lobby: false,
      layout: 'auto',
      selfView: false,
      createdAt: expect.any(String),
      activeSpeaker: null,
    });
    const id: string = created.body.id;

    expect((await api('GET', `/api/rooms/${id}`)).body).toEqual(created.body);
    expect((await api('GET', '/api/rooms')).body).toEqual(expect.arrayContaining([created.body]));

    const patched = await api('PATCH', `/api/rooms/${id}`, { locked: true, lobby: true, maxParticipants: 5, layout: 'speaker', pin: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, locked: true, lobby: true, maxParticipants: 5, layout: 'speaker' });
    expect(patched.body.pin).toBeUndefined();

    expect(await api('GET', `/api/rooms/${id}/participants`)).toMatchObject({ status: 200, body: [] });

    expect((await api('DELETE', `/api/rooms/${id}`)).status).toBe(204);
    const gone = await api('GET', `/api/rooms/${id}`);
    expect(gone).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found', message: expect.stringContaining(id) } });
    expect((await api('DELETE', `/api/rooms/${id}`)).status).toBe(404);
  });

  it('answers 400 with a body naming each wrong field', async () => {
    const res = await api('POST', '/api/rooms', { name: '', number: '12a', maxParticipants: 0, layout: 'mosaic', colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(Object.keys(res.body.fields).sort()).toEqual(['colour', 'layout', 'maxParticipants', 'name', 'number']);
    expect(res.body.message).toEqual(expect.arrayContaining(['number must be a string of 1–15 digits', 'property colour should not exist']));

    const missing = await api('POST', '/api/rooms', {});
    expect(Object.keys(missing.body.fields).sort()).toEqual(['name', 'number']);

    const room = (await api('POST', '/api/rooms', { name: 'Validation', number: '4712' })).body;
    const nullName = await api('PATCH', `/api/rooms/${room.id}`, { name: null, maxParticipants: 1001 });
    expect(nullName.status).toBe(400);
    expect(Object.keys(nullName.body.fields).sort()).toEqual(['maxParticipants', 'name']);

    const mute = await api('PATCH', `/api/rooms/${room.id}/participants/x`, { muted: 'yes' });
    expect(mute).toMatchObject({ status: 400, body: { fields: { muted: expect.any(Array) } } });

    const notJson = await fetch(`${mcu.url}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('sets a room\'s video layout with PUT /api/rooms/:id/layout (400 naming the field, 404 for an unknown room)', async () => {
    const room = (await api('POST', '/api/rooms', { name: 'Layout', number: '4713' })).body;
    expect(room).toMatchObject({ layout: 'auto', selfView: false });
    expect(await api('PUT', `/api/rooms/${room.id}/layout`, { layout: 'speaker', selfView: true })).toMatchObject({ status: 200, body: { layout: 'speaker', selfView: true } });
    expect((await api('GET', `/api/rooms/${room.id}`)).body).toMatchObject({ layout: 'speaker', selfView: true });
    expect(await api('PUT', `/api/rooms/${room.id}/layout`, { layout: 'single' })).toMatchObject({ status: 200, body: { layout: 'single', selfView: false } });

    const bad = await api('PUT', `/api/rooms/${room.id}/layout`, { layout: 'mosaic', selfView: 'yes' });
    expect(bad).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
    expect(Object.keys(bad.body.fields).sort()).toEqual(['layout', 'selfView']);
    expect((await api('GET', `/api/rooms/${room.id}`)).body).toMatchObject({ layout: 'single', selfView: false });
    expect(await api('PUT', '/api/rooms/nosuchroom00/layout', { layout: 'auto' })).toMatchObject({ status: 404, body: { statusCode: 404 } });
  });

  it('answers 409 for a duplicate room number, on create and on update', async () => {
    const a = await api('POST', '/api/rooms', { name: 'A', number: '5500' });
    const b = await api('POST', '/api/rooms', { name: 'B', number: '5501' });
    const dup = await api('POST', '/api/rooms', { name: 'C', number: '5500' });
    expect(dup).toMatchObject({ status: 409, body: { statusCode: 409, error: 'Conflict', message: expect.stringContaining('5500') } });
    expect((await api('PATCH', `/api/rooms/${b.body.id}`, { number: '5500' })).status).toBe(409);
    expect((await api('PATCH', `/api/rooms/${a.body.id}`, { number: '5500' })).status).toBe(200);
  });

  it('answers 404 for unknown rooms and participants', async () => {
    expect((await api('GET', '/api/rooms/nosuchroom00/participants')).status).toBe(404);
    const room = (await api('POST', '/api/rooms', { name: 'Empty', number: '5600' })).body;
    for (const [method, path] of [
      ['GET', `/api/rooms/${room.id}/participants/nobody`],
      ['DELETE', `/api/rooms/${room.id}/participants/nobody`],
      ['POST', `/api/rooms/${room.id}/participants/nobody/admit`],
      ['POST', `/api/rooms/${room.id}/participants/nobody/reject`],
    ] as const) {
      const res = await api(method, path);
      expect({ method, path, status: res.status, error: res.body?.error }).toEqual({ method, path, status: 404, error: 'Not Found' });
    }
    expect((await api('PATCH', `/api/rooms/${room.id}/participants/nobody`, { muted: true })).status).toBe(404);
  });

  it('manages SIP users without ever returning a password', async () => {
    const created = await api('POST', '/api/sip/users', { username: 'alice', password: 'correct horse battery', displayName: 'Alice' });
    expect(created).toMatchObject({ status: 201, body: { username: 'alice', displayName: 'Alice', realm: '127.0.0.1', createdAt: expect.any(String) } });
    expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'displayName', 'realm', 'username']);
    const listed = await api('GET', '/api/sip/users');
    expect(listed.body).toEqual([created.body]);
    expect(JSON.stringify(listed.body)).not.toMatch(/correct horse|ha1|password/i);

    expect((await api('POST', '/api/sip/users', { username: 'alice', password: 'another password' })).status).toBe(409);
    const bad = await api('POST', '/api/sip/users', { username: 'bad user', password: 'short' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.fields).sort()).toEqual(['password', 'username']);
    expect(JSON.stringify(bad.body)).not.toContain('short"');

    expect(await api('GET', '/api/sip/registrations')).toMatchObject({ status: 200, body: [] });
    expect((await api('DELETE', '/api/sip/users/alice')).status).toBe(204);
    expect((await api('DELETE', '/api/sip/users/alice')).status).toBe(404);
  });

  it('keeps rooms and SIP users across a restart, and exits 0 on SIGTERM', async () => {
    const room = (await api('POST', '/api/rooms', { name: 'Persistent', number: '7700', pin: '42', lobby: true })).body;
    await api('POST', '/api/sip/users', { username: 'persist', password: 'persist-password' });

    expect(await stopMcu(mcu)).toEqual({ code: 0, signal: null });
    mcu = await startMcu(prefix);
    running.push(mcu);

    expect((await api('GET', `/api/rooms/${room.id}`)).body).toEqual(room);
    expect((await api('GET', '/api/sip/users')).body.map((u: { username: string }) => u.username)).toContain('persist');
    // The number stays taken after the restart.
    expect((await api('POST', '/api/rooms', { name: 'Clash', number: '7700' })).status).toBe(409);
  });

  describe('with MCU_API_KEY', () => {
    let secured: Started;

    beforeAll(async () => {
      secured = await startMcu(prefix, { MCU_API_KEY: API_KEY });
      running.push(secured);
    });

    it('answers 401 JSON without or with a wrong bearer token', async () => {
      const none = await call(secured.url, 'GET', '/api/rooms');
      expect(none).toMatchObject({ status: 401, body: { statusCode: 401, error: 'Unauthorized' } });
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await call(secured.url, 'GET', '/api/rooms', undefined, { authorization: 'Bearer wrong-key-0123456789' })).status).toBe(401);
      expect((await call(secured.url, 'GET', '/api/rooms', undefined, { authorization: `Basic ${API_KEY}` })).status).toBe(401);
      expect((await call(secured.url, 'POST', '/api/rooms', { name: 'x', number: '1' })).status).toBe(401);
    });

    it('accepts the key and leaves /health open', async () => {
      expect((await call(secured.url, 'GET', '/api/rooms', undefined, { authorization: `Bearer ${API_KEY}` })).status).toBe(200);
      expect((await call(secured.url, 'GET', '/health')).status).toBe(200);
    });
  });

  describe('refusing to start', () => {
    it('names each bad variable and exits 78', async () => {
      const result = await runExpectingFailure({ MCU_HTTP_PORT: 'eighty', LOG_LEVEL: 'chatty', MCU_REDIS_PREFIX: prefix });
      expect(result.code).toBe(78);
      expect(result.stderr).toMatch(/MCU_HTTP_PORT/);
      expect(result.stderr).toMatch(/LOG_LEVEL/);
    });

    it('refuses a public REST address without MCU_API_KEY', async () => {
      const result = await runExpectingFailure({ MCU_HTTP_HOST: '0.0.0.0', MCU_REDIS_PREFIX: prefix });
      expect(result.code).toBe(78);
      expect(result.stderr).toMatch(/MCU_HTTP_HOST.*MCU_API_KEY/);
    });
  });
});
