import type { H225Types } from '../asn1/generated';

/** AliasAddress.dialedDigits permitted alphabet and size (H.225.0 §7, AliasAddress: IA5String "0123456789#*,", 1..128). */
const DIALED_DIGITS = /^[0-9#*,]{1,128}$/;

/**
 * An E.164 alias (`dialedDigits`), e.g. a room number.
 * @throws RangeError when `digits` is not 1..128 characters of `0-9 # * ,`.
 */
export function dialedDigitsAlias(digits: string): H225Types.AliasAddress {
  if (!DIALED_DIGITS.test(digits)) throw new RangeError(`dialedDigits must be 1..128 of 0-9#*, — got ${JSON.stringify(digits)}`);
  return { tag: 'dialedDigits', value: digits };
}

/**
 * An H323-ID alias (BMPString, 1..256 UTF-16 code units), e.g. a room id.
 * @throws RangeError when `id` is empty, longer than 256 code units, or has characters outside the BMP.
 */
export function h323IdAlias(id: string): H225Types.AliasAddress {
  if (id.length < 1 || id.length > 256) throw new RangeError(`h323-ID must be 1..256 characters, got ${id.length}`);
  if (/[\uD800-\uDFFF]/.test(id)) throw new RangeError('h323-ID must hold BMP characters only (BMPString)');
  return { tag: 'h323-ID', value: id };
}

/** A stable text key of an alias, for comparing alias lists (`dialedDigits:123`, `h323-ID:room`). */
export function aliasKey(alias: H225Types.AliasAddress): string {
  return typeof alias.value === 'string' ? `${alias.tag}:${alias.value}` : `${alias.tag}:${JSON.stringify(alias.value, bufferAsHex)}`;
}

function bufferAsHex(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    return Buffer.from((value as { data: number[] }).data).toString('hex');
  }
  return value;
}
