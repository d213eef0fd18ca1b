/**
 * H.264 NAL units (ITU-T H.264 §7.3.1) and the Annex B byte stream format that carries them in
 * files and pipes (§B.1: each NAL unit preceded by the start code prefix 0x000001, optionally with
 * a leading zero octet).
 *
 *   NAL unit header (RFC 6184 §1.3):
 *   +---------------+
 *   |0|1|2|3|4|5|6|7|
 *   +-+-+-+-+-+-+-+-+
 *   |F|NRI|  Type   |
 *   +---------------+
 */

/** nal_unit_type values the MCU handles (H.264 Table 7-1). */
export const NalUnitType = {
  /** Coded slice of a non-IDR picture. */
  Slice: 1,
  /** Coded slice of an IDR picture: decoding can start here (with SPS and PPS). */
  Idr: 5,
  /** Supplemental enhancement information. */
  Sei: 6,
  /** Sequence parameter set. */
  Sps: 7,
  /** Picture parameter set. */
  Pps: 8,
  /** Access unit delimiter. */
  Aud: 9,
  /** End of sequence. */
  EndOfSequence: 10,
  /** End of stream. */
  EndOfStream: 11,
  /** Filler data. */
  Filler: 12,
} as const;

/** The Annex B start code written before each NAL unit (the 4-octet form, §B.1.2 zero_byte + prefix). */
export const ANNEX_B_START_CODE: Buffer = Buffer.from([0, 0, 0, 1]);

/**
 * An access unit delimiter NAL unit in Annex B form (§7.3.2.4, primary_pic_type 7: any slice
 * type). Written after each access unit on a decoder's pipe, it lets ffmpeg's H.264 parser close
 * the picture at once instead of waiting for the next one.
 */
export const ANNEX_B_ACCESS_UNIT_DELIMITER: Buffer = Buffer.from([0, 0, 0, 1, 0x09, 0xf0]);

/**
 * An access unit prepared for a decoder's pipe: its own delimiters removed (so two never follow
 * each other, which decoders report as an empty picture) and one delimiter appended.
 */
export function withTrailingDelimiter(accessUnit: Buffer): Buffer {
  const units = splitAnnexB(accessUnit).filter((n) => nalUnitType(n) !== NalUnitType.Aud);
  return Buffer.concat([joinAnnexB(units), ANNEX_B_ACCESS_UNIT_DELIMITER]);
}

/** nal_unit_type (low 5 bits of the first octet); undefined for an empty buffer. */
export function nalUnitType(nal: Buffer): number | undefined {
  return nal.length === 0 ? undefined : nal[0] & 0x1f;
}

/** Types 1..5 carry coded slices (VCL NAL units, H.264 §7.4.1.2.2). */
export function isVclType(type: number): boolean {
  return type >= 1 && type <= 5;
}

/**
 * True when a slice NAL unit (types 1 and 5) starts a picture: its first_mb_in_slice, the first
 * ue(v) after the header (§7.3.3), is 0, which Exp-Golomb codes as a single 1 bit (§9.1).
 * `sliceData` is the octets after the NAL unit header.
 */
export function sliceStartsPicture(sliceData: Buffer): boolean {
  return sliceData.length > 0 && (sliceData[0] & 0x80) !== 0;
}

/**
 * Splits an Annex B byte stream into NAL units (without start codes).
 *
 * Bytes before the first start code are ignored; the zero octets that precede each start code
 * (zero_byte and trailing_zero_8bits, §B.1.1) are removed from the end of the NAL unit before it.
 * Empty NAL units (two start codes in a row) are skipped.
 */
export function splitAnnexB(stream: Buffer): Buffer[] {
  const units: Buffer[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < stream.length) {
    if (stream[i + 2] > 1) {
      i += 3;
      continue;
    }
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      if (start >= 0) pushTrimmed(units, stream, start, i);
      i += 3;
      start = i;
      continue;
    }
    i++;
  }
  if (start >= 0) pushTrimmed(units, stream, start, stream.length);
  return units;
}

/** Concatenates NAL units into an Annex B byte stream with 4-octet start codes. */
export function joinAnnexB(units: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const unit of units) parts.push(ANNEX_B_START_CODE, unit);
  return Buffer.concat(parts);
}

function pushTrimmed(units: Buffer[], stream: Buffer, start: number, end: number): void {
  let stop = end;
  while (stop > start && stream[stop - 1] === 0) stop--;
  if (stop > start) units.push(stream.subarray(start, stop));
}
