/**
 * Wrapping of H.245 PDUs into MultimediaSystemControlMessage (H.245 Annex A: request, response, command, indication),
 * and the signalling-entity plumbing the procedures share.
 */
import type { H245Types } from '../asn1/generated';
import type { H245Logger } from './h245-logger';
import type { H245Clock } from './timers';

/** A MultimediaSystemControlMessage carrying `value` as a request. */
export function request(value: H245Types.RequestMessage): H245Types.MultimediaSystemControlMessage {
  return { tag: 'request', value };
}

/** A MultimediaSystemControlMessage carrying `value` as a response. */
export function response(value: H245Types.ResponseMessage): H245Types.MultimediaSystemControlMessage {
  return { tag: 'response', value };
}

/** A MultimediaSystemControlMessage carrying `value` as a command. */
export function command(value: H245Types.CommandMessage): H245Types.MultimediaSystemControlMessage {
  return { tag: 'command', value };
}

/** A MultimediaSystemControlMessage carrying `value` as an indication. */
export function indication(value: H245Types.IndicationMessage): H245Types.MultimediaSystemControlMessage {
  return { tag: 'indication', value };
}

/** What every signalling entity gets from the session: the way out, the clock and the log. */
export interface EntityContext {
  /** Sends one PDU to the remote H.245 entity. */
  readonly send: (message: H245Types.MultimediaSystemControlMessage) => void;
  readonly clock: H245Clock;
  readonly logger: H245Logger;
}

/** Thrown by a state machine's `transition()` on a move its table does not allow (a programming error). */
export class IllegalTransitionError extends Error {
  constructor(entity: string, from: string, to: string) {
    super(`${entity}: illegal transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}
