import { Q931Cause, Q931Error } from './q931-error';

/**
 * Cause information element (Q.931 §4.5.12, values Q.850 §2.2.5).
 *
 * ```
 * octet 3   ext | coding standard (2) | spare | location (4)
 * octet 3a  ext | recommendation (7)           (present when octet 3's ext bit is 0)
 * octet 4   ext=1 | cause value (7)
 * octet 5…  diagnostics
 * ```
 */
export interface CauseElement {
  /** 0 ITU-T (Q.931 Table 4-15). */
  readonly codingStandard: number;
  /** Q.850 §2.2.3: 0 user, 1 private network serving the local user, … */
  readonly location: number;
  /** Q.850 cause value, 0…127 (1 unallocated number, 16 normal clearing, 21 call rejected, …). */
  readonly value: number;
  /** Octet 3a when present. */
  readonly recommendation?: number;
  /** Diagnostics octets (may be empty). */
  readonly diagnostics: Buffer;
}

/** Cause location "user" (Q.850 §2.2.3), what an endpoint such as the MCU sends. */
export const CAUSE_LOCATION_USER = 0;

/**
 * Parses Cause contents.
 * @throws Q931Error (cause 100) when fewer than 2 octets are present
 */
export function parseCause(contents: Buffer): CauseElement {
  if (contents.length < 2) throw new Q931Error('Cause shorter than 2 octets', 0, Q931Cause.InvalidIeContents);
  const octet3 = contents[0];
  let offset = 1;
  let recommendation: number | undefined;
  if ((octet3 & 0x80) === 0) {
    recommendation = contents[offset] & 0x7f;
    offset += 1;
    if (offset >= contents.length) throw new Q931Error('Cause value missing', offset, Q931Cause.InvalidIeContents);
  }
  return {
    codingStandard: (octet3 >> 5) & 0x03,
    location: octet3 & 0x0f,
    ...(recommendation === undefined ? {} : { recommendation }),
    value: contents[offset] & 0x7f,
    diagnostics: Buffer.from(contents.subarray(offset + 1)),
  };
}

/**
 * Serializes a Cause with ITU-T coding and no octet 3a, as H.225.0 endpoints send it (e.g. `80 90` = user,
 * normal call clearing).
 * @param value Q.850 cause value 0…127
 * @param location Q.850 location, default user
 * @throws RangeError for values out of range
 */
export function buildCause(value: number, location: number = CAUSE_LOCATION_USER): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 127) throw new RangeError(`cause value ${value} outside 0…127`);
  if (!Number.isInteger(location) || location < 0 || location > 15) throw new RangeError(`location ${location}`);
  return Buffer.from([0x80 | location, 0x80 | value]);
}
