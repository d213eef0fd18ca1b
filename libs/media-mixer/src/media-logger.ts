/**
 * The logging interface the media plane writes to: the subset of pino's API it uses
 * (`logger.warn({ legId }, 'message')`), so a pino logger or a child of one can be passed as is.
 * Dropped packets are counted, not logged one by one; the first drop of each kind per leg is logged.
 */
export interface MediaLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that discards everything (the default when none is injected). */
export const silentMediaLogger: MediaLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** `err` as a plain object fit for a log line. */
export function errorFields(err: unknown): { err: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === undefined ? { err: `${err.name}: ${err.message}` } : { err: `${err.name}: ${err.message}`, code };
  }
  return { err: String(err) };
}
