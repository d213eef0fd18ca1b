import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health-registry';

/**
 * `GET /health` and the `HealthRegistry` (global: any module injects `HealthRegistry` by class and
 * registers its component's probe).
 */
@Global()
@Module({
  controllers: [HealthController],
  providers: [{ provide: HealthRegistry, useFactory: () => new HealthRegistry() }],
  exports: [HealthRegistry],
})
export class HealthModule {}
