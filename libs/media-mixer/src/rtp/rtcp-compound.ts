/**
 * Compound RTCP packets (RFC 3550 §6.1): parsing with the validity checks of §A.2 and building.
 * Each packet's body is (de)serialized by werift-rtp (SR, RR, SDES) or `RtcpByePacket`; this file
 * only walks the common headers, after checking every length against the datagram.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|    RC   |      PT       |  length (32-bit words − 1)    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import {
  RTCP_HEADER_SIZE,
  RtcpHeader,
  RtcpRrPacket,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  SourceDescriptionChunk,
  SourceDescriptionItem,
} from 'werift-rtp';
import { PacketFormatError } from '../errors';
import { type KeyframeRequest, RTCP_PSFB, parseKeyframeRequest } from '../video/rtcp-feedback';
import { RtcpByePacket } from './rtcp-bye';

/** SDES item type CNAME (RFC 3550 §6.5.1). */
export const SDES_CNAME = 1;
const REPORT_BLOCK_SIZE = 24;
const SENDER_INFO_SIZE = 20;

/** The packets of one compound RTCP datagram, by kind. */
export interface RtcpCompound {
  senderReports: RtcpSrPacket[];
  receiverReports: RtcpRrPacket[];
  sourceDescriptions: RtcpSourceDescriptionPacket[];
  byes: RtcpByePacket[];
  /**
   * Key frame requests: payload-specific feedback PLI (RFC 4585 §6.3.1) and FIR (RFC 5104 §4.3.1),
   * in the order they appear.
   */
  keyframeRequests: KeyframeRequest[];
  /** Packets of other types (APP, other feedback, XR…), skipped by length. */
  otherCount: number;
}

/** A packet this library sends in compound RTCP. */
export type OutgoingRtcpPacket = RtcpSrPacket | RtcpRrPacket | RtcpSourceDescriptionPacket | RtcpByePacket;

/**
 * Parses a compound RTCP datagram.
 *
 * Checks (§A.2): version 2 in every packet, each length within the datagram, the lengths adding up
 * to the datagram exactly, padding only in the last packet, report counts fitting their packet.
 * The rule that the first packet be SR or RR is not enforced, so reduced-size RTCP (RFC 5506) passes.
 * PLI and FIR bodies are checked too (RFC 4585 §6.1: both SSRCs present; RFC 5104 §4.3.1.1: whole
 * 8-octet FCI entries); other feedback messages (REMB, SLI, NACK…) are counted in `otherCount`.
 * @throws PacketFormatError naming the failed check.
 */
export function parseCompoundRtcp(datagram: Buffer): RtcpCompound {
  const result: RtcpCompound = { senderReports: [], receiverReports: [], sourceDescriptions: [], byes: [], keyframeRequests: [], otherCount: 0 };
  if (datagram.length < RTCP_HEADER_SIZE) throw new PacketFormatError('RTCP datagram shorter than a header');
  let offset = 0;
  while (offset < datagram.length) {
    if (datagram.length - offset < RTCP_HEADER_SIZE) throw new PacketFormatError('RTCP trailing octets after the last packet');
    const header = RtcpHeader.deSerialize(datagram.subarray(offset, offset + RTCP_HEADER_SIZE));
    if (header.version !== 2) throw new PacketFormatError(`RTCP version ${header.version}`);
    const end = offset + (header.length + 1) * 4;
    if (end > datagram.length) throw new PacketFormatError(`RTCP packet type ${header.type} overruns the datagram`);
    let body = datagram.subarray(offset + RTCP_HEADER_SIZE, end);
    if (header.padding) {
      if (end !== datagram.length) throw new PacketFormatError('RTCP padding before the last packet');
      const pad = body.length > 0 ? body[body.length - 1] : 0;
      if (pad === 0 || pad > body.length) throw new PacketFormatError('RTCP padding length invalid');
      body = body.subarray(0, body.length - pad);
    }
    parseOne(header, body, result);
    offset = end;
  }
  return result;
}

function parseOne(header: RtcpHeader, body: Buffer, out: RtcpCompound): void {
  switch (header.type) {
    case RtcpSrPacket.type:
      if (body.length < 4 + SENDER_INFO_SIZE + header.count * REPORT_BLOCK_SIZE) throw new PacketFormatError('SR shorter than its report count');
      out.senderReports.push(RtcpSrPacket.deSerialize(body, header.count));
      return;
    case RtcpRrPacket.type:
      if (body.length < 4 + header.count * REPORT_BLOCK_SIZE) throw new PacketFormatError('RR shorter than its report count');
      out.receiverReports.push(RtcpRrPacket.deSerialize(body, header.count));
      return;
    case RtcpSourceDescriptionPacket.type:
      checkSdes(body, header.count);
      out.sourceDescriptions.push(RtcpSourceDescriptionPacket.deSerialize(body, header));
      return;
    case RtcpByePacket.type:
      out.byes.push(RtcpByePacket.parse(body, header.count));
      return;
    case RTCP_PSFB: {
      const request = parseKeyframeRequest(header, body);
      if (request) out.keyframeRequests.push(request);
      else out.otherCount++;
      return;
    }
    default:
      out.otherCount++;
  }
}

/** Walks SDES chunks (§6.5) so werift's parser only sees well-formed items. */
function checkSdes(body: Buffer, count: number): void {
  let offset = 0;
  for (let chunk = 0; chunk < count; chunk++) {
    if (offset + 4 > body.length) throw new PacketFormatError('SDES chunk missing');
    offset += 4;
    for (;;) {
      if (offset >= body.length) throw new PacketFormatError('SDES item list not terminated');
      if (body[offset] === 0) break;
      if (offset + 2 > body.length || offset + 2 + body[offset + 1] > body.length) throw new PacketFormatError('SDES item overruns the packet');
      offset += 2 + body[offset + 1];
    }
    offset = (offset + 4) & ~3; // null terminator and padding to the next 32-bit boundary
  }
}

/**
 * An SDES packet with one chunk carrying the CNAME (§6.5.1). The item list always ends with an
 * explicit null item, so the chunk is terminated whatever the CNAME length.
 */
export function cnameDescription(ssrc: number, cname: string): RtcpSourceDescriptionPacket {
  const items = [new SourceDescriptionItem({ type: SDES_CNAME, text: cname }), new SourceDescriptionItem({ type: 0, text: '' })];
  return new RtcpSourceDescriptionPacket({ chunks: [new SourceDescriptionChunk({ source: ssrc >>> 0, items })] });
}

/** Concatenates packets into one compound datagram (§6.1); put SR or RR first. */
export function serializeCompoundRtcp(packets: readonly OutgoingRtcpPacket[]): Buffer {
  return Buffer.concat(packets.map((p) => p.serialize()));
}

/** The CNAME of `ssrc` in a parsed compound packet, if present. */
export function findCname(compound: RtcpCompound, ssrc: number): string | undefined {
  for (const sdes of compound.sourceDescriptions) {
    for (const chunk of sdes.chunks) {
      if (chunk.source !== ssrc) continue;
      const item = chunk.items.find((i) => i.type === SDES_CNAME);
      if (item) return item.text;
    }
  }
  return undefined;
}
