/**
 * RTCP BYE (RFC 3550 §6.6), which werift-rtp does not model. The common header is werift's.
 *
 *        0                   1                   2                   3
 *        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       |V=2|P|    SC   |   PT=BYE=203  |             length            |
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       |                           SSRC/CSRC                           |
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       :                              ...                              :
 *       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * (opt) |     length    |               reason for leaving            ...
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { RtcpHeader } from 'werift-rtp';
import { PacketFormatError } from '../errors';

const SSRC_SIZE = 4;

/** An RTCP BYE: the sources leaving, with an optional UTF-8 reason (at most 255 octets). */
export class RtcpByePacket {
  static readonly type = 203;
  readonly type = RtcpByePacket.type;

  constructor(
    readonly sources: readonly number[],
    readonly reason?: string,
  ) {}

  /**
   * @returns the packet with its common header, padded to a 32-bit boundary.
   * @throws PacketFormatError for more than 31 sources.
   */
  serialize(): Buffer {
    if (this.sources.length > 31) throw new PacketFormatError('BYE lists at most 31 sources');
    const ids = Buffer.alloc(this.sources.length * SSRC_SIZE);
    this.sources.forEach((ssrc, i) => ids.writeUInt32BE(ssrc >>> 0, i * SSRC_SIZE));
    let reason = Buffer.alloc(0);
    if (this.reason !== undefined) {
      const text = Buffer.from(this.reason, 'utf8').subarray(0, 255);
      reason = Buffer.concat([Buffer.from([text.length]), text]);
    }
    const unpadded = Buffer.concat([ids, reason]);
    const payload = Buffer.concat([unpadded, Buffer.alloc((4 - (unpadded.length % 4)) % 4)]);
    return RtcpHeader.serialize(RtcpByePacket.type, this.sources.length, payload, payload.length / 4);
  }

  /**
   * Parses the part after the common header.
   * @param payload the packet's octets after the 4-octet header, padding removed.
   * @param count the header's SC field.
   * @throws PacketFormatError when the sources or the reason overrun the packet.
   */
  static parse(payload: Buffer, count: number): RtcpByePacket {
    const idsEnd = count * SSRC_SIZE;
    if (payload.length < idsEnd) throw new PacketFormatError(`BYE announces ${count} sources in ${payload.length} octets`);
    const sources = Array.from({ length: count }, (_, i) => payload.readUInt32BE(i * SSRC_SIZE));
    if (payload.length === idsEnd) return new RtcpByePacket(sources);
    const length = payload[idsEnd];
    if (idsEnd + 1 + length > payload.length) throw new PacketFormatError('BYE reason overruns the packet');
    return new RtcpByePacket(sources, payload.toString('utf8', idsEnd + 1, idsEnd + 1 + length));
  }
}
