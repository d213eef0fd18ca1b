import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import Redis from 'ioredis';
import { Public } from '../http/api-key.guard';
import type { HttpResponseLike } from '../http/http-types';
import { REDIS } from '../redis/redis.module';
import { HealthRegistry, PROBE_TIMEOUT_MS, type ComponentHealth } from './health-registry';

/** Body of `GET /health`. */
export interface HealthReport {
  /** `ok` when Redis and every registered component are up, else `degraded`. */
  status: 'ok' | 'degraded';
  redis: 'up' | 'down';
  /** One entry per registered component, e.g. `sip: { status: 'up', udp: '0.0.0.0:5060', … }`. */
  [component: string]: ComponentHealth | string;
}

/** `GET /health`: open even when `MCU_API_KEY` is set (for load balancers and Docker health checks). */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** 200 with the report when everything is up, 503 with the same body otherwise. */
  @Get()
  @ApiOkResponse({ description: 'Redis and every registered component (e.g. sip) are up.' })
  @ApiServiceUnavailableResponse({ description: 'Something is down; the body says what.' })
  async health(@Res({ passthrough: true }) res: HttpResponseLike): Promise<HealthReport> {
    const [redis, components] = await Promise.all([this.redisStatus(), this.registry.report()]);
    const up = redis === 'up' && Object.values(components).every((c) => c.status === 'up');
    res.status(up ? 200 : 503);
    return { status: up ? 'ok' : 'degraded', redis, ...components };
  }

  private async redisStatus(): Promise<'up' | 'down'> {
    if (this.redis.status !== 'ready') return 'down';
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), PROBE_TIMEOUT_MS);
      });
      return (await Promise.race([this.redis.ping(), timeout])) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    } finally {
      clearTimeout(timer);
    }
  }
}
