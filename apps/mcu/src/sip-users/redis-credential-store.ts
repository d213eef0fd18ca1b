import type Redis from 'ioredis';
import { computeHa1, type CredentialStore, type DigestAlgorithm } from '@mcu/sip';
import { DuplicateSipUserError } from './sip-user-errors';
import type { SipUser, StoredSipUser } from './sip-user';

/**
 * SIP users in Redis, storing only HA1 values (see docs/sip-credentials.md): the MCU can verify
 * digest responses (RFC 7616 §3.4) but a copy of Redis does not reveal passwords.
 *
 * Keys (`<p>` = `MCU_REDIS_PREFIX`): `<p>sip-user:<username>` hash (username, displayName?, realm,
 * ha1Md5, ha1Sha256, createdAt) and `<p>sip-users` set of usernames.
 *
 * Implements `CredentialStore` of `@mcu/sip` for the registrar's digest authentication.
 */
export class RedisCredentialStore implements CredentialStore {
  private readonly usersKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    /** Wall clock for `createdAt`. */
    private readonly now: () => Date = () => new Date(),
  ) {
    this.usersKey = `${keyPrefix}sip-users`;
  }

  /**
   * Creates a user; the password is hashed (MD5 and SHA-256 HA1 with `realm`) and dropped.
   *
   * @throws DuplicateSipUserError (409) when the username exists.
   */
  async create(input: { username: string; password: string; displayName?: string }, realm: string): Promise<SipUser> {
    const user: StoredSipUser = {
      username: input.username,
      ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
      realm,
      createdAt: this.now().toISOString(),
      ha1Md5: computeHa1('MD5', input.username, realm, input.password),
      ha1Sha256: computeHa1('SHA-256', input.username, realm, input.password),
    };
    const fields = Object.entries(user).flat();
    const created = await this.redis.eval(CREATE_SCRIPT, 2, this.userKey(user.username), this.usersKey, user.username, ...fields);
    if (created !== 1) throw new DuplicateSipUserError(user.username);
    return publicView(user);
  }

  /** Every user (public fields only), sorted by username. */
  async list(): Promise<SipUser[]> {
    const names = (await this.redis.smembers(this.usersKey)).sort();
    const users: SipUser[] = [];
    for (const name of names) {
      const user = await this.getStored(name);
      if (user !== undefined) users.push(publicView(user));
    }
    return users;
  }

  /** One user's public fields, `undefined` when unknown. */
  async get(username: string): Promise<SipUser | undefined> {
    const user = await this.getStored(username);
    return user === undefined ? undefined : publicView(user);
  }

  /** Deletes a user; `false` when there was none. */
  async delete(username: string): Promise<boolean> {
    const results = await this.redis.multi().del(this.userKey(username)).srem(this.usersKey, username).exec();
    const [delError, deleted] = results?.[0] ?? [null, 0];
    if (delError !== null) throw delError;
    return deleted === 1;
  }

  /**
   * `CredentialStore.lookupHa1` (RFC 7616 §3.4.2): the stored HA1 for `algorithm`, or `undefined`
   * when the user is unknown or was created under another realm (its HA1 cannot match then).
   */
  async lookupHa1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined> {
    const user = await this.getStored(username);
    if (user === undefined || user.realm !== realm) return undefined;
    return algorithm === 'MD5' ? user.ha1Md5 : user.ha1Sha256;
  }

  private async getStored(username: string): Promise<StoredSipUser | undefined> {
    const hash = await this.redis.hgetall(this.userKey(username));
    const { displayName, realm, createdAt, ha1Md5, ha1Sha256 } = hash;
    if (hash.username === undefined || realm === undefined || createdAt === undefined || ha1Md5 === undefined || ha1Sha256 === undefined) return undefined;
    return { username: hash.username, ...(displayName === undefined ? {} : { displayName }), realm, createdAt, ha1Md5, ha1Sha256 };
  }

  private userKey(username: string): string {
    return `${this.keyPrefix}sip-user:${username}`;
  }
}

/** KEYS: user hash, users set. ARGV: username, field/value pairs. Returns 1 when created, 0 when it exists. */
const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
return 1`;

function publicView(user: StoredSipUser): SipUser {
  const { username, displayName, realm, createdAt } = user;
  return { username, ...(displayName === undefined ? {} : { displayName }), realm, createdAt };
}
