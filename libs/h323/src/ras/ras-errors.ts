/** Errors of the RAS endpoint (H.225.0 §7). */
export class RasError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A RAS request got no response after all its retransmissions (H.225.0 §7, RAS timers). */
export class RasTimeoutError extends RasError {
  constructor(
    /** The request's RasMessage alternative, e.g. `registrationRequest`. */
    readonly request: string,
    /** Transmissions made (1 + retries). */
    readonly attempts: number,
  ) {
    super(`no response to ${request} after ${attempts} transmissions`);
  }
}

/** An operation is not allowed in the endpoint's current state, or the endpoint was stopped. */
export class RasStateError extends RasError {}
