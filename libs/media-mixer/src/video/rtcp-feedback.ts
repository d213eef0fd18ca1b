/**
 * Key frame requests in RTCP: Picture Loss Indication (RFC 4585 §6.3.1) and Full Intra Request
 * (RFC 5104 §4.3.1), both payload-specific feedback messages (PT = 206, RFC 4585 §6.1).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|   FMT   |     PT=206    |          length               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  SSRC of packet sender                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  SSRC of media source                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   :            Feedback Control Information (FCI)                 :
 *
 *   PLI: FMT = 1, no FCI.
 *   FIR: FMT = 4, media source SSRC 0, one FCI entry per target:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                              SSRC                             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Seq nr.       |    Reserved                                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Bodies are read by werift-rtp's `RtcpPayloadSpecificFeedback` after the lengths are checked here
 * (werift reads without checks). PLIs are written with werift's `PictureLossIndication`; the FIR
 * FCI is written here because werift-rtp 0.8 does not export its `FullIntraRequest` class, with
 * werift's `RtcpHeader` for the common header.
 */
import { PictureLossIndication, RTCP_HEADER_SIZE, RtcpHeader, RtcpPayloadSpecificFeedback } from 'werift-rtp';
import { InvalidArgumentError, PacketFormatError } from '../errors';

/** RTCP packet type of payload-specific feedback (RFC 4585 §6.1). */
export const RTCP_PSFB = 206;
/** FMT of Picture Loss Indication (RFC 4585 §6.3). */
export const FMT_PLI = 1;
/** FMT of Full Intra Request (RFC 5104 §4.3.1). */
export const FMT_FIR = 4;

/** One FIR FCI entry: the sender asked for a key frame and the request's sequence number. */
export interface FirEntry {
  /** SSRC of the media sender that shall send a decoder refresh point. */
  readonly ssrc: number;
  /** Command sequence number (8 bits): a new request increments it, repetitions keep it. */
  readonly sequenceNumber: number;
}

/** A key frame request read from RTCP. */
export type KeyframeRequest =
  | { readonly kind: 'pli'; readonly senderSsrc: number; readonly mediaSsrc: number }
  | { readonly kind: 'fir'; readonly senderSsrc: number; readonly entries: readonly FirEntry[] };

/**
 * Serializes a PLI asking `mediaSsrc` for a key frame (12 octets).
 * @throws InvalidArgumentError when an SSRC is not a 32-bit unsigned integer.
 */
export function serializePli(senderSsrc: number, mediaSsrc: number): Buffer {
  checkSsrc(senderSsrc);
  checkSsrc(mediaSsrc);
  return new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc, mediaSsrc }) }).serialize();
}

/**
 * Serializes a FIR with one FCI entry per target (12 + 8·n octets; media source SSRC 0).
 * @throws InvalidArgumentError for no entries, an SSRC out of range, or a sequence number outside 0..255.
 */
export function serializeFir(senderSsrc: number, entries: readonly FirEntry[]): Buffer {
  checkSsrc(senderSsrc);
  if (entries.length === 0) throw new InvalidArgumentError('FIR without entries');
  const body = Buffer.alloc(8 + 8 * entries.length);
  body.writeUInt32BE(senderSsrc, 0);
  body.writeUInt32BE(0, 4);
  entries.forEach((entry, i) => {
    checkSsrc(entry.ssrc);
    if (!Number.isInteger(entry.sequenceNumber) || entry.sequenceNumber < 0 || entry.sequenceNumber > 0xff) {
      throw new InvalidArgumentError(`FIR sequence number ${entry.sequenceNumber}`);
    }
    body.writeUInt32BE(entry.ssrc, 8 + 8 * i);
    body[8 + 8 * i + 4] = entry.sequenceNumber;
  });
  return RtcpHeader.serialize(RTCP_PSFB, FMT_FIR, body, body.length / 4);
}

/**
 * Reads a key frame request from one payload-specific feedback packet, given its common header
 * and its body (the octets after the header, padding removed), as a compound walker yields them.
 * @returns the request, or `undefined` for other feedback (REMB, SLI, RPSI…) and other packet types.
 * @throws PacketFormatError when a PLI or FIR body is too short or a FIR's FCI is not whole entries.
 */
export function parseKeyframeRequest(header: RtcpHeader, body: Buffer): KeyframeRequest | undefined {
  if (header.type !== RTCP_PSFB || (header.count !== FMT_PLI && header.count !== FMT_FIR)) return undefined;
  if (body.length < 8) throw new PacketFormatError(`PSFB FMT ${header.count} of ${body.length} octets lacks its SSRCs`);
  if (header.count === FMT_FIR && ((body.length - 8) % 8 !== 0 || body.length === 8)) {
    throw new PacketFormatError(`FIR FCI of ${body.length - 8} octets is not whole 8-octet entries`);
  }
  const { feedback } = RtcpPayloadSpecificFeedback.deSerialize(body, header);
  if (header.count === FMT_PLI) return { kind: 'pli', senderSsrc: feedback.senderSsrc, mediaSsrc: feedback.mediaSsrc };
  const entries = 'fir' in feedback ? feedback.fir.map((e) => ({ ssrc: e.ssrc, sequenceNumber: e.sequenceNumber })) : [];
  return { kind: 'fir', senderSsrc: feedback.senderSsrc, entries };
}

/**
 * Walks a (compound or reduced-size) RTCP datagram and returns every PLI and FIR in it; other
 * packets are skipped by length. The checks of RFC 3550 §A.2 apply to every packet.
 * @throws PacketFormatError when the datagram's structure or a PLI/FIR body is malformed.
 */
export function findKeyframeRequests(datagram: Buffer): KeyframeRequest[] {
  const requests: KeyframeRequest[] = [];
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
    const request = parseKeyframeRequest(header, body);
    if (request) requests.push(request);
    offset = end;
  }
  return requests;
}

function checkSsrc(ssrc: number): void {
  if (!Number.isInteger(ssrc) || ssrc < 0 || ssrc > 0xffffffff) throw new InvalidArgumentError(`SSRC ${ssrc}`);
}
