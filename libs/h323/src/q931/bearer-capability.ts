import { Q931Cause, Q931Error } from './q931-error';

/**
 * Bearer capability information element (Q.931 §4.5.5), the part the H.225.0 Setup (§7.3.10) uses.
 *
 * ```
 * octet 3   ext=1 | coding standard (2) | information transfer capability (5)
 * octet 4   ext | transfer mode (2) | information transfer rate (5)
 * octet 4.1 ext=1 | rate multiplier (7)                 (rate = multirate 0x18 only)
 * octet 5   ext | layer 1 id = 01 | user information layer 1 protocol (5)   (optional)
 * octet 5a… further layer 1 octets, kept verbatim
 * ```
 */
export interface BearerCapability {
  readonly codingStandard: number;
  /** 0x00 speech, 0x08 unrestricted digital, 0x10 3.1 kHz audio, 0x11 unrestricted digital with tones. */
  readonly transferCapability: number;
  readonly transferMode: number;
  /** 0x10 64 kbit/s, 0x18 multirate (with `rateMultiplier`). */
  readonly transferRate: number;
  readonly rateMultiplier?: number;
  /** 2 G.711 µ-law, 3 G.711 A-law, 5 H.221/H.242. */
  readonly layer1Protocol?: number;
  /** Octets after octet 5, verbatim. */
  readonly rest: Buffer;
}

/** Information transfer capability values (Q.931 Table 4-6). */
export const TransferCapability = { Speech: 0x00, UnrestrictedDigital: 0x08, Audio3k1: 0x10 } as const;

const RATE_MULTIRATE = 0x18;

/**
 * Parses Bearer capability contents.
 * @throws Q931Error (cause 100) when octets 3–4 (or the announced rate multiplier) are missing
 */
export function parseBearerCapability(contents: Buffer): BearerCapability {
  if (contents.length < 2) throw new Q931Error('Bearer capability shorter than 2 octets', 0, Q931Cause.InvalidIeContents);
  const transferRate = contents[1] & 0x1f;
  let offset = 2;
  let rateMultiplier: number | undefined;
  if (transferRate === RATE_MULTIRATE) {
    if (contents.length < 3) throw new Q931Error('rate multiplier missing', 2, Q931Cause.InvalidIeContents);
    rateMultiplier = contents[2] & 0x7f;
    offset = 3;
  }
  let layer1Protocol: number | undefined;
  if (offset < contents.length && ((contents[offset] >> 5) & 0x03) === 1) {
    layer1Protocol = contents[offset] & 0x1f;
    offset += 1;
  }
  return {
    codingStandard: (contents[0] >> 5) & 0x03,
    transferCapability: contents[0] & 0x1f,
    transferMode: (contents[1] >> 5) & 0x03,
    transferRate,
    ...(rateMultiplier === undefined ? {} : { rateMultiplier }),
    ...(layer1Protocol === undefined ? {} : { layer1Protocol }),
    rest: Buffer.from(contents.subarray(offset)),
  };
}

/**
 * Serializes a Bearer capability. The default is what H.323 terminals send for a video call:
 * unrestricted digital, multirate 64 kbit/s × 12 (768 kbit/s), layer 1 H.221/H.242 (`88 18 8c a5`).
 */
export function buildBearerCapability(
  value: Omit<BearerCapability, 'rest' | 'codingStandard' | 'transferMode'> = {
    transferCapability: TransferCapability.UnrestrictedDigital,
    transferRate: RATE_MULTIRATE,
    rateMultiplier: 12,
    layer1Protocol: 5,
  },
): Buffer {
  const octets = [0x80 | (value.transferCapability & 0x1f), value.transferRate & 0x1f];
  if (value.transferRate === RATE_MULTIRATE) octets.push(0x80 | ((value.rateMultiplier ?? 1) & 0x7f));
  else octets[1] |= 0x80;
  if (value.layer1Protocol !== undefined) octets.push(0x80 | 0x20 | (value.layer1Protocol & 0x1f));
  return Buffer.from(octets);
}
