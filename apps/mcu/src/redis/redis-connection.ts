import Redis from 'ioredis';
import type { McuConfig } from '../config/mcu-config';
import { errorFields, type McuLogger } from '../logging/logger';
import { EmbeddedRedis, RedisServerNotFoundError } from './embedded-redis';
import { probeRedis } from './redis-probe';

/** The store could not be reached or started; `message` names `REDIS_URL` and what to do. */
export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

/** An open Redis connection and, when the MCU had to start one, the private server behind it. */
export interface RedisConnection {
  readonly client: Redis;
  readonly embedded: EmbeddedRedis | undefined;
}

/** How long the first connection may take before start-up fails, ms. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens the MCU's Redis connection.
 *
 * - `REDIS_URL` set: connect to it.
 * - unset: use redis://127.0.0.1:6379 when a Redis answers there; otherwise start an embedded
 *   `redis-server` (see `EmbeddedRedis`) and connect to that.
 *
 * The client reconnects on its own after start-up (back-off 200 ms … 2 s); a command issued while
 * disconnected fails after 3 reconnection attempts instead of waiting forever.
 *
 * @throws RedisUnavailableError when the first connection fails within 10 s, or when no Redis
 *   answers, `REDIS_URL` is unset and there is no `redis-server` to start.
 */
export async function openRedis(config: McuConfig, logger: McuLogger): Promise<RedisConnection> {
  let url = config.redis.url;
  let embedded: EmbeddedRedis | undefined;
  if (!config.redis.urlFromEnvironment) {
    const defaultUrl = new URL(url);
    const answers = await probeRedis(defaultUrl.hostname, Number(defaultUrl.port || 6379));
    if (!answers) {
      logger.info({ url }, 'no Redis answers at the default address and REDIS_URL is unset: starting an embedded redis-server');
      try {
        embedded = await EmbeddedRedis.start({ logger });
      } catch (err) {
        if (err instanceof RedisServerNotFoundError) {
          throw new RedisUnavailableError(
            `No Redis answers at ${url} and there is no redis-server in PATH to start one. ` +
              `Set REDIS_URL to a reachable Redis (e.g. REDIS_URL=redis://redis.example:6379), ` +
              `or install Redis (Debian/Ubuntu: apt-get install redis-server).`,
          );
        }
        throw new RedisUnavailableError(`REDIS_URL is unset and the embedded redis-server failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      url = embedded.url;
    }
  }

  const client = new Redis(url, {
    lazyConnect: true,
    connectionName: 'tessera-mcu',
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  client.on('error', (err: unknown) => logger.warn({ ...errorFields(err), url: redactUrl(url) }, 'Redis connection error'));
  try {
    await withTimeout(client.connect(), CONNECT_TIMEOUT_MS);
  } catch (err) {
    client.disconnect();
    await embedded?.stop();
    throw new RedisUnavailableError(`Cannot connect to Redis at REDIS_URL=${redactUrl(url)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  logger.info({ url: redactUrl(url), embedded: embedded !== undefined }, 'connected to Redis');
  return { client, embedded };
}

/**
 * Closes the connection (QUIT, or a hard disconnect when Redis does not answer within 2 s), waits
 * until the socket is closed, then stops the embedded server if there is one. Safe to call twice
 * (the second call waits for the first).
 */
export function closeRedis(connection: RedisConnection, logger: McuLogger): Promise<void> {
  let closing = closings.get(connection);
  if (closing === undefined) {
    closing = closeOnce(connection, logger);
    closings.set(connection, closing);
  }
  return closing;
}

const closings = new WeakMap<RedisConnection, Promise<void>>();

async function closeOnce(connection: RedisConnection, logger: McuLogger): Promise<void> {
  const { client } = connection;
  if (client.status !== 'end') {
    const ended = new Promise<void>((resolve) => client.once('end', resolve));
    try {
      await withTimeout(client.quit(), 2000);
      await withTimeout(ended, 2000);
    } catch (err) {
      logger.warn(errorFields(err), 'Redis QUIT failed; disconnecting');
      client.disconnect();
    }
  }
  await connection.embedded?.stop();
}

/** The URL with any password replaced by `***`, fit for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
