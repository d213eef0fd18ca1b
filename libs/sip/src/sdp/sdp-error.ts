/**
 * Errors of the SDP offer/answer layer (RFC 3264, RFC 4566).
 *
 * Each error carries the SIP status a UAS answers an INVITE/UPDATE with when the session description
 * in it cannot be used: 400 for a description that does not parse (RFC 3261 §21.4.1), 488 for one that
 * parses but offers nothing the MCU can accept (RFC 3261 §21.4.26, RFC 3264 §6).
 */
import { SipError } from '../message/errors';

/** Root of the SDP errors; `status` and `reason` are ready for a SIP response. */
export abstract class SdpError extends SipError {
  /** SIP status code to answer with. */
  abstract readonly status: number;
  /** Short text naming the problem, fit for a reason phrase or a Warning header. */
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** The session description is malformed (no v= line, no m= line, bad port, missing c=). Answer 400. */
export class SdpParseError extends SdpError {
  readonly status = 400;
}

/**
 * The offer (or answer) is well formed but has nothing in common with the local capabilities:
 * no m-line with a supported transport and codec (RFC 3264 §6). Answer 488 Not Acceptable Here.
 */
export class SdpNegotiationError extends SdpError {
  readonly status = 488;
}
