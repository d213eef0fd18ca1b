import { Q931Cause, Q931Error } from './q931-error';

/**
 * Calling party number (Q.931 §4.5.10) and Called party number (Q.931 §4.5.8) contents.
 *
 * ```
 * octet 3   ext | type of number (3) | numbering plan identification (4)
 * octet 3a  ext=1 | presentation (2) | spare (3) | screening (2)     (calling party only, when octet 3's ext is 0)
 * octet 4…  number digits, IA5
 * ```
 */
export interface PartyNumber {
  /** Q.931 Table 4-9: 0 unknown, 1 international, 2 national, 4 subscriber, … */
  readonly typeOfNumber: number;
  /** Q.931 Table 4-9: 0 unknown, 1 ISDN/telephony (E.164), 9 private. */
  readonly numberingPlan: number;
  /** Presentation indicator (octet 3a bits 7–6) when present. */
  readonly presentation?: number;
  /** Screening indicator (octet 3a bits 2–1) when present. */
  readonly screening?: number;
  /** The digits as received (IA5: '0'–'9', '*', '#', and whatever the peer put there). */
  readonly digits: string;
}

/** Numbering plan E.164 (Q.931 Table 4-9). */
export const NUMBERING_PLAN_E164 = 1;

/**
 * Parses Called/Calling party number contents.
 * @throws Q931Error (cause 100) when the contents are empty or octet 3a is announced but missing
 */
export function parsePartyNumber(contents: Buffer): PartyNumber {
  if (contents.length < 1) throw new Q931Error('party number without octet 3', 0, Q931Cause.InvalidIeContents);
  const octet3 = contents[0];
  let offset = 1;
  let indicators: { presentation: number; screening: number } | undefined;
  if ((octet3 & 0x80) === 0) {
    if (contents.length < 2) throw new Q931Error('party number octet 3a missing', 1, Q931Cause.InvalidIeContents);
    indicators = { presentation: (contents[1] >> 5) & 0x03, screening: contents[1] & 0x03 };
    offset = 2;
  }
  return {
    typeOfNumber: (octet3 >> 4) & 0x07,
    numberingPlan: octet3 & 0x0f,
    ...indicators,
    digits: contents.subarray(offset).toString('latin1'),
  };
}

/**
 * Serializes party number contents; octet 3a is written when `presentation` or `screening` is given.
 * @throws RangeError when a field is out of range or the digits are not IA5
 */
export function buildPartyNumber(number: PartyNumber): Buffer {
  if (number.typeOfNumber < 0 || number.typeOfNumber > 7 || number.numberingPlan < 0 || number.numberingPlan > 15) {
    throw new RangeError('type of number 0…7 and numbering plan 0…15');
  }
  if (!/^[\x20-\x7e]*$/.test(number.digits)) throw new RangeError('party number digits must be IA5');
  const withIndicators = number.presentation !== undefined || number.screening !== undefined;
  const octet3 = (withIndicators ? 0 : 0x80) | (number.typeOfNumber << 4) | number.numberingPlan;
  const head = withIndicators
    ? [octet3, 0x80 | (((number.presentation ?? 0) & 0x03) << 5) | ((number.screening ?? 0) & 0x03)]
    : [octet3];
  return Buffer.concat([Buffer.from(head), Buffer.from(number.digits, 'latin1')]);
}
