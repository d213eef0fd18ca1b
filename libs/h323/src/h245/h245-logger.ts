/**
 * The logging interface the H.245 procedures write to: the subset of pino's API they use
 * (`logger.warn({ channel }, 'rejected')`), so a pino logger or child can be passed as is.
 */
export interface H245Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that discards everything (the default). */
export const silentH245Logger: H245Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** `err` as a plain object fit for a log line. */
export function errorFields(err: unknown): { err: string } {
  return { err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}
