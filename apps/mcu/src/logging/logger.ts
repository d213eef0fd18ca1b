import pino from 'pino';
import type { LogLevel } from '../config/mcu-config';

/**
 * A named logger: pino's API, JSON lines on stdout. It has the `{ debug, info, warn, error }(obj, msg)`
 * shape the libraries' injected `Logger` interfaces expect (e.g. `@mcu/sip`'s), so it can be passed
 * to them as is.
 */
export type McuLogger = pino.Logger;

/** The process-wide root logger; its children follow level changes made through `configureLogging`. */
const root: pino.Logger = pino({ level: 'info', base: { pid: process.pid } });

/**
 * Sets the level of the root logger and of every logger made by `createLogger` (pino children share
 * their parent's level unless set on their own). Called once by `main.ts` with `LOG_LEVEL`.
 */
export function configureLogging(options: { level: LogLevel }): void {
  root.level = options.level;
}

/**
 * A child logger whose lines carry `"name": name` (e.g. `createLogger('sip-transport')`).
 * Loggers made before `configureLogging` follow its level too.
 */
export function createLogger(name: string): McuLogger {
  return root.child({ name });
}

/** `err` as fields fit for a log line: `{ err: "Name: message", code? }`. */
export function errorFields(err: unknown): { err: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = `${err.name}: ${err.message}`;
    return typeof code === 'string' ? { err: text, code } : { err: text };
  }
  return { err: String(err) };
}
