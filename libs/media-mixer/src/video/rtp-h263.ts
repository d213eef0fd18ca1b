/**
 * RTP payload format for H.263-1998 and H.263-2000 (RFC 4629, "H263-1998"/"H263-2000"): the
 * 2-octet payload header, a depacketizer to whole pictures and a packetizer that starts packets
 * at picture, GOB and slice start codes.
 *
 *   Payload header (§5.1):
 *    0                   1
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   RR    |P|V|   PLEN    |PEBIT|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   P = 1: the payload starts with a picture/GOB/slice/EOS start code whose first two (zero) octets
 *          are not sent. V = 1: one VRC octet follows. PLEN > 0: an extra copy of the picture
 *          header (PLEN octets, PEBIT unused bits at its end) follows; the depacketizer skips it.
 */
import { CodecError, InvalidArgumentError } from '../errors';
import { FrameAssembler, PayloadAssembler } from './frame-assembler';
import { findH263StartCodes, isPictureStartCode, parseH263PictureHeader } from './h263-picture-header';
import { DEFAULT_MAX_PAYLOAD_OCTETS, RtpPayloadChunk } from './video-frame';

/** Fields of the RFC 4629 payload header. */
export interface H263PayloadHeader {
  /** P: picture/GOB/slice start; the two zero octets of the start code are implied. */
  readonly startCode: boolean;
  /** VRC octet (video redundancy coding, §5.2), when V = 1. */
  readonly vrc?: number;
  /** Extra picture header octets (PLEN of them), when present. */
  readonly extraPictureHeader?: Buffer;
  /** PEBIT: unused bits at the end of the extra picture header. */
  readonly extraPictureHeaderEndBits: number;
}

const ZERO_START = Buffer.from([0, 0]);

/**
 * Parses the payload header and returns the bitstream octets the packet carries (with the two
 * zero octets restored when P = 1).
 * @throws CodecError when the payload ends inside the header or carries no bitstream octets.
 */
export function parseH263PayloadHeader(payload: Buffer): { header: H263PayloadHeader; data: Buffer } {
  if (payload.length < 2) throw new CodecError(`H.263 payload of ${payload.length} octets`);
  const startCode = (payload[0] & 0x04) !== 0;
  const v = (payload[0] & 0x02) !== 0;
  const plen = ((payload[0] & 0x01) << 5) | (payload[1] >> 3);
  const pebit = payload[1] & 0x07;
  let offset = 2;
  let vrc: number | undefined;
  if (v) {
    if (offset + 1 > payload.length) throw new CodecError('H.263 payload truncated in VRC');
    vrc = payload[offset++];
  }
  let extraPictureHeader: Buffer | undefined;
  if (plen > 0) {
    if (offset + plen > payload.length) throw new CodecError(`H.263 extra picture header of ${plen} octets overruns the payload`);
    extraPictureHeader = payload.subarray(offset, offset + plen);
    offset += plen;
  }
  if (offset >= payload.length) throw new CodecError('H.263 payload without bitstream octets');
  const body = payload.subarray(offset);
  return {
    header: { startCode, vrc, extraPictureHeader, extraPictureHeaderEndBits: pebit },
    data: startCode ? Buffer.concat([ZERO_START, body]) : body,
  };
}

/** Serializes a payload header (RR = 0). @throws InvalidArgumentError for PLEN > 63 or PEBIT > 7. */
export function serializeH263PayloadHeader(header: H263PayloadHeader): Buffer {
  const plen = header.extraPictureHeader?.length ?? 0;
  if (plen > 63) throw new InvalidArgumentError(`H.263 PLEN ${plen} above 63`);
  if (!Number.isInteger(header.extraPictureHeaderEndBits) || header.extraPictureHeaderEndBits < 0 || header.extraPictureHeaderEndBits > 7) {
    throw new InvalidArgumentError(`H.263 PEBIT ${header.extraPictureHeaderEndBits}`);
  }
  const v = header.vrc !== undefined;
  const fixed = Buffer.from([
    (header.startCode ? 0x04 : 0) | (v ? 0x02 : 0) | (plen >> 5),
    ((plen & 0x1f) << 3) | header.extraPictureHeaderEndBits,
  ]);
  return Buffer.concat([fixed, v ? Buffer.of(header.vrc as number) : Buffer.alloc(0), header.extraPictureHeader ?? Buffer.alloc(0)]);
}

interface H263Unit {
  readonly startCode: boolean;
  readonly data: Buffer;
}

class H263PayloadFormat implements PayloadAssembler<H263Unit> {
  parse(payload: Buffer): H263Unit {
    const { header, data } = parseH263PayloadHeader(payload);
    return { startCode: header.startCode, data };
  }

  startsPicture(unit: H263Unit): boolean {
    return unit.startCode && isPictureStartCode(unit.data);
  }

  assemble(units: readonly H263Unit[]): { data: Buffer; keyframe: boolean } | undefined {
    if (!this.startsPicture(units[0])) return undefined;
    const data = Buffer.concat(units.map((u) => u.data));
    try {
      return { data, keyframe: parseH263PictureHeader(data).intra };
    } catch (err) {
      if (err instanceof CodecError) return undefined;
      throw err;
    }
  }
}

/**
 * Turns RTP packets of one H.263-1998/2000 stream into pictures (the bitstream `ffmpeg -f h263`
 * reads). A picture starts with a packet whose P bit is set and whose data begins with a PSC, and
 * ends at the marker bit or a timestamp change (RFC 4629 §5.1); loss drops it and waits for an
 * INTRA picture.
 */
export class H263Depacketizer extends FrameAssembler<H263Unit> {
  constructor() {
    super(new H263PayloadFormat());
  }
}

/** Options of the H.263 packetizers. */
export interface H263PacketizerOptions {
  /** Largest RTP payload in octets, header included; default 1200. */
  maxPayloadSize?: number;
}

/**
 * Splits H.263 pictures into RTP payloads (RFC 4629 §6): each packet starts at a start code when
 * one is available (P = 1, its two zero octets dropped) and carries as many whole GOBs/slices as
 * fit; a GOB larger than a packet continues in follow-on packets (P = 0). The last packet of the
 * picture has the marker bit.
 */
export class H263Packetizer {
  private readonly maxPayloadSize: number;

  /** @throws InvalidArgumentError for a payload limit below 16 octets. */
  constructor(options: H263PacketizerOptions = {}) {
    this.maxPayloadSize = checkedLimit(options.maxPayloadSize);
  }

  /**
   * Packetizes one picture (its bitstream from the PSC up to the next picture).
   * @throws InvalidArgumentError for an empty picture.
   */
  packetize(picture: Buffer): RtpPayloadChunk[] {
    if (picture.length === 0) throw new InvalidArgumentError('empty H.263 picture');
    const room = this.maxPayloadSize - 2;
    const payloads: Buffer[] = [];
    for (const piece of packSegments(picture, room, 2)) {
      const startCode = piece.startsWithStartCode;
      const header = serializeH263PayloadHeader({ startCode, extraPictureHeaderEndBits: 0 });
      payloads.push(Buffer.concat([header, startCode ? piece.data.subarray(2) : piece.data]));
    }
    return payloads.map((payload, i) => ({ payload, marker: i === payloads.length - 1 }));
  }
}

/** A run of bitstream octets that goes into one packet. */
export interface H263Piece {
  readonly data: Buffer;
  readonly startsWithStartCode: boolean;
}

/**
 * Cuts a picture into pieces of at most `room` octets (after `saved` octets are dropped from pieces
 * that begin with a start code): whole segments between start codes are packed together; a
 * segment that does not fit alone is cut at octet boundaries.
 */
export function packSegments(picture: Buffer, room: number, saved: number): H263Piece[] {
  const starts = findH263StartCodes(picture);
  if (starts[0] !== 0) starts.unshift(0);
  const bounds = [...starts, picture.length];
  const pieces: H263Piece[] = [];
  let pieceStart = bounds[0];
  let pieceEnd = bounds[0];
  const flush = (): void => {
    if (pieceEnd > pieceStart) {
      pieces.push({ data: picture.subarray(pieceStart, pieceEnd), startsWithStartCode: isStartCodeAt(picture, pieceStart) });
    }
    pieceStart = pieceEnd;
  };
  for (let s = 0; s + 1 < bounds.length; s++) {
    const segStart = bounds[s];
    const segEnd = bounds[s + 1];
    const budget = (start: number): number => room + (isStartCodeAt(picture, start) ? saved : 0);
    if (segEnd - pieceStart <= budget(pieceStart)) {
      pieceEnd = segEnd;
      continue;
    }
    flush();
    pieceStart = segStart;
    pieceEnd = segStart;
    while (segEnd - pieceStart > budget(pieceStart)) {
      pieceEnd = pieceStart + budget(pieceStart);
      flush();
    }
    pieceEnd = segEnd;
  }
  flush();
  return pieces;
}

function isStartCodeAt(data: Buffer, offset: number): boolean {
  return offset + 2 < data.length && data[offset] === 0 && data[offset + 1] === 0 && data[offset + 2] >= 0x80;
}

/** Validates a payload limit shared by the H.263 packetizers. */
export function checkedLimit(limit: number | undefined): number {
  const value = limit ?? DEFAULT_MAX_PAYLOAD_OCTETS;
  if (!Number.isInteger(value) || value < 16) throw new InvalidArgumentError(`RTP payload limit of ${value} octets`);
  return value;
}
