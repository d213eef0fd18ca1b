/**
 * The logging interface of H.225.0 call signalling: the subset of pino's API it uses
 * (`logger.warn({ callReference, cause }, 'Setup rejected')`), so a pino logger or child can be passed as is.
 */
export interface CallLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that discards everything (the default). */
export const silentCallLogger: CallLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
