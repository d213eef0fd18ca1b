/**
 * How ASN.1 values are represented in TypeScript by the PER codec:
 *
 * | ASN.1 | TypeScript |
 * |---|---|
 * | SEQUENCE, SET | plain object keyed by component name; absent OPTIONAL/DEFAULT components and absent extension additions are missing keys; members of extension addition groups `[[ ]]` are flattened into the object |
 * | CHOICE | `{ tag: 'alternativeName', value }` |
 * | SEQUENCE OF, SET OF | array |
 * | INTEGER | number (bigint when beyond ±2^53) |
 * | ENUMERATED | the item name as a string |
 * | BOOLEAN | boolean |
 * | NULL | null |
 * | BIT STRING | {@link BitStringValue} |
 * | OCTET STRING | Buffer |
 * | OBJECT IDENTIFIER | dotted string, e.g. `"0.0.8.2250.0.7"` |
 * | character strings | string (BMPString: UTF-16 code units; GeneralString: one char per octet, Latin-1) |
 * | open type (`TYPE-IDENTIFIER.&Type`) | Buffer holding the contained encoding |
 *
 * DEFAULT components are encoded when their key is present and omitted otherwise; the decoder does not fill in
 * default values, so a decoded value re-encodes as received. Extension additions (also those the ASN.1 marks
 * mandatory) are optional in values, since older peers omit them; an extension addition group is encoded when
 * any of its members is present, and then its mandatory members must be.
 *
 * Extensions a newer peer sends and this schema does not know are kept so that re-encoding reproduces the
 * input: unknown SEQUENCE extension additions in `$unknownExtensions`, unknown CHOICE alternatives as
 * {@link UnknownAlternative}, unknown ENUMERATED additions as `'$unknown-<index>'`. Keys starting with `$` can
 * never clash with ASN.1 identifiers.
 */

/** BIT STRING value: `length` bits, most significant bit of `bits[0]` first; unused trailing bits are zero. */
export interface BitStringValue {
  readonly bits: Buffer;
  readonly length: number;
}

/** An extension addition the schema does not know: its position in the extension bitmap and its encoding. */
export interface UnknownExtension {
  /** Zero-based position in the extension-addition bitmap (X.691 §18.7). */
  readonly index: number;
  /** The open type contents (the addition's complete encoding), without the length determinant. */
  readonly encoding: Buffer;
}

/** Members a decoded extensible SEQUENCE/SET may carry besides its components. */
export interface ExtensionMembers {
  /** Extension additions beyond those the schema knows, in bitmap order. */
  $unknownExtensions?: UnknownExtension[];
  /**
   * Length of the received extension bitmap, present only when it was longer than needed (trailing zero bits),
   * so that re-encoding reproduces it.
   */
  $extensionBitmapLength?: number;
}

/** A CHOICE alternative beyond the schema's extension additions (X.691 §22.8). */
export interface UnknownAlternative {
  readonly tag: '$unknown';
  /** Index of the alternative among the extension additions (the normally small number on the wire). */
  readonly index: number;
  /** The open type contents: the alternative's complete encoding. */
  readonly value: Buffer;
}

/** Tag used for {@link UnknownAlternative}. */
export const UNKNOWN_ALTERNATIVE = '$unknown';

/** Prefix of ENUMERATED values beyond the schema's extension additions (`$unknown-<addition index>`). */
export const UNKNOWN_ENUMERATION_PREFIX = '$unknown-';

/** Value of an ENUMERATED extension addition this schema does not know. */
export type UnknownEnumeration = `$unknown-${number}`;
