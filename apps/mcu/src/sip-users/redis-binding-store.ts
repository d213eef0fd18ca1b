import type Redis from 'ioredis';
import type { Binding, BindingStore } from '@mcu/sip';

/**
 * Registrar bindings (RFC 3261 §10.3) in Redis, with their expiry. Per address-of-record:
 *
 * - `<p>reg:expiry:<aor>`    sorted set: contact → expiresAt (epoch ms)
 * - `<p>reg:bindings:<aor>`  hash: contact → the `Binding` as JSON
 * - `<p>reg:aors`            set of AORs that have (or recently had) bindings
 *
 * Expired bindings are pruned on every read (atomically, in Lua); both per-AOR keys also carry a
 * Redis expiry at their latest binding's `expiresAt`, so an AOR nobody reads again still vanishes.
 * Implements `BindingStore` of `@mcu/sip`.
 */
export class RedisBindingStore implements BindingStore {
  private readonly aorsKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    /** Current time, epoch ms (bindings with `expiresAt <= now()` are expired). */
    private readonly now: () => number = Date.now,
  ) {
    this.aorsKey = `${keyPrefix}reg:aors`;
  }

  /** Unexpired bindings of one AOR, earliest expiry first. */
  async list(aor: string): Promise<Binding[]> {
    const values = (await this.redis.eval(LIST_SCRIPT, 3, this.expiryKey(aor), this.bindingsKey(aor), this.aorsKey, String(this.now()), aor)) as string[];
    const now = this.now();
    return values
      .map(parseBinding)
      .filter((b): b is Binding => b !== undefined && b.aor === aor && b.expiresAt > now)
      .sort((a, b) => a.expiresAt - b.expiresAt || a.contact.localeCompare(b.contact));
  }

  /** Adds or replaces (same `aor` + `contact`) a binding. */
  async put(binding: Binding): Promise<void> {
    await this.redis.eval(
      PUT_SCRIPT,
      3,
      this.expiryKey(binding.aor),
      this.bindingsKey(binding.aor),
      this.aorsKey,
      binding.contact,
      String(binding.expiresAt),
      JSON.stringify(binding),
      binding.aor,
    );
  }

  /** Removes one binding; no error when it does not exist. */
  async remove(aor: string, contact: string): Promise<void> {
    await this.redis.eval(REMOVE_SCRIPT, 3, this.expiryKey(aor), this.bindingsKey(aor), this.aorsKey, contact, aor);
  }

  /** Removes every binding of an AOR (`Contact: *` with `Expires: 0`, RFC 3261 §10.3 step 6). */
  async removeAll(aor: string): Promise<void> {
    await this.redis.multi().del(this.expiryKey(aor), this.bindingsKey(aor)).srem(this.aorsKey, aor).exec();
  }

  /** Every unexpired binding of every AOR, by AOR then expiry. */
  async listAll(): Promise<Binding[]> {
    const aors = (await this.redis.smembers(this.aorsKey)).sort();
    const all: Binding[] = [];
    for (const aor of aors) all.push(...(await this.list(aor)));
    return all;
  }

  private expiryKey(aor: string): string {
    return `${this.keyPrefix}reg:expiry:${aor}`;
  }

  private bindingsKey(aor: string): string {
    return `${this.keyPrefix}reg:bindings:${aor}`;
  }
}

/** KEYS: expiry zset, bindings hash, aors set. ARGV: contact, expiresAt, binding JSON, aor. */
const PUT_SCRIPT = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local at = math.floor(tonumber(last[2]))
redis.call('PEXPIREAT', KEYS[1], at)
redis.call('PEXPIREAT', KEYS[2], at)
return 1`;

/** KEYS: expiry zset, bindings hash, aors set. ARGV: now (epoch ms), aor. Returns the JSON values. */
const LIST_SCRIPT = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
  redis.call('HDEL', KEYS[2], unpack(expired))
end
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[2])
  return {}
end
return redis.call('HVALS', KEYS[2])`;

/** KEYS: expiry zset, bindings hash, aors set. ARGV: contact, aor. */
const REMOVE_SCRIPT = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[2])
end
return 1`;

/** A stored JSON binding, `undefined` when it is not one (never written by this class). */
function parseBinding(json: string): Binding | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const b = value as Record<string, unknown>;
  const ok =
    typeof b.aor === 'string' &&
    typeof b.contact === 'string' &&
    typeof b.expiresAt === 'number' &&
    typeof b.callId === 'string' &&
    typeof b.cseq === 'number' &&
    typeof b.source === 'string' &&
    (b.q === undefined || typeof b.q === 'number') &&
    (b.instanceId === undefined || typeof b.instanceId === 'string');
  return ok ? (value as Binding) : undefined;
}
