/**
 * RTP payload format for H.264 (RFC 6184), non-interleaved: packetization-mode 0 (single NAL unit
 * packets only) and 1 (single NAL unit, STAP-A and FU-A). The depacketizer accepts every
 * non-interleaved packet type in either mode (senders in mode 0 that still aggregate are common);
 * the packetizer honours the negotiated mode.
 *
 *   Payload header = NAL unit header of the packet type (§5.3):
 *   +---------------+
 *   |0|1|2|3|4|5|6|7|
 *   +-+-+-+-+-+-+-+-+
 *   |F|NRI|  Type   |   Type 1-23: single NAL unit packet (§5.6), 24: STAP-A, 28: FU-A
 *   +---------------+
 *
 *   STAP-A (§5.7.1):
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |STAP-A NAL HDR |         NALU 1 Size           | NALU 1 HDR    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         NALU 1 Data  ...      | NALU 2 Size … |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   FU-A (§5.8):
 *   +---------------+---------------+-------------------------------+
 *   | FU indicator  |   FU header   |          FU payload ...       |
 *   |F|NRI| Type=28 |S|E|R|  Type   |                               |
 *   +---------------+---------------+-------------------------------+
 */
import type { RtpPacket } from 'werift-rtp';
import { CodecError, InvalidArgumentError } from '../errors';
import { FrameAssembler, PayloadAssembler } from './frame-assembler';
import { isVclType, joinAnnexB, NalUnitType, nalUnitType, sliceStartsPicture, splitAnnexB } from './h264-nal-unit';
import type { H264ParameterSets } from './h264-parameters';
import { DEFAULT_MAX_PAYLOAD_OCTETS, DepacketizeResult, DepacketizerStats, RtpPayloadChunk } from './video-frame';

/** STAP-A packet type (RFC 6184 Table 1). */
export const STAP_A = 24;
/** FU-A packet type (RFC 6184 Table 1). */
export const FU_A = 28;

/** packetization-mode values supported (RFC 6184 §6.2, §6.3); interleaved mode 2 is not. */
export type H264PacketizationMode = 0 | 1;

/** One parsed H.264 RTP payload. */
type H264Unit =
  | { readonly kind: 'nal'; readonly nals: readonly Buffer[] }
  | { readonly kind: 'fragment'; readonly start: boolean; readonly end: boolean; readonly header: number; readonly data: Buffer };

/** Options of an `H264Depacketizer`. */
export interface H264DepacketizerOptions {
  /** Parameter sets from the SDP's `sprop-parameter-sets`, used until the stream carries its own. */
  parameterSets?: H264ParameterSets;
}

/**
 * Turns RTP packets of one H.264 stream into Annex B access units (4-octet start codes), ready to
 * write to a decoder's pipe. Access units end at the marker bit or a timestamp change (RFC 6184
 * §5.1); loss drops the access unit and waits for an IDR (`needsKeyframe`). Every IDR access unit
 * delivered carries SPS and PPS, taken from the stream or from `sprop-parameter-sets` when the
 * sender sends them only out of band.
 */
export class H264Depacketizer {
  private readonly format: H264PayloadFormat;
  private readonly assembler: FrameAssembler<H264Unit>;

  constructor(options: H264DepacketizerOptions = {}) {
    this.format = new H264PayloadFormat(options.parameterSets);
    this.assembler = new FrameAssembler(this.format);
  }

  /** Adds one RTP packet (in sequence order); never throws on malformed payloads (counted). */
  push(packet: RtpPacket): DepacketizeResult {
    return this.assembler.push(packet);
  }

  /** See `FrameAssembler.needsKeyframe`. */
  get needsKeyframe(): boolean {
    return this.assembler.needsKeyframe;
  }

  /** Counters since construction. */
  get stats(): Readonly<DepacketizerStats> {
    return this.assembler.stats;
  }

  /** The latest parameter sets known (from the stream or the SDP). */
  get parameterSets(): H264ParameterSets {
    return this.format.parameterSets;
  }

  /** Drops the access unit in progress and waits for an IDR. */
  reset(): void {
    this.assembler.reset();
  }
}

class H264PayloadFormat implements PayloadAssembler<H264Unit> {
  parameterSets: H264ParameterSets;

  constructor(initial: H264ParameterSets | undefined) {
    this.parameterSets = initial ?? { sps: [], pps: [] };
  }

  parse(payload: Buffer): H264Unit | undefined {
    const header = payload[0];
    if (header & 0x80) throw new CodecError('H.264 payload with forbidden_zero_bit set');
    const type = header & 0x1f;
    if (type >= 1 && type <= 23) return { kind: 'nal', nals: [payload] };
    if (type === STAP_A) return { kind: 'nal', nals: parseStapA(payload) };
    if (type === FU_A) {
      if (payload.length < 3) throw new CodecError(`FU-A of ${payload.length} octets`);
      const fuHeader = payload[1];
      const start = (fuHeader & 0x80) !== 0;
      const end = (fuHeader & 0x40) !== 0;
      return { kind: 'fragment', start, end, header: (header & 0xe0) | (fuHeader & 0x1f), data: payload.subarray(2) };
    }
    if (type === 0 || type >= 30) return undefined; // reserved: ignored (RFC 6184 Table 3)
    throw new CodecError(`H.264 packet type ${type} belongs to the interleaved mode, not supported`);
  }

  startsPicture(unit: H264Unit): boolean {
    if (unit.kind === 'nal') return startsAccessUnit(unit.nals[0]);
    if (!unit.start) return false;
    const type = unit.header & 0x1f;
    return isVclType(type) ? sliceStartsPicture(unit.data) : true;
  }

  assemble(units: readonly H264Unit[]): { data: Buffer; keyframe: boolean } | undefined {
    const nals: Buffer[] = [];
    let fragments: Buffer[] | undefined;
    let fragmentType = -1;
    for (const unit of units) {
      if (unit.kind === 'nal') {
        if (fragments) return undefined; // a fragmented NAL unit lost its end
        nals.push(...unit.nals);
        continue;
      }
      if (unit.start) {
        if (fragments) return undefined;
        fragments = [Buffer.of(unit.header)];
        fragmentType = unit.header & 0x1f;
      } else if (!fragments || (unit.header & 0x1f) !== fragmentType) {
        return undefined;
      }
      fragments.push(unit.data);
      if (unit.end) {
        nals.push(Buffer.concat(fragments));
        fragments = undefined;
      }
    }
    if (fragments || nals.length === 0) return undefined;
    const withSets = withParameterSets(nals, this.parameterSets);
    this.parameterSets = withSets.parameterSets;
    return { data: joinAnnexB(withSets.nals), keyframe: withSets.decodableIdr };
  }
}

/** Options of an `H264Packetizer`. */
export interface H264PacketizerOptions {
  /** Negotiated packetization-mode; default 1. */
  packetizationMode?: H264PacketizationMode;
  /** Largest RTP payload in octets; default `DEFAULT_MAX_PAYLOAD_OCTETS` (1200). */
  maxPayloadSize?: number;
  /** Parameter sets to insert before IDRs until the encoder's own are seen. */
  parameterSets?: H264ParameterSets;
}

/**
 * Splits H.264 access units into RTP payloads (RFC 6184 §6.2, §6.3): access unit delimiters and
 * filler data are dropped; SPS and PPS (the latest seen, or the configured ones) are put before
 * every IDR that lacks them; in mode 1 consecutive SEI/SPS/PPS go together in a STAP-A and NAL
 * units larger than the payload limit are cut into FU-A fragments of near-equal size; the last
 * payload of the access unit has the marker bit.
 */
export class H264Packetizer {
  private readonly mode: H264PacketizationMode;
  private readonly maxPayloadSize: number;
  private parameterSets: H264ParameterSets;

  /** @throws InvalidArgumentError when `maxPayloadSize` is below 16 octets or the mode is not 0 or 1. */
  constructor(options: H264PacketizerOptions = {}) {
    this.mode = options.packetizationMode ?? 1;
    this.maxPayloadSize = options.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD_OCTETS;
    if (this.mode !== 0 && this.mode !== 1) throw new InvalidArgumentError(`packetization-mode ${String(this.mode)}`);
    if (!Number.isInteger(this.maxPayloadSize) || this.maxPayloadSize < 16) {
      throw new InvalidArgumentError(`RTP payload limit of ${this.maxPayloadSize} octets`);
    }
    this.parameterSets = options.parameterSets ?? { sps: [], pps: [] };
  }

  /**
   * Packetizes one access unit in Annex B form.
   * @throws CodecError in mode 0 when a NAL unit exceeds the payload limit (configure the encoder's
   *   slice size below it).
   */
  packetize(accessUnit: Buffer): RtpPayloadChunk[] {
    return this.packetizeNalUnits(splitAnnexB(accessUnit));
  }

  /** Packetizes one access unit given as NAL units (headers included, no start codes). */
  packetizeNalUnits(units: readonly Buffer[]): RtpPayloadChunk[] {
    const kept = units.filter((n) => {
      const type = nalUnitType(n);
      return type !== undefined && type !== NalUnitType.Aud && type !== NalUnitType.Filler;
    });
    const { nals, parameterSets } = withParameterSets(kept, this.parameterSets);
    this.parameterSets = parameterSets;
    const payloads: Buffer[] = [];
    for (let i = 0; i < nals.length; ) {
      const run = this.mode === 1 ? this.aggregatableRun(nals, i) : 1;
      if (run > 1) {
        payloads.push(buildStapA(nals.slice(i, i + run)));
        i += run;
        continue;
      }
      const nal = nals[i++];
      if (nal.length <= this.maxPayloadSize) payloads.push(nal);
      else if (this.mode === 0) {
        throw new CodecError(`NAL unit of ${nal.length} octets exceeds ${this.maxPayloadSize} in packetization-mode 0`);
      } else payloads.push(...buildFuA(nal, this.maxPayloadSize));
    }
    return payloads.map((payload, i) => ({ payload, marker: i === payloads.length - 1 }));
  }

  /** Number of NAL units from `from` that one STAP-A can carry (SEI, SPS, PPS only). */
  private aggregatableRun(nals: readonly Buffer[], from: number): number {
    let size = 1;
    let count = 0;
    for (let i = from; i < nals.length; i++) {
      const type = nalUnitType(nals[i]);
      if (type !== NalUnitType.Sps && type !== NalUnitType.Pps && type !== NalUnitType.Sei) break;
      if (size + 2 + nals[i].length > this.maxPayloadSize || nals[i].length > 0xffff) break;
      size += 2 + nals[i].length;
      count++;
    }
    return count;
  }
}

/**
 * Splits a STAP-A payload into its NAL units (RFC 6184 §5.7.1).
 * @throws CodecError when a size runs past the payload, a size is zero, or the STAP-A is empty.
 */
export function parseStapA(payload: Buffer): Buffer[] {
  const nals: Buffer[] = [];
  let offset = 1;
  while (offset < payload.length) {
    if (offset + 2 > payload.length) throw new CodecError('STAP-A truncated in a NALU size');
    const size = payload.readUInt16BE(offset);
    offset += 2;
    if (size === 0) throw new CodecError('STAP-A NALU of size 0');
    if (offset + size > payload.length) throw new CodecError(`STAP-A NALU of ${size} octets overruns the payload`);
    nals.push(payload.subarray(offset, offset + size));
    offset += size;
  }
  if (nals.length === 0) throw new CodecError('STAP-A without NAL units');
  return nals;
}

/** Builds a STAP-A: F is the OR and NRI the maximum of the aggregated units' (RFC 6184 §5.7). */
export function buildStapA(nals: readonly Buffer[]): Buffer {
  let f = 0;
  let nri = 0;
  const parts: Buffer[] = [Buffer.alloc(1)];
  for (const nal of nals) {
    f |= nal[0] & 0x80;
    nri = Math.max(nri, nal[0] & 0x60);
    const size = Buffer.alloc(2);
    size.writeUInt16BE(nal.length);
    parts.push(size, nal);
  }
  parts[0][0] = f | nri | STAP_A;
  return Buffer.concat(parts);
}

/** Cuts one NAL unit into FU-A payloads of at most `maxPayloadSize` octets, near-equal in size. */
export function buildFuA(nal: Buffer, maxPayloadSize: number): Buffer[] {
  const header = nal[0];
  const body = nal.subarray(1);
  const room = maxPayloadSize - 2;
  const count = Math.ceil(body.length / room);
  const base = Math.floor(body.length / count);
  const extra = body.length % count;
  const payloads: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < extra ? 1 : 0);
    const payload = Buffer.allocUnsafe(2 + size);
    payload[0] = (header & 0xe0) | FU_A;
    payload[1] = (i === 0 ? 0x80 : 0) | (i === count - 1 ? 0x40 : 0) | (header & 0x1f);
    body.copy(payload, 2, offset, offset + size);
    payloads.push(payload);
    offset += size;
  }
  return payloads;
}

/** True when the NAL unit can only be the first of an access unit's units seen after a gap. */
function startsAccessUnit(nal: Buffer): boolean {
  const type = nal[0] & 0x1f;
  return isVclType(type) ? sliceStartsPicture(nal.subarray(1)) : type >= NalUnitType.Sei && type <= NalUnitType.Aud;
}

/**
 * Records in-band SPS/PPS and puts the known ones before the first IDR slice of an access unit
 * that lacks them (RFC 6184 §8.4 allows both in-band and out-of-band sets; decoders fed from a
 * pipe need them in band).
 */
function withParameterSets(
  nals: readonly Buffer[],
  known: H264ParameterSets,
): { nals: Buffer[]; parameterSets: H264ParameterSets; decodableIdr: boolean } {
  const sps = nals.filter((n) => nalUnitType(n) === NalUnitType.Sps);
  const pps = nals.filter((n) => nalUnitType(n) === NalUnitType.Pps);
  const parameterSets = { sps: sps.length > 0 ? sps : known.sps, pps: pps.length > 0 ? pps : known.pps };
  const firstIdr = nals.findIndex((n) => nalUnitType(n) === NalUnitType.Idr);
  const out = [...nals];
  if (firstIdr >= 0) {
    const spsBefore = nals.slice(0, firstIdr).some((n) => nalUnitType(n) === NalUnitType.Sps);
    const ppsBefore = nals.slice(0, firstIdr).some((n) => nalUnitType(n) === NalUnitType.Pps);
    const missing = [...(spsBefore ? [] : parameterSets.sps), ...(ppsBefore ? [] : parameterSets.pps)];
    out.splice(firstIdr, 0, ...missing);
  }
  const decodableIdr = firstIdr >= 0 && parameterSets.sps.length > 0 && parameterSets.pps.length > 0;
  return { nals: out, parameterSets, decodableIdr };
}
