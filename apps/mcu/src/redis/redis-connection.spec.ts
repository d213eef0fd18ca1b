import { loadConfig } from '../config/load-config';
import type { McuConfig } from '../config/mcu-config';
import { createLogger } from '../logging/logger';
import { findFreeLoopbackPort } from './embedded-redis';
import { closeRedis, openRedis, redactUrl, RedisUnavailableError } from './redis-connection';
import { probeRedis } from './redis-probe';

const logger = createLogger('redis-connection-spec');
logger.level = 'silent';

/** A configuration whose default Redis address is a free (silent) loopback port. */
async function configWithSilentDefault(): Promise<McuConfig> {
  const base = loadConfig({}, { detectPublicIp: () => '127.0.0.1' });
  const port = await findFreeLoopbackPort();
  return { ...base, redis: { ...base.redis, url: `redis://127.0.0.1:${port}`, urlFromEnvironment: false } };
}

describe('openRedis', () => {
  it('uses the Redis that answers at the default address', async () => {
    const config = loadConfig({}, { detectPublicIp: () => '127.0.0.1' });
    const connection = await openRedis(config, logger);
    try {
      expect(connection.embedded).toBeUndefined();
      expect(await connection.client.ping()).toBe('PONG');
    } finally {
      await closeRedis(connection, logger);
    }
    expect(connection.client.status).toBe('end');
  });

  it('starts an embedded redis-server when nothing answers and REDIS_URL is unset, and stops it on close', async () => {
    const connection = await openRedis(await configWithSilentDefault(), logger);
    const port = connection.embedded?.port;
    expect(port).toBeDefined();
    expect(await connection.client.ping()).toBe('PONG');
    await closeRedis(connection, logger);
    await closeRedis(connection, logger);
    expect(await probeRedis('127.0.0.1', port ?? 0)).toBe(false);
  });

  it('names REDIS_URL and the Debian package when there is no redis-server', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const open = openRedis(await configWithSilentDefault(), logger);
      await expect(open).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(open).rejects.toThrow(/REDIS_URL.*apt-get install redis-server/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('fails with REDIS_URL in the message when the configured Redis is unreachable', async () => {
    const port = await findFreeLoopbackPort();
    const config = loadConfig({ REDIS_URL: `redis://:hunter2@127.0.0.1:${port}` }, { detectPublicIp: () => '127.0.0.1' });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const open = openRedis(config, logger);
      const assertion = expect(open).rejects.toThrow(/REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1/);
      await jest.advanceTimersByTimeAsync(10_000);
      await assertion;
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('redactUrl', () => {
  it('hides passwords', () => {
    expect(redactUrl('redis://user:pw@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
