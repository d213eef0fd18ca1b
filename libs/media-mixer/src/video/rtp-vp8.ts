/**
 * RTP payload format for VP8 (RFC 7741): the payload descriptor, a depacketizer to whole frames
 * and a packetizer.
 *
 *   Payload descriptor (§4.2):
 *         0 1 2 3 4 5 6 7
 *        +-+-+-+-+-+-+-+-+
 *        |X|R|N|S|R| PID | (REQUIRED)
 *        +-+-+-+-+-+-+-+-+
 *   X:   |I|L|T|K| RSV   | (OPTIONAL)
 *        +-+-+-+-+-+-+-+-+
 *   I:   |M| PictureID   | (OPTIONAL)
 *        +-+-+-+-+-+-+-+-+
 *        |   PictureID   | (when M = 1: 15-bit PictureID)
 *        +-+-+-+-+-+-+-+-+
 *   L:   |   TL0PICIDX   | (OPTIONAL)
 *        +-+-+-+-+-+-+-+-+
 *   T/K: |TID|Y| KEYIDX  | (OPTIONAL)
 *        +-+-+-+-+-+-+-+-+
 *
 *   VP8 payload header, first octets of a frame (§4.3; RFC 6386 §9.1 frame tag):
 *        +-+-+-+-+-+-+-+-+
 *        |Size0|H| VER |P|   P = 0: key frame
 *        +-+-+-+-+-+-+-+-+
 *        |     Size1     |
 *        +-+-+-+-+-+-+-+-+
 *        |     Size2     |
 *        +-+-+-+-+-+-+-+-+
 *   A key frame continues with the start code 9d 01 2a, then 14-bit width and height, little
 *   endian, each with a 2-bit scale in the top bits (RFC 6386 §9.1).
 */
import { CodecError, InvalidArgumentError } from '../errors';
import { FrameAssembler, PayloadAssembler } from './frame-assembler';
import { DEFAULT_MAX_PAYLOAD_OCTETS, RtpPayloadChunk } from './video-frame';

/** The VP8 payload descriptor of one RTP packet (RFC 7741 §4.2). */
export interface Vp8PayloadDescriptor {
  /** N: the frame is not used as a reference (may be discarded). */
  readonly nonReference: boolean;
  /** S: the packet starts a VP8 partition. */
  readonly startOfPartition: boolean;
  /** PID: index of the partition the packet's first octet belongs to (0..7). */
  readonly partitionIndex: number;
  /** I: PictureID, 7 or 15 bits. */
  readonly pictureId?: number;
  /** Width of `pictureId` on the wire (M bit: 0 → 7, 1 → 15). */
  readonly pictureIdBits?: 7 | 15;
  /** L: TL0PICIDX, the running index of temporal base layer frames (8 bits). */
  readonly tl0PicIdx?: number;
  /** T: TID, the temporal layer index (2 bits). */
  readonly temporalLayerId?: number;
  /** T: Y, layer sync bit. */
  readonly layerSync?: boolean;
  /** K: KEYIDX, running index of key frames (5 bits). */
  readonly keyIndex?: number;
}

/**
 * Parses the payload descriptor at the start of a VP8 RTP payload.
 * @returns the descriptor and its length in octets (the VP8 data follows).
 * @throws CodecError when the payload ends inside the descriptor or carries no VP8 data.
 */
export function parseVp8PayloadDescriptor(payload: Buffer): { descriptor: Vp8PayloadDescriptor; length: number } {
  let offset = 0;
  const need = (octets: number, what: string): void => {
    if (offset + octets > payload.length) throw new CodecError(`VP8 payload descriptor truncated in ${what}`);
  };
  need(1, 'the first octet');
  const first = payload[offset++];
  const descriptor: { -readonly [K in keyof Vp8PayloadDescriptor]: Vp8PayloadDescriptor[K] } = {
    nonReference: (first & 0x20) !== 0,
    startOfPartition: (first & 0x10) !== 0,
    partitionIndex: first & 0x07,
  };
  if (first & 0x80) {
    need(1, 'the extension octet');
    const ext = payload[offset++];
    if (ext & 0x80) {
      need(1, 'PictureID');
      if (payload[offset] & 0x80) {
        need(2, 'the 15-bit PictureID');
        descriptor.pictureId = payload.readUInt16BE(offset) & 0x7fff;
        descriptor.pictureIdBits = 15;
        offset += 2;
      } else {
        descriptor.pictureId = payload[offset++] & 0x7f;
        descriptor.pictureIdBits = 7;
      }
    }
    if (ext & 0x40) {
      need(1, 'TL0PICIDX');
      descriptor.tl0PicIdx = payload[offset++];
    }
    if (ext & 0x30) {
      need(1, 'TID/Y/KEYIDX');
      const tk = payload[offset++];
      if (ext & 0x20) {
        descriptor.temporalLayerId = tk >> 6;
        descriptor.layerSync = (tk & 0x20) !== 0;
      }
      if (ext & 0x10) descriptor.keyIndex = tk & 0x1f;
    }
  }
  if (offset >= payload.length) throw new CodecError('VP8 payload without data after the descriptor');
  return { descriptor, length: offset };
}

/**
 * Serializes a payload descriptor (RFC 7741 §4.2); X is set when any optional field is present.
 * @throws InvalidArgumentError for values out of their field's range, or TL0PICIDX without TID
 *   (§4.2: L requires T).
 */
export function serializeVp8PayloadDescriptor(d: Vp8PayloadDescriptor): Buffer {
  const check = (value: number | undefined, max: number, name: string): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > max)) {
      throw new InvalidArgumentError(`VP8 ${name} ${value} outside 0..${max}`);
    }
  };
  check(d.partitionIndex, 7, 'PID');
  check(d.pictureId, d.pictureIdBits === 7 ? 0x7f : 0x7fff, 'PictureID');
  check(d.tl0PicIdx, 0xff, 'TL0PICIDX');
  check(d.temporalLayerId, 3, 'TID');
  check(d.keyIndex, 0x1f, 'KEYIDX');
  if (d.tl0PicIdx !== undefined && d.temporalLayerId === undefined) throw new InvalidArgumentError('VP8 TL0PICIDX requires TID');
  const octets: number[] = [];
  const i = d.pictureId !== undefined;
  const l = d.tl0PicIdx !== undefined;
  const t = d.temporalLayerId !== undefined;
  const k = d.keyIndex !== undefined;
  const x = i || l || t || k;
  octets.push((x ? 0x80 : 0) | (d.nonReference ? 0x20 : 0) | (d.startOfPartition ? 0x10 : 0) | d.partitionIndex);
  if (x) octets.push((i ? 0x80 : 0) | (l ? 0x40 : 0) | (t ? 0x20 : 0) | (k ? 0x10 : 0));
  if (d.pictureId !== undefined) {
    if (d.pictureIdBits === 7) octets.push(d.pictureId);
    else octets.push(0x80 | (d.pictureId >> 8), d.pictureId & 0xff);
  }
  if (l) octets.push(d.tl0PicIdx as number);
  if (t || k) octets.push(((d.temporalLayerId ?? 0) << 6) | (d.layerSync ? 0x20 : 0) | (d.keyIndex ?? 0));
  return Buffer.from(octets);
}

/** What the first octets of a VP8 frame say (RFC 6386 §9.1). */
export interface Vp8FrameInfo {
  readonly keyframe: boolean;
  /** Picture width and height in pixels, present for key frames only. */
  readonly width?: number;
  readonly height?: number;
}

/**
 * Reads the frame tag (and, for key frames, the dimensions) of a VP8 frame.
 * @throws CodecError when the frame is shorter than its tag, or a key frame lacks the start code.
 */
export function parseVp8FrameInfo(frame: Buffer): Vp8FrameInfo {
  if (frame.length < 3) throw new CodecError(`VP8 frame of ${frame.length} octets`);
  if (frame[0] & 0x01) return { keyframe: false };
  if (frame.length < 10 || frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) {
    throw new CodecError('VP8 key frame without the 9d 01 2a start code');
  }
  return { keyframe: true, width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}

interface Vp8Unit {
  readonly descriptor: Vp8PayloadDescriptor;
  readonly data: Buffer;
}

class Vp8PayloadFormat implements PayloadAssembler<Vp8Unit> {
  parse(payload: Buffer): Vp8Unit {
    const { descriptor, length } = parseVp8PayloadDescriptor(payload);
    return { descriptor, data: payload.subarray(length) };
  }

  startsPicture(unit: Vp8Unit): boolean {
    return unit.descriptor.startOfPartition && unit.descriptor.partitionIndex === 0;
  }

  assemble(units: readonly Vp8Unit[]): { data: Buffer; keyframe: boolean } | undefined {
    if (!this.startsPicture(units[0])) return undefined;
    const data = units.length === 1 ? units[0].data : Buffer.concat(units.map((u) => u.data));
    try {
      return { data, keyframe: parseVp8FrameInfo(data).keyframe };
    } catch (err) {
      if (err instanceof CodecError) return undefined;
      throw err;
    }
  }
}

/**
 * Turns RTP packets of one VP8 stream into whole frames (RFC 7741 §4.5): a frame starts with
 * S = 1, PID = 0 and ends at the marker bit or a timestamp change; the P bit of its payload header
 * says whether it is a key frame. Loss drops the frame and waits for a key frame.
 */
export class Vp8Depacketizer extends FrameAssembler<Vp8Unit> {
  constructor() {
    super(new Vp8PayloadFormat());
  }
}

/** Options of a `Vp8Packetizer`. */
export interface Vp8PacketizerOptions {
  /** Largest RTP payload in octets, descriptor included; default 1200. */
  maxPayloadSize?: number;
  /** PictureID of the first frame (15 bits); default random, as RFC 7741 §4.2 recommends. */
  initialPictureId?: number;
}

/**
 * Splits VP8 frames into RTP payloads (RFC 7741 §4.4): every packet carries a descriptor with a
 * 15-bit PictureID that increases by one per frame; the first packet has S = 1, PID = 0; payloads
 * are near-equal in size; the last one has the marker bit.
 */
export class Vp8Packetizer {
  private readonly maxPayloadSize: number;
  private pictureId: number;

  /** @throws InvalidArgumentError for a payload limit below 16 octets or a PictureID out of range. */
  constructor(options: Vp8PacketizerOptions = {}) {
    this.maxPayloadSize = options.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD_OCTETS;
    if (!Number.isInteger(this.maxPayloadSize) || this.maxPayloadSize < 16) {
      throw new InvalidArgumentError(`RTP payload limit of ${this.maxPayloadSize} octets`);
    }
    this.pictureId = options.initialPictureId ?? Math.floor(Math.random() * 0x8000);
    if (!Number.isInteger(this.pictureId) || this.pictureId < 0 || this.pictureId > 0x7fff) {
      throw new InvalidArgumentError(`VP8 PictureID ${this.pictureId} outside 0..32767`);
    }
  }

  /**
   * Packetizes one frame.
   * @throws InvalidArgumentError for an empty frame.
   */
  packetize(frame: Buffer): RtpPayloadChunk[] {
    if (frame.length === 0) throw new InvalidArgumentError('empty VP8 frame');
    const pictureId = this.pictureId;
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    const room = this.maxPayloadSize - 4; // descriptor: first octet, X octet, 15-bit PictureID
    const count = Math.ceil(frame.length / room);
    const base = Math.floor(frame.length / count);
    const extra = frame.length % count;
    const chunks: RtpPayloadChunk[] = [];
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const size = base + (i < extra ? 1 : 0);
      const descriptor = serializeVp8PayloadDescriptor({
        nonReference: false,
        startOfPartition: i === 0,
        partitionIndex: 0,
        pictureId,
        pictureIdBits: 15,
      });
      chunks.push({ payload: Buffer.concat([descriptor, frame.subarray(offset, offset + size)]), marker: i === count - 1 });
      offset += size;
    }
    return chunks;
  }
}
