import { McuError } from '../errors/mcu-error';

/** A SIP user with this name already exists (409). */
export class DuplicateSipUserError extends McuError {
  readonly statusCode = 409;
  constructor(readonly username: string) {
    super(`SIP user "${username}" already exists`);
  }
}

/** No SIP user with this name (404). */
export class SipUserNotFoundError extends McuError {
  readonly statusCode = 404;
  constructor(readonly username: string) {
    super(`SIP user "${username}" not found`);
  }
}
