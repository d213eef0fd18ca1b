/**
 * The logging interface the SIP stack writes to.
 *
 * It is the subset of pino's API the stack uses (`logger.warn({ remote }, 'dropped')`), so a pino
 * logger (or a child of one) can be passed as is. Every dropped or rejected message, every
 * connection error and every error thrown by a callback is logged through it.
 */
export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that discards everything (the default when none is injected). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** `err` as a plain object fit for a log line (message, code, name). */
export function errorFields(err: unknown): { err: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === undefined ? { err: `${err.name}: ${err.message}` } : { err: `${err.name}: ${err.message}`, code };
  }
  return { err: String(err) };
}
