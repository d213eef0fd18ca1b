/**
 * Error hierarchy of the SIP library.
 *
 * `SipError` is the root; `SipParseError` is the only error the message layer throws for bad input
 * from the network. It carries what a UAS needs to answer (RFC 3261 §8.2, RFC 4475): the status code,
 * a reason phrase naming the problem, whether an answer is possible at all, and the part of the
 * request that could be read (enough to build the response per RFC 3261 §8.2.6.2).
 */
import type { SipRequest } from './sip-message';

/** Root of every error thrown by the SIP library. */
export class SipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Options of a `SipParseError`. */
export interface SipParseErrorOptions {
  /** Status code a UAS should answer with: 400 (default), 416, 505, … */
  status?: number;
  /** False when no response can be formed (unreadable start line or Via, or the message is a response). */
  respondable?: boolean;
  /** The request as far as it could be read; present when `respondable` is true. */
  partial?: SipRequest;
}

/**
 * Malformed or semantically invalid SIP input (RFC 3261 §7, §25; RFC 4475).
 *
 * `reason` is short text fit for a reason phrase, e.g. `"Missing Call-ID"` or `"Invalid CSeq"`.
 * A UAS answers `status` with `reason` when `respondable` is true, using `partial` to build the
 * response; otherwise it drops the message (and counts it).
 */
export class SipParseError extends SipError {
  /** Short text naming the problem, usable as a reason phrase. */
  readonly reason: string;
  /** Status code to answer with (400 Bad Request, 416 Unsupported URI Scheme, 505 Version Not Supported, …). */
  readonly status: number;
  /** False where no response is possible (RFC 4475: unreadable start line or Via, responses). */
  readonly respondable: boolean;
  /** What could be parsed of the request, enough to build the response (RFC 3261 §8.2.6.2). */
  readonly partial?: SipRequest;

  constructor(reason: string, options: SipParseErrorOptions = {}) {
    super(reason);
    this.reason = reason;
    this.status = options.status ?? 400;
    this.respondable = options.respondable ?? false;
    this.partial = options.partial;
  }

  /** A copy of this error with another respondability and partial request (used once the whole message was read). */
  withContext(respondable: boolean, partial?: SipRequest): SipParseError {
    return new SipParseError(this.reason, { status: this.status, respondable, partial: respondable ? partial : undefined });
  }
}
