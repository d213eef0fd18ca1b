import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ConferenceModule } from './conference/conference.module';
import { ConfigModule } from './config/config.module';
import type { McuConfig } from './config/mcu-config';
import { HealthModule } from './health/health.module';
import { MediaModule } from './media/media.module';
import { ApiKeyGuard } from './http/api-key.guard';
import { HttpExceptionFilter } from './http/http-exception.filter';
import { createValidationPipe } from './http/validation';
import { RedisModule } from './redis/redis.module';
import { RoomsModule } from './rooms/rooms.module';
import { SipUsersModule } from './sip-users/sip-users.module';
// Signalling: the SIP module (apps/mcu/src/sip/) plugs in here, next to the REST modules; it injects
// MCU_CONFIG, ConferenceManager, HealthRegistry, CREDENTIAL_STORE and BINDING_STORE (all global).
import { SipModule } from './sip/sip.module';
import { H323Module } from './h323/h323.module';

/**
 * Composition root. Global modules first (configuration, Redis, health registry, conference, media
 * plane, SIP credential and binding stores), then the REST modules and the signalling modules. The app
 * starts and serves REST with or without signalling modules.
 */
@Module({})
export class AppModule {
  /** The application for `config` (loaded once by `main.ts`, or built by a test). */
  static forRoot(config: McuConfig, extraImports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        HealthModule,
        ConferenceModule,
        MediaModule,
        SipUsersModule,
        RoomsModule,
        SipModule,
        H323Module,
        ...(extraImports ?? []),
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
