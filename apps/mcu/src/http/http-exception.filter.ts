import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { McuError } from '../errors/mcu-error';
import { createLogger, errorFields } from '../logging/logger';
import type { HttpRequestLike, HttpResponseLike } from './http-types';

/** The JSON body of every error response. */
export interface ErrorBody {
  statusCode: number;
  /** The status's reason phrase, e.g. `"Not Found"`. */
  error: string;
  /** What went wrong; a list when there are several problems (validation). */
  message: string | string[];
  /** Validation errors only: field path → messages. */
  fields?: Record<string, string[]>;
}

const logger = createLogger('http');

/**
 * Maps every exception escaping a controller to a JSON `ErrorBody`:
 *
 * - `McuError` subclasses (RoomNotFound → 404, DuplicateRoomNumber → 409, …) → their `statusCode`;
 * - Nest `HttpException`s (validation 400, guard 401, unknown route 404) → their status, body
 *   normalized to `{ statusCode, error, message }`; 401 also gets `WWW-Authenticate: Bearer`
 *   (RFC 6750 §3);
 * - Redis unreachable → 503;
 * - anything else → 500 with a generic message (details only in the log).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<HttpResponseLike>();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      const req = http.getRequest<HttpRequestLike>();
      logger.error({ method: req.method, url: req.url, statusCode: body.statusCode, ...errorFields(exception) }, 'request failed');
    }
    if (body.statusCode === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="tessera"');
    res.status(body.statusCode).json(body);
  }
}

/** The response body (and status) for an exception; see `HttpExceptionFilter`. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof McuError) return bodyOf(exception.statusCode, exception.message);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') return bodyOf(status, response);
    const { message, fields } = response as { message?: unknown; fields?: unknown };
    const body = bodyOf(status, isMessage(message) ? message : exception.message);
    return isFields(fields) ? { ...body, fields } : body;
  }
  if (isRedisUnavailable(exception)) return bodyOf(503, 'storage (Redis) unavailable; retry later');
  return bodyOf(500, 'internal error');
}

function bodyOf(statusCode: number, message: string | string[]): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

function isMessage(value: unknown): value is string | string[] {
  return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

function isFields(value: unknown): value is Record<string, string[]> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => Array.isArray(v));
}

function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable|ECONNREFUSED/.test(err.message);
}
