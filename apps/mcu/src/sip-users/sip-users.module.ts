import { Global, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { MCU_CONFIG, type McuConfig } from '../config/mcu-config';
import { REDIS } from '../redis/redis.module';
import { RedisBindingStore } from './redis-binding-store';
import { RedisCredentialStore } from './redis-credential-store';
import { BINDING_STORE, CREDENTIAL_STORE } from './sip-stores';
import { SipUsersController } from './sip-users.controller';
import { SipUsersService } from './sip-users.service';

/**
 * SIP users and registrations over REST, and the registrar's storage for the SIP module: exports
 * `CREDENTIAL_STORE` (`CredentialStore`) and `BINDING_STORE` (`BindingStore`), backed by Redis.
 */
@Global()
@Module({
  controllers: [SipUsersController],
  providers: [
    { provide: RedisCredentialStore, inject: [REDIS, MCU_CONFIG], useFactory: (redis: Redis, config: McuConfig) => new RedisCredentialStore(redis, config.redis.keyPrefix) },
    { provide: RedisBindingStore, inject: [REDIS, MCU_CONFIG], useFactory: (redis: Redis, config: McuConfig) => new RedisBindingStore(redis, config.redis.keyPrefix) },
    { provide: CREDENTIAL_STORE, useExisting: RedisCredentialStore },
    { provide: BINDING_STORE, useExisting: RedisBindingStore },
    SipUsersService,
  ],
  exports: [CREDENTIAL_STORE, BINDING_STORE],
})
export class SipUsersModule {}
