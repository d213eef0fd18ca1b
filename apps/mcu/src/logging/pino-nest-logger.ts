import type { LoggerService } from '@nestjs/common';
import { createLogger, type McuLogger } from './logger';

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A string that looks like an `Error.stack` ("…\n    at file:line:col"). */
const STACK = /\n\s+at .+/;

/**
 * Routes Nest's own log calls (`Logger.log(message, context)`, `Logger.error(message, stack, context)`)
 * to pino, so everything the process prints is one JSON line per event.
 *
 * Mapping: log → info, verbose → trace, debug/warn/error/fatal → the same pino level. A trailing
 * string parameter is Nest's context (e.g. `"RoutesResolver"`) and becomes the `context` field; a
 * parameter that looks like a stack trace becomes `stack`; an `Error` message becomes `err`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: McuLogger = createLogger('nest')) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: PinoLevel, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    const stackIndex = rest.findIndex((p) => typeof p === 'string' && STACK.test(p));
    if (stackIndex >= 0) fields.stack = rest.splice(stackIndex, 1)[0];
    const last = rest[rest.length - 1];
    if (typeof last === 'string') {
      fields.context = last;
      rest.pop();
    }
    if (rest.length > 0) fields.params = rest;
    let text: string;
    if (message instanceof Error) {
      text = message.message;
      fields.err = `${message.name}: ${message.message}`;
      if (fields.stack === undefined && message.stack !== undefined) fields.stack = message.stack;
    } else if (typeof message === 'string') {
      text = message;
    } else {
      text = '';
      fields.detail = message;
    }
    this.logger[level](fields, text);
  }
}
