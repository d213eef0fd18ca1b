import {
  parseInformationElements,
  serializeInformationElements,
  type InformationElement,
} from './information-element';
import { Q931Cause, Q931Error } from './q931-error';

/**
 * A Q.931 message (Q.931 §4.1–§4.4) as H.225.0 §7.3 carries it over TPKT.
 *
 * ```
 * octet 1   protocol discriminator (0x08 = Q.931)
 * octet 2   0000 | length of call reference value (octets; H.225.0: 2)
 * octet 3…  flag (bit 8 of the first octet) | call reference value
 * next      0 | message type (7)
 * rest      information elements (Q.931 §4.5)
 * ```
 * The flag is 0 in messages sent by the side that allocated the call reference (the caller) and 1 in messages
 * sent to it (Q.931 §4.3).
 */
export interface Q931Message {
  readonly protocolDiscriminator: number;
  readonly callReference: CallReference;
  /** Q.931 §4.4 message type (see {@link Q931MessageType}). */
  readonly messageType: number;
  /** Elements in received order; unknown ones kept verbatim so re-serializing reproduces the input. */
  readonly informationElements: readonly InformationElement[];
}

/** Call reference (Q.931 §4.3). */
export interface CallReference {
  /** Value without the flag: 0…32767 for 2 octets (0 with length 0 is the dummy/global call reference). */
  readonly value: number;
  /** true: the message is sent to the side that originated the call reference. */
  readonly fromDestination: boolean;
  /** Length of the value in octets (0, 1 or 2; H.225.0 uses 2). */
  readonly length: number;
}

/** Q.931 protocol discriminator (Q.931 §4.2). */
export const Q931_PROTOCOL_DISCRIMINATOR = 0x08;
const MAX_CALL_REFERENCE_LENGTH = 2;

/**
 * Parses one Q.931 message (a TPKT payload).
 * @throws Q931Error — cause 95 for a short message, a wrong discriminator or a call reference longer than 2
 *   octets; cause 100 for an element whose length runs past the end
 */
export function parseQ931(bytes: Buffer): Q931Message {
  if (bytes.length < 3) throw new Q931Error(`Q.931 message of ${bytes.length} octets`, 0);
  const protocolDiscriminator = bytes[0];
  if (protocolDiscriminator !== Q931_PROTOCOL_DISCRIMINATOR) {
    throw new Q931Error(`protocol discriminator 0x${protocolDiscriminator.toString(16)}, expected 0x08`, 0);
  }
  if ((bytes[1] & 0xf0) !== 0) throw new Q931Error('call reference length octet has bits 8–5 set', 1);
  const length = bytes[1] & 0x0f;
  if (length > MAX_CALL_REFERENCE_LENGTH) throw new Q931Error(`call reference of ${length} octets`, 1);
  const typeOffset = 2 + length;
  if (bytes.length <= typeOffset) throw new Q931Error('message type missing', typeOffset);
  let raw = 0;
  for (let i = 0; i < length; i += 1) raw = (raw << 8) | bytes[2 + i];
  const flagBit = length === 0 ? 0 : 1 << (length * 8 - 1);
  const messageType = bytes[typeOffset];
  if ((messageType & 0x80) !== 0) {
    throw new Q931Error(`message type 0x${messageType.toString(16)} has bit 8 set`, typeOffset, Q931Cause.MessageTypeNonExistent);
  }
  return {
    protocolDiscriminator,
    callReference: { value: raw & ~flagBit, fromDestination: (raw & flagBit) !== 0, length },
    messageType,
    informationElements: parseInformationElements(bytes, typeOffset + 1),
  };
}

/**
 * Serializes a Q.931 message.
 * @throws RangeError when the call reference value does not fit its length or an element is too long
 */
export function serializeQ931(message: Q931Message): Buffer {
  const { value, fromDestination, length } = message.callReference;
  if (length < 0 || length > MAX_CALL_REFERENCE_LENGTH) throw new RangeError(`call reference length ${length}`);
  const limit = length === 0 ? 0 : 2 ** (length * 8 - 1) - 1;
  if (!Number.isInteger(value) || value < 0 || value > limit) throw new RangeError(`call reference ${value}`);
  const head = Buffer.alloc(3 + length);
  head[0] = message.protocolDiscriminator;
  head[1] = length;
  const raw = value | (fromDestination && length > 0 ? 1 << (length * 8 - 1) : 0);
  for (let i = 0; i < length; i += 1) head[2 + i] = (raw >> (8 * (length - 1 - i))) & 0xff;
  head[2 + length] = message.messageType & 0x7f;
  return Buffer.concat([head, serializeInformationElements(message.informationElements)]);
}
