import { Q931Cause, Q931Error } from './q931-error';

/**
 * Display (Q.931 §4.5.16): IA5 text. Many H.323 endpoints (H323Plus among them) append a NUL octet; it is
 * dropped when reading and not written.
 */
export function parseDisplay(contents: Buffer): string {
  const end = contents.indexOf(0);
  return contents.subarray(0, end < 0 ? contents.length : end).toString('latin1');
}

/**
 * Serializes a Display: printable IA5, at most 82 octets (Q.931 §4.5.16 maximum length 82 octets with header);
 * other characters are replaced by '?' and longer text is cut.
 */
export function buildDisplay(text: string): Buffer {
  return Buffer.from(text.replace(/[^\x20-\x7e]/g, '?').slice(0, 80), 'latin1');
}

/**
 * Progress indicator (Q.931 §4.5.23): `ext | coding (2) | spare | location (4)`, then `ext | description (7)`.
 * Descriptions: 1 not end-to-end ISDN, 2 destination non-ISDN, 3 origination non-ISDN, 8 in-band info available.
 */
export interface ProgressIndicator {
  readonly codingStandard: number;
  readonly location: number;
  readonly description: number;
}

/**
 * Parses Progress indicator contents.
 * @throws Q931Error (cause 100) when shorter than 2 octets
 */
export function parseProgressIndicator(contents: Buffer): ProgressIndicator {
  if (contents.length < 2) throw new Q931Error('Progress indicator shorter than 2 octets', 0, Q931Cause.InvalidIeContents);
  return { codingStandard: (contents[0] >> 5) & 0x03, location: contents[0] & 0x0f, description: contents[1] & 0x7f };
}

/** Serializes a Progress indicator with ITU-T coding. */
export function buildProgressIndicator(description: number, location = 0): Buffer {
  return Buffer.from([0x80 | (location & 0x0f), 0x80 | (description & 0x7f)]);
}

/**
 * Signal (Q.931 §4.5.28): one octet, e.g. 0x01 ring back tone on, 0x3f tones off.
 * @throws Q931Error (cause 100) when empty
 */
export function parseSignal(contents: Buffer): number {
  if (contents.length < 1) throw new Q931Error('Signal without a value', 0, Q931Cause.InvalidIeContents);
  return contents[0];
}

/** Signal values of Q.931 Table 4-24 used by H.225.0. */
export const SignalValue = { DialToneOn: 0x00, RingBackToneOn: 0x01, TonesOff: 0x3f } as const;

/**
 * Call state (Q.931 §4.5.7): `coding standard (2) | call state value (6)`, as Status carries it (Q.931 §5.8.11).
 * @throws Q931Error (cause 100) when empty
 */
export function parseCallState(contents: Buffer): number {
  if (contents.length < 1) throw new Q931Error('Call state without a value', 0, Q931Cause.InvalidIeContents);
  return contents[0] & 0x3f;
}

/** Serializes a Call state with ITU-T coding. */
export function buildCallState(value: number): Buffer {
  return Buffer.from([value & 0x3f]);
}
