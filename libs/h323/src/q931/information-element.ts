import { Q931Cause, Q931Error } from './q931-error';

/**
 * Q.931 §4.5 information elements (codeset 0 identifiers used by H.225.0 call signalling).
 *
 * Single-octet elements (bit 8 = 1, §4.5.1): type 1 carries a 3-bit identifier and a 4-bit value (Shift 0x9_,
 * Congestion level 0xB_, Repeat indicator 0xD_); type 2 is the whole octet (Sending complete 0xA1, More data
 * 0xA0). Variable-length elements: identifier, one length octet, contents — except User-user, whose length is
 * two octets in H.225.0 (its User-user element clause
 * departs from Q.931 §4.5.30 there, so that an H323-UserInformation PDU of up to 65,535 octets fits).
 */
export const InformationElementId = {
  Shift: 0x90,
  SendingComplete: 0xa1,
  BearerCapability: 0x04,
  Cause: 0x08,
  CallState: 0x14,
  Facility: 0x1c,
  ProgressIndicator: 0x1e,
  NotificationIndicator: 0x27,
  Display: 0x28,
  KeypadFacility: 0x2c,
  Signal: 0x34,
  ConnectedNumber: 0x4c,
  CallingPartyNumber: 0x6c,
  CalledPartyNumber: 0x70,
  RedirectingNumber: 0x74,
  UserUser: 0x7e,
} as const;

/** An information element as received: identifier, codeset in force, and contents kept verbatim. */
export type InformationElement = SingleOctetElement | VariableLengthElement;

/** A single-octet element (Q.931 §4.5.1): `octet` is the whole element, identifier bits included. */
export interface SingleOctetElement {
  readonly kind: 'single';
  readonly octet: number;
}

/** A variable-length element (Q.931 §4.5.1): identifier and contents (length octets excluded). */
export interface VariableLengthElement {
  readonly kind: 'variable';
  readonly id: number;
  /** Codeset in force where the element appeared (Q.931 §4.5.2–§4.5.3; 0 unless a Shift preceded it). */
  readonly codeset: number;
  readonly contents: Buffer;
}

/** Largest contents of an element with a one-octet length. */
export const MAX_ONE_OCTET_LENGTH = 0xff;
/** Largest contents of the two-octet-length User-user element. */
export const MAX_TWO_OCTET_LENGTH = 0xffff;

/** Builds a codeset-0 variable-length element. */
export function element(id: number, contents: Buffer): VariableLengthElement {
  return { kind: 'variable', id, codeset: 0, contents };
}

function hasTwoOctetLength(id: number, codeset: number): boolean {
  return codeset === 0 && id === InformationElementId.UserUser;
}

/**
 * Parses the information elements of a Q.931 message (Q.931 §4.5), tracking locking and non-locking shifts.
 * @param bytes the message
 * @param start offset of the first element
 * @throws Q931Error (cause 100) when an element's length runs past the end of the message
 */
export function parseInformationElements(bytes: Buffer, start: number): InformationElement[] {
  const elements: InformationElement[] = [];
  let lockedCodeset = 0;
  let nextCodeset: number | undefined;
  let offset = start;
  while (offset < bytes.length) {
    const id = bytes[offset];
    if ((id & 0x80) !== 0) {
      elements.push({ kind: 'single', octet: id });
      offset += 1;
      if ((id & 0xf0) === InformationElementId.Shift) {
        const codeset = id & 0x07;
        if ((id & 0x08) === 0) lockedCodeset = codeset;
        else nextCodeset = codeset;
        continue;
      }
    } else {
      const codeset = nextCodeset ?? lockedCodeset;
      const lengthOctets = hasTwoOctetLength(id, codeset) ? 2 : 1;
      if (offset + 1 + lengthOctets > bytes.length) {
        throw new Q931Error(`length of element 0x${id.toString(16)} runs past the end`, offset, Q931Cause.InvalidIeContents);
      }
      const length = lengthOctets === 2 ? bytes.readUInt16BE(offset + 1) : bytes[offset + 1];
      const contentStart = offset + 1 + lengthOctets;
      if (contentStart + length > bytes.length) {
        throw new Q931Error(
          `element 0x${id.toString(16)} of ${length} octets runs past the end`,
          offset,
          Q931Cause.InvalidIeContents,
        );
      }
      elements.push({ kind: 'variable', id, codeset, contents: Buffer.from(bytes.subarray(contentStart, contentStart + length)) });
      offset = contentStart + length;
    }
    nextCodeset = undefined;
  }
  return elements;
}

/**
 * Serializes information elements in the given order (Q.931 §4.5), User-user in codeset 0 with its two-octet
 * length (H.225.0, User-user element).
 * @throws RangeError when contents exceed what the length field can express
 */
export function serializeInformationElements(elements: readonly InformationElement[]): Buffer {
  const parts: Buffer[] = [];
  for (const item of elements) {
    if (item.kind === 'single') {
      parts.push(Buffer.from([item.octet]));
      continue;
    }
    const twoOctets = hasTwoOctetLength(item.id, item.codeset);
    const max = twoOctets ? MAX_TWO_OCTET_LENGTH : MAX_ONE_OCTET_LENGTH;
    if (item.contents.length > max) {
      throw new RangeError(`element 0x${item.id.toString(16)} has ${item.contents.length} octets, at most ${max}`);
    }
    const header = Buffer.alloc(twoOctets ? 3 : 2);
    header[0] = item.id;
    if (twoOctets) header.writeUInt16BE(item.contents.length, 1);
    else header[1] = item.contents.length;
    parts.push(header, item.contents);
  }
  return Buffer.concat(parts);
}

/** The first codeset-0 variable-length element with this identifier, if any. */
export function findElement(elements: readonly InformationElement[], id: number): VariableLengthElement | undefined {
  for (const item of elements) if (item.kind === 'variable' && item.codeset === 0 && item.id === id) return item;
  return undefined;
}
