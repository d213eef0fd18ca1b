import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, SetMetadata, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { MCU_CONFIG, type McuConfig } from '../config/mcu-config';
import type { HttpRequestLike } from './http-types';

/** Metadata key set by `@Public()`. */
export const IS_PUBLIC = 'mcu:isPublic';

/** Marks a controller or route as reachable without the API key (only `GET /health`). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Requires `Authorization: Bearer <MCU_API_KEY>` (RFC 6750 §2.1) on every route not marked
 * `@Public()`, when `MCU_API_KEY` is set; lets everything through when it is not (the REST API is
 * then bound to loopback, see `loadConfig`). The comparison takes the same time whatever the input.
 *
 * @throws UnauthorizedException (401; the exception filter adds `WWW-Authenticate: Bearer`) when
 *   the header is missing, not a Bearer credential, or carries another key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(
    @Inject(MCU_CONFIG) config: McuConfig,
    private readonly reflector: Reflector,
  ) {
    this.expected = config.apiKey === undefined ? undefined : sha256(config.apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) return true;
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic === true) return true;
    const header = context.switchToHttp().getRequest<HttpRequestLike>().headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
    if (match === null) throw new UnauthorizedException('Authorization: Bearer <MCU_API_KEY> required');
    if (!timingSafeEqual(sha256(match[1] ?? ''), this.expected)) throw new UnauthorizedException('invalid API key');
    return true;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
