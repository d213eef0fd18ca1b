/**
 * Root of the app's error hierarchy. Each error carries the HTTP status the REST API answers with;
 * the exception filter (`http/http-exception.filter.ts`) maps it to `{ statusCode, error, message }`.
 * Domains extend it: `conference/conference-errors.ts`, `sip-users/sip-user-errors.ts`.
 */
export abstract class McuError extends Error {
  /** HTTP status code for the REST API (4xx for the caller's mistakes, 5xx for ours). */
  abstract readonly statusCode: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
