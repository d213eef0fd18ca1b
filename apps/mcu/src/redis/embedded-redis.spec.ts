import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { EmbeddedRedis, RedisServerNotFoundError, findExecutable } from './embedded-redis';
import { probeRedis } from './redis-probe';

/** Runs `script` (JavaScript, may require .ts files) in a child Node with the TypeScript hook. */
function runNode(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: join(__dirname, '../../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('EmbeddedRedis', () => {
  let server: EmbeddedRedis | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('starts a private redis-server on loopback without persistence and stops it', async () => {
    server = await EmbeddedRedis.start();
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(server.running).toBe(true);

    const client = new Redis(server.url, { lazyConnect: true });
    try {
      await client.connect();
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    } finally {
      client.disconnect();
    }

    const port = server.port;
    await server.stop();
    await server.stop(); // idempotent
    expect(server.running).toBe(false);
    expect(await probeRedis('127.0.0.1', port)).toBe(false);
  });

  it('names the missing executable and how to install Redis', async () => {
    const start = EmbeddedRedis.start({ executable: 'redis-server-that-does-not-exist' });
    await expect(start).rejects.toBeInstanceOf(RedisServerNotFoundError);
    await expect(start).rejects.toThrow(/apt-get install redis-server.*REDIS_URL|REDIS_URL.*apt-get install redis-server/);
  });

  it('kills the server when the owning process crashes', async () => {
    const modulePath = JSON.stringify(join(__dirname, 'embedded-redis.ts'));
    const result = await runNode(
      `require(${modulePath}).EmbeddedRedis.start().then((s) => { console.log('PORT=' + s.port); setImmediate(() => { throw new Error('crash'); }); });`,
    );
    expect(result.code).not.toBe(0);
    const port = Number(/PORT=(\d+)/.exec(result.stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    // SIGKILL is delivered synchronously in the 'exit' listener; allow the kernel a moment to reap it.
    let alive = true;
    for (let i = 0; i < 40 && alive; i++) {
      alive = await probeRedis('127.0.0.1', port, 100);
      if (alive) await new Promise((r) => setTimeout(r, 50));
    }
    expect(alive).toBe(false);
  });
});

describe('findExecutable', () => {
  it('searches PATH', () => {
    expect(findExecutable('sh', '/nonexistent:/bin:/usr/bin')).toMatch(/\/sh$/);
    expect(findExecutable('sh', '/nonexistent')).toBeUndefined();
  });
});
