import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { MCU_CONFIG, type McuConfig } from '../config/mcu-config';
import { createLogger } from '../logging/logger';
import { closeRedis, openRedis, type RedisConnection } from './redis-connection';

/**
 * Injection token of the MCU's one ioredis client:
 * `constructor(@Inject(REDIS) private readonly redis: Redis)` (type `Redis` from 'ioredis').
 * Keys must start with `config.redis.keyPrefix`.
 */
export const REDIS = Symbol('REDIS');

/** Token of the `RedisConnection` (client + embedded server), private to this module. */
const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');

const logger = createLogger('redis');

/**
 * Opens Redis before the application starts (embedded server when needed, see `openRedis`) and
 * closes it — after every other module's `beforeApplicationShutdown` (calls hung up) — in
 * `onApplicationShutdown`.
 */
@Global()
@Module({
  providers: [
    { provide: REDIS_CONNECTION, inject: [MCU_CONFIG], useFactory: (config: McuConfig) => openRedis(config, logger) },
    { provide: REDIS, inject: [REDIS_CONNECTION], useFactory: (connection: RedisConnection) => connection.client },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CONNECTION) private readonly connection: RedisConnection) {}

  /** Nest shutdown hook: QUIT, then stop the embedded server if any. */
  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.connection, logger);
  }
}
