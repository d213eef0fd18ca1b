import { randomUUID } from 'node:crypto';

/** The signalling protocol of a call leg. */
export type Protocol = 'sip' | 'h323';

/**
 * Participant lifecycle:
 *
 * ```
 *   join ──► lobby ──admit──► connected ──leave/hangup──► left
 *     │        └──reject/leave/hangup──────────────────► left
 *     └──────► connected (room without lobby)
 * ```
 */
export type ParticipantState = 'lobby' | 'connected' | 'left';

/** A call leg in a room, as listed by the REST API. Snapshots: the manager never mutates one it handed out. */
export interface Participant {
  /** Generated UUID. */
  readonly id: string;
  readonly roomId: string;
  readonly protocol: Protocol;
  /** From the caller's identity (SIP From display-name or user, H.323 Display IE or alias). */
  readonly displayName: string;
  /** SIP: the caller's Contact URI with host and port; H.323: alias and signalling address. */
  readonly remote: string;
  readonly state: ParticipantState;
  /** Server-side mute (taken out of everyone's audio mix). */
  readonly muted: boolean;
  /** ISO 8601 time of `join`. */
  readonly joinedAt: string;
}

/**
 * What the signalling bridge implements for each call leg, so the conference can act on the call
 * without knowing the protocol.
 */
export interface ParticipantSignalling {
  /**
   * Ends the call: SIP BYE (or CANCEL/final response before it is answered), H.323 ReleaseComplete.
   * Must be safe to call twice and after the peer already hung up.
   *
   * @param reason why, for logs and (where the protocol carries one) the peer, e.g. `'operator'`.
   */
  hangup(reason: string): Promise<void>;
  /** Lobby → connected: SIP sends the 200 OK to the waiting INVITE; H.323 sends Connect. */
  admit(): Promise<void>;
  /** Lobby → refused: SIP 603 Decline; H.323 ReleaseComplete. */
  reject(): Promise<void>;
  /**
   * Delivers a message from another participant (SIP MESSAGE, RFC 3428). Optional: legs that cannot
   * carry messages leave it out.
   *
   * @param body the message body, raw octets in `contentType`.
   */
  sendMessage?(from: { id: string; displayName: string }, contentType: string, body: Buffer): Promise<void>;
}

/** A bridge's request to put a call leg into a room. */
export interface JoinRequest {
  readonly protocol: Protocol;
  readonly displayName: string;
  readonly remote: string;
  /** The PIN the caller presented (dial string `<number>*<pin>`, SIP `pin` URI parameter, DTMF). */
  readonly pin?: string;
  readonly signalling: ParticipantSignalling;
}

/** Why a join was refused, and what a bridge answers (SIP / H.323). */
export type JoinRefusal =
  /** no such room — SIP 404, H.323 unreachableDestination */
  | 'not-found'
  /** the room has a PIN and none was given — SIP 403 */
  | 'pin-required'
  /** the PIN given does not match — SIP 403 */
  | 'wrong-pin'
  /** `maxParticipants` reached — SIP 486, H.323 destinationRejection */
  | 'full'
  /** the room is locked, or the MCU is shutting down — SIP 403, H.323 destinationRejection */
  | 'locked';

/** The outcome of `ConferenceManager.join`. */
export type JoinResult =
  | { readonly ok: true; readonly participant: Participant; readonly lobby: boolean }
  | { readonly ok: false; readonly reason: JoinRefusal };

/** A new participant id. */
export function generateParticipantId(): string {
  return randomUUID();
}
