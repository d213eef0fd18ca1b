import { TpktError } from './tpkt-error';

/**
 * TPKT framing of RFC 1006 §6, as H.225.0 §7.1 / H.323 use it for call signalling and H.245 over TCP.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  vrsn (= 3)   |   reserved    |    packet length (octets)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      payload (length − 4 octets) …
 * ```
 * The length counts the 4-octet header. A packet of length 4 (no payload) is the keep-alive some H.323 endpoints
 * send as a keep-alive; it is accepted and yields no payload.
 */
export const TPKT_VERSION = 3;
/** Size of the TPKT header in octets. */
export const TPKT_HEADER_LENGTH = 4;
/** Largest TPKT packet the 16-bit length field can describe, in octets (header included). */
export const TPKT_MAX_PACKET_LENGTH = 0xffff;

const OFFSET_VERSION = 0;
const OFFSET_LENGTH = 2;

/**
 * Frames one payload as a TPKT packet (RFC 1006 §6).
 * @param payload the Q.931 or H.245 octets, at most 65,531 octets
 * @returns header + payload
 * @throws RangeError when the payload does not fit in one packet
 */
export function encodeTpkt(payload: Buffer): Buffer {
  const length = payload.length + TPKT_HEADER_LENGTH;
  if (length > TPKT_MAX_PACKET_LENGTH) throw new RangeError(`TPKT payload of ${payload.length} octets exceeds 65531`);
  const header = Buffer.alloc(TPKT_HEADER_LENGTH);
  header[OFFSET_VERSION] = TPKT_VERSION;
  header.writeUInt16BE(length, OFFSET_LENGTH);
  return Buffer.concat([header, payload]);
}

/** Options of a {@link TpktReassembler}. */
export interface TpktReassemblerOptions {
  /** Largest packet accepted, header included, in octets (4 … 65535; default 65535). */
  readonly maxPacketLength?: number;
}

/**
 * Reassembles TPKT packets from a TCP byte stream (RFC 1006 §6): chunks may split a packet anywhere or carry
 * several. At most one packet is buffered (bounded by `maxPacketLength`). After a {@link TpktError} the stream
 * has lost framing and further input is refused with the same error.
 */
export class TpktReassembler {
  private readonly maxPacketLength: number;
  private pending: Buffer = Buffer.alloc(0);
  private consumed = 0;
  private failure: TpktError | undefined;

  constructor(options: TpktReassemblerOptions = {}) {
    const max = options.maxPacketLength ?? TPKT_MAX_PACKET_LENGTH;
    if (!Number.isInteger(max) || max < TPKT_HEADER_LENGTH || max > TPKT_MAX_PACKET_LENGTH) {
      throw new RangeError(`maxPacketLength ${max} outside 4…65535`);
    }
    this.maxPacketLength = max;
  }

  /** Octets received but not yet part of a complete packet. */
  get bufferedLength(): number {
    return this.pending.length;
  }

  /**
   * Adds received octets and returns the payloads of the packets they complete, in order (keep-alives omitted).
   * @throws TpktError on a header with a version other than 3, a length below 4 or above `maxPacketLength`
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failure) throw this.failure;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const payloads: Buffer[] = [];
    let offset = 0;
    while (this.pending.length - offset >= TPKT_HEADER_LENGTH) {
      const version = this.pending[offset + OFFSET_VERSION];
      const length = this.pending.readUInt16BE(offset + OFFSET_LENGTH);
      const problem =
        version !== TPKT_VERSION
          ? `TPKT version ${version}, expected 3`
          : length < TPKT_HEADER_LENGTH
            ? `TPKT length ${length} below the 4-octet header`
            : length > this.maxPacketLength
              ? `TPKT length ${length} above the limit of ${this.maxPacketLength}`
              : undefined;
      if (problem) {
        this.failure = new TpktError(problem, this.consumed + offset);
        this.pending = Buffer.alloc(0);
        throw this.failure;
      }
      if (this.pending.length - offset < length) break;
      if (length > TPKT_HEADER_LENGTH) {
        payloads.push(Buffer.from(this.pending.subarray(offset + TPKT_HEADER_LENGTH, offset + length)));
      }
      offset += length;
    }
    this.consumed += offset;
    this.pending = offset === 0 ? this.pending : Buffer.from(this.pending.subarray(offset));
    return payloads;
  }
}
