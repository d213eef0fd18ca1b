/**
 * Clean-up of the Redis keys one MCU test instance wrote under its own `MCU_REDIS_PREFIX`.
 * Uses the real Redis the tests run against (never a mock).
 */
import Redis from 'ioredis';

/** The Redis the end-to-end tests use (CI starts it on this address). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Calls `onBatch` with every batch of keys starting with `prefix` (SCAN MATCH, batches of ≈500).
 *
 * @throws Error for an empty prefix (it would match every key) or when Redis cannot be reached
 */
async function scanPrefix(
  prefix: string,
  url: string,
  onBatch: (redis: Redis, keys: string[]) => Promise<void>,
): Promise<void> {
  if (prefix.length === 0) throw new Error('refusing to scan keys for an empty prefix');
  const pattern = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    // SCAN ends when the cursor comes back to 0; the cap bounds the loop against a misbehaving server.
    for (let round = 0; round < 100_000; round++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await onBatch(redis, keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * Deletes every key that starts with `prefix` (UNLINK).
 *
 * @param prefix non-empty key prefix, e.g. `tessera-test-1a2b3c:`; glob characters are escaped
 * @returns the number of keys deleted
 * @throws Error for an empty prefix or when Redis cannot be reached
 */
export async function deleteKeysWithPrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  let deleted = 0;
  await scanPrefix(prefix, url, async (redis, keys) => {
    deleted += await redis.unlink(...keys);
  });
  return deleted;
}

/**
 * Number of keys that start with `prefix` (to check that an instance persisted, or cleaned, its state).
 *
 * @throws Error for an empty prefix or when Redis cannot be reached
 */
export async function countKeysWithPrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  let count = 0;
  await scanPrefix(prefix, url, async (_redis, keys) => {
    count += keys.length;
  });
  return count;
}
