/**
 * Validated parsing of received RTP packets (RFC 3550 §5.1, header checks of §A.1) and RTP/RTCP
 * demultiplexing on one port (RFC 5761 §4). The fields are decoded by werift-rtp's `RtpPacket`;
 * this file checks every length first, because werift reads without bounds checks.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           timestamp                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           synchronization source (SSRC) identifier            |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *   |            contributing source (CSRC) identifiers             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  defined by profile           |           length              |  (if X)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { PacketFormatError } from '../errors';

const FIXED_HEADER = 12;
const CSRC_SIZE = 4;
const EXTENSION_HEADER = 4;

/**
 * True when a datagram on a multiplexed port is RTCP: its second octet (RTCP packet type, or RTP
 * marker + payload type) lies in 192…223 (RFC 5761 §4).
 */
export function isRtcpDatagram(datagram: Buffer): boolean {
  return datagram.length >= 2 && datagram[1] >= 192 && datagram[1] <= 223;
}

/**
 * Parses one RTP packet after checking its structure.
 * @returns the werift packet; `payload` excludes header, extension and padding.
 * @throws PacketFormatError when the version is not 2, the CSRC list, header extension or padding
 *   does not fit the datagram, or the payload type is in the RTCP-conflict range 72–76 (RFC 5761 §4).
 */
export function readRtpPacket(datagram: Buffer): RtpPacket {
  if (datagram.length < FIXED_HEADER) throw new PacketFormatError(`RTP packet of ${datagram.length} octets`);
  const first = datagram[0];
  if (first >> 6 !== 2) throw new PacketFormatError(`RTP version ${first >> 6}`);
  const payloadType = datagram[1] & 0x7f;
  if (payloadType >= 72 && payloadType <= 76) throw new PacketFormatError(`RTP payload type ${payloadType} conflicts with RTCP`);
  let offset = FIXED_HEADER + (first & 0x0f) * CSRC_SIZE;
  if (offset > datagram.length) throw new PacketFormatError('RTP CSRC list overruns the packet');
  if (first & 0x10) {
    if (offset + EXTENSION_HEADER > datagram.length) throw new PacketFormatError('RTP header extension header missing');
    const words = datagram.readUInt16BE(offset + 2);
    offset += EXTENSION_HEADER + words * 4;
    if (offset > datagram.length) throw new PacketFormatError('RTP header extension overruns the packet');
  }
  let padding = 0;
  if (first & 0x20) {
    padding = datagram[datagram.length - 1];
    if (padding === 0 || offset + padding > datagram.length) throw new PacketFormatError('RTP padding length invalid');
  }
  const header = RtpHeader.deSerialize(datagram);
  header.payloadOffset = offset;
  header.paddingSize = padding;
  return new RtpPacket(header, datagram.subarray(offset, datagram.length - padding));
}
