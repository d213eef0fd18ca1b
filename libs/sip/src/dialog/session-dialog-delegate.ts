/**
 * The seams of a `SessionDialog`: the server transaction it answers through, the channel it sends
 * through (implemented by the user agent core on the transaction layer), the delegate that decides the
 * session descriptions and hears what happens, and its options.
 */
import type { SipRequest, SipResponse } from '../message';
import type { Clock, TimerSettings } from '../transaction/timers';
import type { Logger } from '../transport/logger';
import type { SessionDialog } from './session-dialog';
import type { SessionEndReason } from './session-state';
import type { SessionTimerSettings } from './session-timer';

/** A received request and the server transaction that answers it (§17.2). */
export interface ServerTransactionHandle {
  readonly request: SipRequest;
  /** Send a response through the server transaction. */
  respond(response: SipResponse): void;
}

/** How a session dialog reaches the network; implemented by the user agent core. */
export interface SessionDialogChannel {
  /**
   * Send a 2xx again straight to the transport, routed like the INVITE's responses (§13.3.1.4, §18.2.2).
   * Leave it out when the INVITE server transaction retransmits 2xx responses itself (RFC 6026).
   */
  retransmitResponse?(response: SipResponse, request: SipRequest): void;
  /**
   * Send a request inside the dialog through a client transaction and resolve with its final response
   * (for INVITE: the first 2xx or the final non-2xx); a timeout resolves with a synthesized 408 and a
   * transport error with a 503 (§8.1.3.1). Never rejects.
   */
  sendRequest(request: SipRequest): Promise<SipResponse>;
  /** Send the ACK for a 2xx to a re-INVITE the local side sent (§13.2.2.4), outside any transaction. */
  sendAck(ack: SipRequest, invite: SipRequest): void;
}

/** What the application decides and learns about one session. Callbacks may throw: errors are logged. */
export interface SessionDialogDelegate {
  /**
   * Answer a remote offer in a re-INVITE or UPDATE (RFC 3264 §8) with the local description.
   * Throw an error with a numeric `status` (e.g. `SdpError`: 400, 488) to refuse it; the session stays as it was.
   */
  answerOffer(offer: string): string;
  /** A local offer for a re-INVITE without one (RFC 3261 §14.2): normally the current local description. */
  createOffer(): string;
  /** The 2xx to the INVITE was acknowledged; `answer` is the ACK's SDP when the 2xx carried the offer. */
  onAck?(answer: string | undefined): void;
  /** A new remote description took effect (re-INVITE/UPDATE offer answered, or answer to a local offer). */
  onRemoteDescription?(remote: string, local: string): void;
  /** INFO received and answered 200 (RFC 6086 legacy usage: DTMF relay, media control). */
  onInfo?(request: SipRequest): void;
  /** MESSAGE received in the dialog and answered 200 (RFC 3428). */
  onMessage?(request: SipRequest): void;
  /** The session ended; called exactly once. */
  onTerminated?(reason: SessionEndReason): void;
}

/** Options of a `SessionDialog`. */
export interface SessionDialogOptions {
  /** The To tag of the local side (§19.3). */
  localTag: string;
  /** Contact of the local side, a URI or name-addr (§12.1.1). */
  localContact: string;
  clock: Clock;
  /** T1/T2 for the 2xx retransmission and ACK timeout (§13.3.1.4). */
  timers: TimerSettings;
  /** Session timer policy; `false` disables session timers (RFC 4028). */
  sessionTimer: SessionTimerSettings | false;
  channel: SessionDialogChannel;
  logger?: Logger;
  /** Header fields added to every response (Allow, Supported, Server, …). */
  responseHeaders?: ReadonlyArray<readonly [string, string]>;
  /** Header fields added to every request the dialog sends (Allow, Supported, User-Agent, …). */
  requestHeaders?: ReadonlyArray<readonly [string, string]>;
  /** Content types of INFO bodies accepted with 200 (others get 415, RFC 6086 §4.2.2). */
  infoContentTypes?: readonly string[];
  /** Initial local CSeq number (tests); random below 2^31 otherwise. */
  initialLocalSeq?: number;
  /** Told once the session ended, after the delegate (the owner removes the dialog from its tables). */
  onEnded?: (session: SessionDialog) => void;
}

/** INFO bodies the MCU understands: DTMF relay (SIP INFO DTMF) and video fast update (RFC 5168). */
export const DEFAULT_INFO_CONTENT_TYPES: readonly string[] = ['application/dtmf-relay', 'application/dtmf', 'application/media_control+xml'];
