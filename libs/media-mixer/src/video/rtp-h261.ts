/**
 * RTP payload format for ITU-T H.261 (RFC 4587, payload type 31, "H261"), spoken by older H.323
 * endpoints and some SIP room systems.
 *
 *   Payload header (§4.1), 4 octets before the bitstream:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |SBIT |EBIT |I|V| GOBN  |   MBAP  |  QUANT  |  HMVD   |  VMVD   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   SBIT/EBIT: bits to ignore in the first/last payload octet (H.261 start codes are not
 *   octet-aligned, so consecutive packets share an octet and their EBIT and SBIT add up to 8).
 *   I: the whole stream is INTRA-coded; V: the stream may use motion vectors (both fixed for the
 *   session). GOBN, MBAP, QUANT, HMVD, VMVD: the decoder state at the start of a packet that does
 *   not begin with a GOB start code (all zero when it does).
 *
 * H.261 bitstream landmarks used here (H.261 §4.2): a GOB start code (GBSC) is 15 zero bits and a
 * one; it is followed by the 4-bit group number GN, and GN = 0 makes it the picture start code
 * (PSC, 20 bits). The picture header has no picture coding type: an INTRA picture is recognised by
 * its macroblocks (see `isH261IntraPicture`).
 */
import { CodecError, InvalidArgumentError } from '../errors';
import { FrameAssembler, PayloadAssembler } from './frame-assembler';
import { checkedLimit } from './rtp-h263';
import type { RtpPayloadChunk } from './video-frame';

/** Length of the RFC 4587 payload header in octets. */
export const H261_HEADER_OCTETS = 4;

/** The fields of the RFC 4587 payload header (§4.1). */
export interface H261PayloadHeader {
  /** SBIT: most significant bits of the first data octet to ignore (0..7). */
  readonly startBits: number;
  /** EBIT: least significant bits of the last data octet to ignore (0..7). */
  readonly endBits: number;
  /** I: the stream contains only INTRA-coded blocks (fixed for the session). */
  readonly intraOnly: boolean;
  /** V: the stream may use motion vectors (fixed for the session). */
  readonly motionVectors: boolean;
  /** GOBN: GOB number in effect at the packet start (0..15; 0 when it starts with a GOB header). */
  readonly gobNumber: number;
  /** MBAP: macroblock address predictor minus one (0..31). */
  readonly mbaPredictor: number;
  /** QUANT: quantizer in effect at the packet start (0..31). */
  readonly quantizer: number;
  /** HMVD: horizontal motion vector data of the reference macroblock (-16..15). */
  readonly horizontalMvd: number;
  /** VMVD: vertical motion vector data of the reference macroblock (-16..15). */
  readonly verticalMvd: number;
}

/**
 * Parses the payload header and returns the bitstream octets after it.
 * @throws CodecError when the payload ends inside the header, carries no data, or SBIT and EBIT
 *   leave no bit of the data.
 */
export function parseH261PayloadHeader(payload: Buffer): { header: H261PayloadHeader; data: Buffer } {
  if (payload.length <= H261_HEADER_OCTETS) throw new CodecError(`H.261 payload of ${payload.length} octets`);
  const word = payload.readUInt32BE(0);
  const signed5 = (v: number): number => (v >= 16 ? v - 32 : v);
  const header: H261PayloadHeader = {
    startBits: word >>> 29,
    endBits: (word >>> 26) & 0x07,
    intraOnly: ((word >>> 25) & 1) === 1,
    motionVectors: ((word >>> 24) & 1) === 1,
    gobNumber: (word >>> 20) & 0x0f,
    mbaPredictor: (word >>> 15) & 0x1f,
    quantizer: (word >>> 10) & 0x1f,
    horizontalMvd: signed5((word >>> 5) & 0x1f),
    verticalMvd: signed5(word & 0x1f),
  };
  const data = payload.subarray(H261_HEADER_OCTETS);
  if (header.startBits + header.endBits >= data.length * 8) {
    throw new CodecError(`H.261 SBIT ${header.startBits} and EBIT ${header.endBits} leave no data in ${data.length} octets`);
  }
  return { header, data };
}

/** Serializes the payload header. @throws InvalidArgumentError for a field out of its range. */
export function serializeH261PayloadHeader(header: H261PayloadHeader): Buffer {
  const ranges: [string, number, number, number][] = [
    ['SBIT', header.startBits, 0, 7],
    ['EBIT', header.endBits, 0, 7],
    ['GOBN', header.gobNumber, 0, 15],
    ['MBAP', header.mbaPredictor, 0, 31],
    ['QUANT', header.quantizer, 0, 31],
    ['HMVD', header.horizontalMvd, -16, 15],
    ['VMVD', header.verticalMvd, -16, 15],
  ];
  for (const [name, value, min, max] of ranges) {
    if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(`H.261 ${name} ${value}`);
  }
  const word =
    ((header.startBits << 29) |
      (header.endBits << 26) |
      (header.intraOnly ? 1 << 25 : 0) |
      (header.motionVectors ? 1 << 24 : 0) |
      (header.gobNumber << 20) |
      (header.mbaPredictor << 15) |
      (header.quantizer << 10) |
      ((header.horizontalMvd & 0x1f) << 5) |
      (header.verticalMvd & 0x1f)) >>>
    0;
  const out = Buffer.alloc(H261_HEADER_OCTETS);
  out.writeUInt32BE(word, 0);
  return out;
}

/** A GOB or picture start code found in a bitstream. */
export interface H261StartCode {
  /** Position of the first (zero) bit of the start code, in bits from the start of the buffer. */
  readonly bit: number;
  /** GN after the start code: 0 for a picture start code, 1..12 for a GOB; -1 when truncated. */
  readonly groupNumber: number;
}

/**
 * Finds every start code (15 zero bits and a one, H.261 §4.2.1.1/§4.2.2.1) at any bit position in
 * `data[fromBit, toBit)`. Zero bits before a start code (stuffing) are not part of it.
 */
export function findH261StartCodes(data: Buffer, fromBit = 0, toBit = data.length * 8): H261StartCode[] {
  const found: H261StartCode[] = [];
  let zeros = 0;
  let bit = fromBit;
  while (bit < toBit) {
    if ((bit & 7) === 0 && bit + 8 <= toBit) {
      // Whole octet at once.
      const octet = data[bit >> 3];
      if (octet === 0) {
        zeros += 8;
        bit += 8;
        continue;
      }
      const leading = Math.clz32(octet) - 24;
      if (zeros + leading >= 15) found.push(startCodeAt(data, bit + leading - 15, toBit));
      zeros = 31 - Math.clz32(octet & -octet); // trailing zeros
      bit += 8;
      continue;
    }
    if (readBit(data, bit) === 0) zeros++;
    else {
      if (zeros >= 15) found.push(startCodeAt(data, bit - 15, toBit));
      zeros = 0;
    }
    bit++;
  }
  return found;
}

function startCodeAt(data: Buffer, bit: number, toBit: number): H261StartCode {
  const gnAt = bit + 16;
  return { bit, groupNumber: gnAt + 4 <= toBit ? readBits(data, gnAt, 4) : -1 };
}

/** The GOB numbers a complete picture has: QCIF 1, 3, 5; CIF 1..12 (H.261 §4.2.2.2). */
const QCIF_GROUPS = [1, 3, 5];
const CIF_GROUPS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** What the picture header says (H.261 §4.2.1). */
export interface H261PictureHeader {
  /** TR: temporal reference (0..31). */
  readonly temporalReference: number;
  /** PTYPE bit 4: CIF (352×288) when true, QCIF (176×144) when false. */
  readonly cif: boolean;
  /** PTYPE bit 3: freeze picture release. */
  readonly freezeRelease: boolean;
}

/**
 * Parses the picture header at bit `startBit` of `data`.
 * @throws CodecError when no PSC is there or the header is truncated.
 */
export function parseH261PictureHeader(data: Buffer, startBit = 0): H261PictureHeader {
  const end = data.length * 8;
  if (startBit + 32 > end) throw new CodecError('H.261 picture header truncated');
  if (readBits(data, startBit, 20) !== 0x00010) throw new CodecError('H.261 picture does not start with a PSC');
  const ptype = readBits(data, startBit + 25, 6);
  return { temporalReference: readBits(data, startBit + 20, 5), cif: (ptype & 0x04) !== 0, freezeRelease: (ptype & 0x08) !== 0 };
}

/**
 * Tells an INTRA picture (one that decodes without earlier pictures) from an inter one. H.261 has
 * no picture coding type, so the picture is INTRA when every GOB of its format (QCIF 3, CIF 12) is
 * present and its first coded macroblock is macroblock 1 with an INTRA MTYPE ("0001" or
 * "0000 001", H.261 Table 2): an INTRA picture codes every macroblock INTRA, so it always passes;
 * an inter picture passes only if it happens to code the first macroblock of every GOB INTRA.
 * @param picture the bitstream from the PSC (at bit 0) to the end of the picture.
 * @throws CodecError when the picture does not start with a PSC.
 */
export function isH261IntraPicture(picture: Buffer): boolean {
  const header = parseH261PictureHeader(picture);
  const end = picture.length * 8;
  const groups = new Set<number>();
  for (const code of findH261StartCodes(picture, 20)) {
    if (code.groupNumber <= 0) continue;
    if (!firstMacroblockIsIntra(picture, code.bit + 20, end)) return false;
    groups.add(code.groupNumber);
  }
  const expected = header.cif ? CIF_GROUPS : QCIF_GROUPS;
  return expected.every((g) => groups.has(g));
}

/** Reads GQUANT, GEI/GSPARE, MBA stuffing, MBA and MTYPE of the GOB whose GQUANT starts at `bit`. */
function firstMacroblockIsIntra(data: Buffer, bit: number, end: number): boolean {
  let at = bit + 5; // GQUANT
  for (let spare = 0; ; spare++) {
    if (at + 1 > end || spare > 64) return false;
    if (readBit(data, at++) === 0) break; // GEI
    at += 8; // GSPARE
  }
  // MBA stuffing "0000 0001 111" may precede the address (H.261 Table 1).
  for (let stuffing = 0; at + 11 <= end && readBits(data, at, 11) === 0x00f; stuffing++) {
    if (stuffing > 1024) return false;
    at += 11;
  }
  if (at + 1 > end || readBit(data, at++) !== 1) return false; // MBA "1": macroblock 1
  let zeros = 0;
  while (at < end && readBit(data, at) === 0 && zeros < 10) {
    zeros++;
    at++;
  }
  if (at >= end) return false;
  return zeros === 3 || zeros === 6;
}

function readBit(data: Buffer, bit: number): number {
  return (data[bit >> 3] >> (7 - (bit & 7))) & 1;
}

/** Up to 24 bits, big-endian, starting at `bit` (bits past the end read as zero). */
function readBits(data: Buffer, bit: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) value = (value << 1) | (bit + i < data.length * 8 ? readBit(data, bit + i) : 0);
  return value;
}

/** Appends bit ranges of buffers into one octet-aligned buffer, zero-padding the last octet. */
class BitWriter {
  private readonly out: Buffer;
  private bits = 0;

  constructor(capacityBits: number) {
    this.out = Buffer.alloc(Math.ceil(capacityBits / 8));
  }

  /** Appends `src` bits [from, to). */
  append(src: Buffer, from: number, to: number): void {
    let at = from;
    if ((at & 7) === 0 && (this.bits & 7) === 0) {
      const whole = (to - at) >> 3;
      src.copy(this.out, this.bits >> 3, at >> 3, (at >> 3) + whole);
      at += whole * 8;
      this.bits += whole * 8;
    }
    for (; at < to; at++) {
      if (readBit(src, at) === 1) this.out[this.bits >> 3] |= 0x80 >> (this.bits & 7);
      this.bits++;
    }
  }

  finish(): Buffer {
    return this.out.subarray(0, Math.ceil(this.bits / 8));
  }
}

/**
 * Splits a raw H.261 stream (as ffmpeg's `-f h261` writes it) into pictures, each re-aligned so
 * that its PSC is at bit 0 and its last octet is zero-padded (zero bits before a start code are
 * stuffing, so the pictures concatenated still decode). Bits before the first PSC are dropped.
 */
export function splitH261Pictures(stream: Buffer): Buffer[] {
  const starts = findH261StartCodes(stream)
    .filter((c) => c.groupNumber === 0)
    .map((c) => c.bit);
  return starts.map((from, i) => {
    const to = starts[i + 1] ?? stream.length * 8;
    if ((from & 7) === 0 && (to & 7) === 0) return stream.subarray(from >> 3, to >> 3);
    const writer = new BitWriter(to - from);
    writer.append(stream, from, to);
    return writer.finish();
  });
}

interface H261Unit {
  readonly header: H261PayloadHeader;
  readonly data: Buffer;
}

class H261PayloadFormat implements PayloadAssembler<H261Unit> {
  parse(payload: Buffer): H261Unit {
    return parseH261PayloadHeader(payload);
  }

  startsPicture(unit: H261Unit): boolean {
    const from = unit.header.startBits;
    return unit.data.length * 8 - unit.header.endBits - from >= 20 && readBits(unit.data, from, 20) === 0x00010;
  }

  assemble(units: readonly H261Unit[]): { data: Buffer; keyframe: boolean } | undefined {
    if (!this.startsPicture(units[0])) return undefined;
    const writer = new BitWriter(units.reduce((n, u) => n + u.data.length * 8, 0));
    let previousEndBits = 0;
    for (const { header, data } of units) {
      // The octet the two packets share is split between them: its bits are counted once.
      if ((previousEndBits + header.startBits) % 8 !== 0) return undefined;
      writer.append(data, header.startBits, data.length * 8 - header.endBits);
      previousEndBits = header.endBits;
    }
    const picture = writer.finish();
    const keyframe = units[0].header.intraOnly || isH261IntraPicture(picture);
    return { data: picture, keyframe };
  }
}

/**
 * Turns RTP packets of one RFC 4587 stream into H.261 pictures, each starting with its PSC at bit 0
 * and zero-padded to an octet (ready for ffmpeg's `-f h261` input). A picture ends at the marker
 * bit (§4.1) or a timestamp change; octets shared by consecutive packets are merged by SBIT/EBIT.
 * Key frames: every picture when the sender sets I (an INTRA-only stream), otherwise the pictures
 * `isH261IntraPicture` recognises. Loss drops the picture and waits for an INTRA picture
 * (`needsKeyframe`, so the caller sends FIR/PLI or H.245 videoFastUpdatePicture).
 */
export class H261Depacketizer extends FrameAssembler<H261Unit> {
  constructor() {
    super(new H261PayloadFormat());
  }
}

/** Options of `H261Packetizer`. */
export interface H261PacketizerOptions {
  /** Largest RTP payload in octets, the 4-octet header included; default 1200, at least 16. */
  maxPayloadSize?: number;
  /** The I bit: the encoder codes only INTRA pictures. Default false. */
  intraOnly?: boolean;
  /** The V bit: the encoder may use motion vectors. Default true (ffmpeg's h261 encoder does). */
  motionVectors?: boolean;
}

/**
 * Splits H.261 pictures into RFC 4587 packets (§4.1): packets start at the PSC or at a GOB start
 * code and carry as many whole GOBs as fit (GOBN, MBAP, QUANT, HMVD, VMVD zero). A GOB larger than
 * a packet is cut at octet boundaries; such a follow-on packet carries GOBN and QUANT (the GOB's
 * GQUANT) but MBAP/HMVD/VMVD zero, because cutting at macroblock boundaries would need a full
 * macroblock-layer parse: receivers that merge packets by SBIT/EBIT (as `H261Depacketizer` and
 * ffmpeg do) rebuild the picture, and one that lost the packet before it drops the rest of the
 * GOB. The last packet of a picture has the marker bit.
 */
export class H261Packetizer {
  private readonly maxPayloadSize: number;
  private readonly intraOnly: boolean;
  private readonly motionVectors: boolean;

  /** @throws InvalidArgumentError for a payload limit below 16 octets. */
  constructor(options: H261PacketizerOptions = {}) {
    this.maxPayloadSize = checkedLimit(options.maxPayloadSize);
    this.intraOnly = options.intraOnly ?? false;
    this.motionVectors = options.motionVectors ?? true;
  }

  /**
   * Packetizes one picture: its bitstream from the PSC (at bit 0) up to the next picture, as
   * `splitH261Pictures` returns it.
   * @throws CodecError when the picture does not start with a PSC.
   */
  packetize(picture: Buffer): RtpPayloadChunk[] {
    parseH261PictureHeader(picture);
    const total = picture.length * 8;
    const gobs = findH261StartCodes(picture, 16).filter((c) => c.groupNumber > 0);
    const bounds = [0, ...gobs.map((c) => c.bit), total];
    const room = this.maxPayloadSize - H261_HEADER_OCTETS;
    const octets = (from: number, to: number): number => Math.ceil(to / 8) - Math.floor(from / 8);
    const payloads: Buffer[] = [];
    let from = 0;
    let next = 1; // index into bounds of the first boundary after `from`
    while (from < total) {
      let to = from;
      while (next < bounds.length && octets(from, bounds[next]) <= room) to = bounds[next++];
      if (to === from) to = (Math.floor(from / 8) + room) * 8; // one GOB larger than a packet
      payloads.push(Buffer.concat([this.headerAt(picture, gobs, from, to), picture.subarray(Math.floor(from / 8), Math.ceil(to / 8))]));
      from = to;
    }
    return payloads.map((payload, i) => ({ payload, marker: i === payloads.length - 1 }));
  }

  private headerAt(picture: Buffer, gobs: readonly H261StartCode[], from: number, to: number): Buffer {
    const atBoundary = from === 0 || gobs.some((g) => g.bit === from);
    const current = atBoundary ? undefined : [...gobs].reverse().find((g) => g.bit < from);
    return serializeH261PayloadHeader({
      startBits: from & 7,
      endBits: (8 - (to & 7)) & 7,
      intraOnly: this.intraOnly,
      motionVectors: this.motionVectors,
      gobNumber: current ? current.groupNumber : 0,
      mbaPredictor: 0,
      quantizer: current ? readBits(picture, current.bit + 20, 5) : 0,
      horizontalMvd: 0,
      verticalMvd: 0,
    });
  }
}
