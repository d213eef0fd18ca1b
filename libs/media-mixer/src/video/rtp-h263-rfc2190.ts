/**
 * RTP payload format for ITU-T H.263 (1996) as RFC 2190 defines it (payload type 34, "H263"),
 * still spoken by H.323 endpoints and older SIP phones. The depacketizer reads modes A, B and C
 * (it needs only the header length and SBIT/EBIT to rebuild the bitstream); the packetizer writes
 * mode A, whose packets start at picture or GOB boundaries.
 *
 *   Mode A (F = 0), 4 octets (§5.1):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |F|P|SBIT |EBIT | SRC |I|U|S|A|R      |DBQ| TRB |    TR         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Mode B (F = 1, P = 0), 8 octets (§5.2):
 *   |F|P|SBIT |EBIT | SRC | QUANT   |  GOBN   |   MBA           |R  |
 *   |I|U|S|A| HMV1        | VMV1        | HMV2        | VMV2        |
 *   Mode C (F = 1, P = 1), 12 octets (§5.3): mode B's two words and
 *   | RR                                  |DBQ| TRB |    TR         |
 *
 *   SBIT/EBIT: bits to ignore in the first/last payload octet; consecutive packets of a picture
 *   share the octet where one packet's EBIT and the next one's SBIT add up to 8.
 */
import { CodecError, InvalidArgumentError } from '../errors';
import { FrameAssembler, PayloadAssembler } from './frame-assembler';
import { isPictureStartCode, parseH263PictureHeader } from './h263-picture-header';
import { checkedLimit, H263PacketizerOptions, packSegments } from './rtp-h263';
import type { RtpPayloadChunk } from './video-frame';

/** Which RFC 2190 header a packet carries. */
export type Rfc2190Mode = 'A' | 'B' | 'C';

/** The fields of an RFC 2190 header the MCU uses. */
export interface Rfc2190Header {
  readonly mode: Rfc2190Mode;
  /** SBIT: most significant bits of the first data octet to ignore (0..7). */
  readonly startBits: number;
  /** EBIT: least significant bits of the last data octet to ignore (0..7). */
  readonly endBits: number;
  /** SRC: the source format of the picture (PTYPE bits 6-8). */
  readonly sourceFormat: number;
  /** I: the picture is INTRA (I = 0). */
  readonly intra: boolean;
  /** Mode A's P bit: PB-frames. */
  readonly pbFrames: boolean;
}

const HEADER_OCTETS: Readonly<Record<Rfc2190Mode, number>> = { A: 4, B: 8, C: 12 };

/**
 * Parses the RFC 2190 header and returns the data octets after it.
 * @throws CodecError when the payload ends inside the header or carries no data.
 */
export function parseRfc2190Header(payload: Buffer): { header: Rfc2190Header; data: Buffer } {
  if (payload.length < 1) throw new CodecError('empty RFC 2190 payload');
  const f = (payload[0] & 0x80) !== 0;
  const p = (payload[0] & 0x40) !== 0;
  const mode: Rfc2190Mode = !f ? 'A' : p ? 'C' : 'B';
  const length = HEADER_OCTETS[mode];
  if (payload.length <= length) throw new CodecError(`RFC 2190 mode ${mode} payload of ${payload.length} octets`);
  const sourceFormat = payload[1] >> 5;
  // I sits in the second octet in mode A, at the start of the second word in modes B and C.
  const intra = mode === 'A' ? (payload[1] & 0x10) === 0 : (payload[4] & 0x80) === 0;
  return {
    header: { mode, startBits: (payload[0] >> 3) & 0x07, endBits: payload[0] & 0x07, sourceFormat, intra, pbFrames: mode === 'A' && p },
    data: payload.subarray(length),
  };
}

/** The mode A header for a packet of a picture (R, DBQ, TRB and TR zero: no PB-frames). */
export interface Rfc2190ModeAFields {
  readonly startBits: number;
  readonly endBits: number;
  readonly sourceFormat: number;
  readonly intra: boolean;
  readonly unrestrictedMotionVector: boolean;
  readonly syntaxBasedArithmeticCoding: boolean;
  readonly advancedPrediction: boolean;
}

/** Serializes a mode A header. @throws InvalidArgumentError for fields out of range. */
export function serializeRfc2190ModeA(fields: Rfc2190ModeAFields): Buffer {
  for (const [name, value] of [
    ['SBIT', fields.startBits],
    ['EBIT', fields.endBits],
    ['SRC', fields.sourceFormat],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 7) throw new InvalidArgumentError(`RFC 2190 ${name} ${value}`);
  }
  return Buffer.from([
    (fields.startBits << 3) | fields.endBits,
    (fields.sourceFormat << 5) |
      (fields.intra ? 0 : 0x10) |
      (fields.unrestrictedMotionVector ? 0x08 : 0) |
      (fields.syntaxBasedArithmeticCoding ? 0x04 : 0) |
      (fields.advancedPrediction ? 0x02 : 0),
    0,
    0,
  ]);
}

interface Rfc2190Unit {
  readonly startBits: number;
  readonly endBits: number;
  readonly data: Buffer;
}

class Rfc2190PayloadFormat implements PayloadAssembler<Rfc2190Unit> {
  parse(payload: Buffer): Rfc2190Unit {
    const { header, data } = parseRfc2190Header(payload);
    return { startBits: header.startBits, endBits: header.endBits, data };
  }

  startsPicture(unit: Rfc2190Unit): boolean {
    return unit.startBits === 0 && isPictureStartCode(unit.data);
  }

  assemble(units: readonly Rfc2190Unit[]): { data: Buffer; keyframe: boolean } | undefined {
    if (!this.startsPicture(units[0])) return undefined;
    const out = Buffer.allocUnsafe(units.reduce((n, u) => n + u.data.length, 0));
    let length = 0;
    let pendingEndBits = 0;
    for (const unit of units) {
      let data = unit.data;
      if (pendingEndBits !== 0 || unit.startBits !== 0) {
        // The previous packet's last octet and this one's first are halves of one octet.
        if (pendingEndBits + unit.startBits !== 8 || length === 0) return undefined;
        const keepHigh = (0xff << pendingEndBits) & 0xff;
        out[length - 1] = (out[length - 1] & keepHigh) | (data[0] & (0xff >> unit.startBits));
        data = data.subarray(1);
      }
      data.copy(out, length);
      length += data.length;
      pendingEndBits = unit.endBits;
    }
    const bitstream = out.subarray(0, length);
    try {
      return { data: bitstream, keyframe: parseH263PictureHeader(bitstream).intra };
    } catch (err) {
      if (err instanceof CodecError) return undefined;
      throw err;
    }
  }
}

/**
 * Turns RTP packets of one RFC 2190 stream into H.263 pictures; packets of modes A, B and C may be
 * mixed. A picture starts with a byte-aligned PSC and ends at the marker bit or a timestamp
 * change; SBIT/EBIT octets shared between packets are merged. Loss drops the picture and waits
 * for an INTRA picture.
 */
export class Rfc2190Depacketizer extends FrameAssembler<Rfc2190Unit> {
  constructor() {
    super(new Rfc2190PayloadFormat());
  }
}

/**
 * Splits baseline H.263 pictures into mode A packets (RFC 2190 §5.1): packets start at the PSC or
 * at byte-aligned GOB start codes and carry whole GOBs; SRC, I, U, S, A come from the picture
 * header. A GOB larger than a packet is cut at octet boundaries (strictly that needs mode B, which
 * requires macroblock-level parsing; receivers treat such a packet as the rest of the GOB). The
 * last packet has the marker bit.
 */
export class Rfc2190Packetizer {
  private readonly maxPayloadSize: number;

  /** @throws InvalidArgumentError for a payload limit below 16 octets. */
  constructor(options: H263PacketizerOptions = {}) {
    this.maxPayloadSize = checkedLimit(options.maxPayloadSize);
  }

  /**
   * Packetizes one picture.
   * @throws CodecError when the picture has no valid baseline picture header (PLUSPTYPE pictures
   *   belong in RFC 4629).
   */
  packetize(picture: Buffer): RtpPayloadChunk[] {
    const ph = parseH263PictureHeader(picture);
    if (ph.plusPtype) throw new CodecError('RFC 2190 carries H.263 without PLUSPTYPE; use RFC 4629');
    const header = serializeRfc2190ModeA({
      startBits: 0,
      endBits: 0,
      sourceFormat: ph.sourceFormat,
      intra: ph.intra,
      unrestrictedMotionVector: ph.unrestrictedMotionVector,
      syntaxBasedArithmeticCoding: ph.syntaxBasedArithmeticCoding,
      advancedPrediction: ph.advancedPrediction,
    });
    const pieces = packSegments(picture, this.maxPayloadSize - header.length, 0);
    return pieces.map((piece, i) => ({ payload: Buffer.concat([header, piece.data]), marker: i === pieces.length - 1 }));
  }
}
