import { Q931Cause, Q931Error } from './q931-error';

/**
 * User-user information element (Q.931 §4.5.30) as H.225.0 uses it: a protocol discriminator octet, 5 = "X.208
 * and X.209 coded user information", followed by the aligned-PER H323-UserInformation PDU.
 */
export const USER_USER_PROTOCOL_X208 = 0x05;

/** Contents of a User-user element: protocol discriminator and the user information. */
export interface UserUser {
  readonly protocolDiscriminator: number;
  readonly information: Buffer;
}

/**
 * Parses User-user contents.
 * @throws Q931Error (cause 100) when empty
 */
export function parseUserUser(contents: Buffer): UserUser {
  if (contents.length < 1) throw new Q931Error('User-user without a protocol discriminator', 0, Q931Cause.InvalidIeContents);
  return { protocolDiscriminator: contents[0], information: Buffer.from(contents.subarray(1)) };
}

/** Serializes User-user contents carrying an H323-UserInformation encoding (discriminator 5). */
export function buildUserUser(information: Buffer, protocolDiscriminator = USER_USER_PROTOCOL_X208): Buffer {
  return Buffer.concat([Buffer.from([protocolDiscriminator]), information]);
}
