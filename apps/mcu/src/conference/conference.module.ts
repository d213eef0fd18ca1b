import { Global, Module, type BeforeApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { MCU_CONFIG, type McuConfig } from '../config/mcu-config';
import { createLogger } from '../logging/logger';
import { REDIS } from '../redis/redis.module';
import { ConferenceManager } from './conference-manager';
import { RoomRepository } from './room-repository';

/**
 * Provides the `ConferenceManager` (token: the class) to the whole app — the REST layer and the
 * signalling bridges inject it by class. On shutdown it hangs up every call in
 * `beforeApplicationShutdown`, i.e. before any module's `onApplicationShutdown` closes sockets or Redis.
 */
@Global()
@Module({
  providers: [
    { provide: RoomRepository, inject: [REDIS, MCU_CONFIG], useFactory: (redis: Redis, config: McuConfig) => new RoomRepository(redis, config.redis.keyPrefix) },
    {
      provide: ConferenceManager,
      inject: [RoomRepository],
      useFactory: (repository: RoomRepository) => new ConferenceManager({ repository, logger: createLogger('conference') }),
    },
  ],
  exports: [ConferenceManager],
})
export class ConferenceModule implements BeforeApplicationShutdown {
  constructor(private readonly manager: ConferenceManager) {}

  /** Nest shutdown hook: every call gets hung up (BYE / ReleaseComplete) while transports are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.manager.shutdown();
  }
}
