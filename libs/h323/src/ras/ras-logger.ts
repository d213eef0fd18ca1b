/**
 * The logging interface of the RAS endpoint: the subset of pino's API it uses
 * (`logger.warn({ from }, 'malformed RAS datagram')`), so a pino logger can be passed as is.
 */
export interface RasLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that discards everything (the default). */
export const silentRasLogger: RasLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** `err` as a plain object fit for a log line. */
export function rasErrorFields(err: unknown): { err: string } {
  return { err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}
