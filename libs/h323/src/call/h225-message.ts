import { decode, encode } from '../per/codec';
import { PerDecodeError } from '../per/per-error';
import { H225, type H225Types } from '../asn1/generated';
import { element, findElement, InformationElementId, type InformationElement } from '../q931/information-element';
import { Q931Cause, Q931Error } from '../q931/q931-error';
import { parseQ931, Q931_PROTOCOL_DISCRIMINATOR, serializeQ931, type CallReference, type Q931Message } from '../q931/q931-message';
import { buildUserUser, parseUserUser, USER_USER_PROTOCOL_X208 } from '../q931/user-user';

/**
 * An H.225.0 call signalling message (H.225.0 §7.3): a Q.931 message whose User-user element carries the
 * H323-UserInformation PDU (aligned PER).
 */
export interface H225Message {
  readonly q931: Q931Message;
  /** The decoded PDU; undefined when the message has no User-user element. */
  readonly userInformation?: H225Types.H323_UserInformation;
}

/** H.225.0 version 7, what deployed H.323 equipment (H323Plus 1.28, the reference captures) announces. */
export const H225_PROTOCOL_IDENTIFIER = '0.0.8.2250.0.7';

/** The H323-UU-PDU message body (the CHOICE), e.g. `{ tag: 'connect', value }`. */
export type H225MessageBody = H225Types.H323_UU_PDU['h323-message-body'];

/**
 * Parses a TPKT payload as an H.225.0 message.
 * @throws Q931Error — from the Q.931 parser; cause 100 when the User-user element has another protocol
 *   discriminator than 5 or its PDU does not decode (the PerDecodeError text goes into the message)
 */
export function parseH225(bytes: Buffer): H225Message {
  const q931 = parseQ931(bytes);
  const userUser = findElement(q931.informationElements, InformationElementId.UserUser);
  if (!userUser) return { q931 };
  const { protocolDiscriminator, information } = parseUserUser(userUser.contents);
  if (protocolDiscriminator !== USER_USER_PROTOCOL_X208) {
    throw new Q931Error(`User-user protocol discriminator ${protocolDiscriminator}, expected 5`, 0, Q931Cause.InvalidIeContents);
  }
  try {
    return { q931, userInformation: decode(H225.H323_UserInformation, information) };
  } catch (error) {
    if (error instanceof PerDecodeError) {
      throw new Q931Error(`H323-UserInformation does not decode: ${error.message}`, 0, Q931Cause.InvalidIeContents);
    }
    throw error;
  }
}

/** What {@link buildH225} needs. */
export interface H225MessageParts {
  readonly messageType: number;
  readonly callReference: CallReference;
  /** Elements placed before User-user, in this order (Bearer capability, Cause, Display, party numbers …). */
  readonly elements?: readonly InformationElement[];
  /** The H323-UU-PDU (body, h245Tunneling, h245Control …). */
  readonly pdu: H225Types.H323_UU_PDU;
}

/**
 * Serializes an H.225.0 message: Q.931 header, the given elements, then User-user (H.225.0 §7.3 orders elements
 * by Q.931 identifier, User-user 0x7E last).
 * @throws PerEncodeError when the PDU does not match the schema; RangeError when an element is too long
 */
export function buildH225(parts: H225MessageParts): Buffer {
  const information = encode(H225.H323_UserInformation, { 'h323-uu-pdu': parts.pdu });
  return serializeQ931({
    protocolDiscriminator: Q931_PROTOCOL_DISCRIMINATOR,
    callReference: parts.callReference,
    messageType: parts.messageType,
    informationElements: [...(parts.elements ?? []), element(InformationElementId.UserUser, buildUserUser(information))],
  });
}

/** The message body of a parsed message, if it had a PDU. */
export function bodyOf(message: H225Message): H225MessageBody | undefined {
  return message.userInformation?.['h323-uu-pdu']['h323-message-body'];
}
