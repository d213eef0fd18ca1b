import { McuError } from '../errors/mcu-error';

/** Errors of the conference domain (rooms, participants, operator actions). */
export abstract class ConferenceError extends McuError {}

/** No room with this id (404). */
export class RoomNotFoundError extends ConferenceError {
  readonly statusCode = 404;
  constructor(readonly roomId: string) {
    super(`room "${roomId}" not found`);
  }
}

/** No live participant with this id in this room (404). */
export class ParticipantNotFoundError extends ConferenceError {
  readonly statusCode = 404;
  constructor(readonly participantId: string, roomId?: string) {
    super(roomId === undefined ? `participant "${participantId}" not found` : `participant "${participantId}" not found in room "${roomId}"`);
  }
}

/** Another room already has this number (409). */
export class DuplicateRoomNumberError extends ConferenceError {
  readonly statusCode = 409;
  constructor(readonly number: string) {
    super(`a room with number "${number}" already exists`);
  }
}

/** The participant is not waiting in the lobby (or a decision on it is already under way) (409). */
export class ParticipantNotInLobbyError extends ConferenceError {
  readonly statusCode = 409;
  constructor(readonly participantId: string, state: string) {
    super(`participant "${participantId}" is not waiting in the lobby (state: ${state})`);
  }
}

/** The call leg's signalling failed to carry out an operator action (502). */
export class SignallingFailedError extends ConferenceError {
  readonly statusCode = 502;
  constructor(readonly participantId: string, action: string, cause: string) {
    super(`${action} of participant "${participantId}" failed: ${cause}`);
  }
}

/** A layout setting the MCU does not know (400); `field` names the offending field. */
export class InvalidLayoutError extends ConferenceError {
  readonly statusCode = 400;
  constructor(readonly field: 'layout' | 'selfView', detail: string) {
    super(`${field}: ${detail}`);
  }
}

/** The participant has no running media leg yet (lobby, or offer/answer not complete) (409). */
export class MediaNotStartedError extends ConferenceError {
  readonly statusCode = 409;
  constructor(readonly participantId: string) {
    super(`participant "${participantId}" has no media yet`);
  }
}
