/**
 * States of the INVITE dialog usage (RFC 3261 §12: early, confirmed, terminated; the confirmed state is
 * split at the ACK because §13.3.1.4 and §15 treat "2xx sent, no ACK yet" differently).
 */
import { SipError } from '../message';

/** State of a `SessionDialog`. */
export enum SessionState {
  /** INVITE received, no final response yet (an early dialog once a 1xx with tag went out). */
  Early = 'early',
  /** 2xx sent, retransmitted until the ACK arrives (§13.3.1.4). */
  Accepted = 'accepted',
  /** ACK received (or its wait timed out): the session is up. */
  Confirmed = 'confirmed',
  /** Over; the dialog answers 481 from now on. */
  Terminated = 'terminated',
}

/** The legal moves; `transition()` rejects every other one. */
export const SESSION_TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  [SessionState.Early]: [SessionState.Accepted, SessionState.Terminated],
  [SessionState.Accepted]: [SessionState.Confirmed, SessionState.Terminated],
  [SessionState.Confirmed]: [SessionState.Terminated],
  [SessionState.Terminated]: [],
};

/** Why a session ended. */
export type SessionEndReason =
  /** The INVITE got a final non-2xx response from the local side. */
  | 'rejected'
  /** CANCEL before the final response (§9.2). */
  | 'cancelled'
  /** The peer sent BYE (§15.1.2). */
  | 'remote-bye'
  /** The local side hung up (BYE, or a non-2xx while the INVITE was pending). */
  | 'local-bye'
  /** The 2xx was never acknowledged (§13.3.1.4): BYE sent. */
  | 'ack-timeout'
  /** The 2xx carried an offer and the ACK brought no answer: BYE sent. */
  | 'missing-answer'
  /** No session refresh before the session interval ended (RFC 4028 §10): BYE sent. */
  | 'session-expired'
  /** An in-dialog request got 481 or timed out (RFC 5057 §5.1). */
  | 'request-failed'
  /** The user agent stopped. */
  | 'shutdown';

/** A call of a `SessionDialog` method that its state does not allow (a programming error). */
export class SessionDialogError extends SipError {}
