/**
 * What the application implements to hear from the user agent (RFC 3261 §8.2 UAS behaviour is done by
 * the user agent; the delegate decides about calls and sees out-of-dialog messages).
 */
import type { NameAddr, SipRequest, SipUri } from '../message';
import type { RemoteAddress } from '../transport/transport';
import type { IncomingCall } from './incoming-call';

/** A MESSAGE received outside any dialog (RFC 3428), already answered 200. */
export interface IncomingMessage {
  /** The Request-URI (the room, for the MCU). */
  requestUri: SipUri;
  from: NameAddr;
  to: NameAddr;
  /** Media type of the body, lower-case without parameters (e.g. `text/plain`). */
  contentType?: string;
  /** The body as UTF-8 text. */
  body: string;
  /** Where it came from. */
  source: RemoteAddress;
  /** The request itself. */
  request: SipRequest;
}

/** Callbacks of the user agent into the application. Exceptions thrown here are caught and logged. */
export interface UserAgentDelegate {
  /**
   * A new INVITE outside any dialog. The application answers through the call: `ringing()`,
   * `accept(sdp)`, `reject(status)`. An INVITE left unanswered gets 480 after the user agent's
   * `unansweredInviteTimeoutMs`. If this throws before an answer, the call is rejected with 500.
   */
  onInvite(call: IncomingCall): void;
  /** A MESSAGE outside any dialog (answered 200 before this is called). */
  onMessage?(message: IncomingMessage): void;
}
