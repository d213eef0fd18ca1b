/**
 * STUN keep-alives on the SIP UDP port (RFC 5626 §4.4.2, RFC 5389 §6, §7.3, §15.2).
 *
 * SIP UAs using outbound (RFC 5626) send STUN Binding requests to the SIP port to keep their NAT
 * binding alive and learn their reflexive address. They are told apart from SIP by the first two
 * bits (always 0 in STUN, while SIP starts with a letter) and the magic cookie, and are answered
 * with a Binding success response carrying XOR-MAPPED-ADDRESS.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|     STUN Message Type     |         Message Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         Magic Cookie                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Transaction ID (96 bits)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { isIP } from 'node:net';

const HEADER_OCTETS = 20;
const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;
const OFFSET_TYPE = 0;
const OFFSET_LENGTH = 2;
const OFFSET_COOKIE = 4;
const OFFSET_TRANSACTION_ID = 8;

/** True when `data` is a STUN message (RFC 5389 §6): top two bits 0, magic cookie, length a multiple of 4. */
export function isStunMessage(data: Buffer): boolean {
  if (data.length < HEADER_OCTETS || (data[0] & 0xc0) !== 0) return false;
  if (data.readUInt32BE(OFFSET_COOKIE) !== MAGIC_COOKIE) return false;
  const length = data.readUInt16BE(OFFSET_LENGTH);
  return length % 4 === 0 && HEADER_OCTETS + length === data.length;
}

/**
 * The Binding success response to a Binding request from `address:port` (RFC 5389 §7.3.1, §15.2),
 * or undefined when `data` is not a Binding request or the address is not an IP literal.
 */
export function stunBindingResponse(data: Buffer, address: string, port: number): Buffer | undefined {
  if (!isStunMessage(data) || data.readUInt16BE(OFFSET_TYPE) !== BINDING_REQUEST) return undefined;
  const family = isIP(address);
  if (family === 0) return undefined;
  const ip = family === 4 ? ipv4Octets(address) : ipv6Octets(address);
  const transactionId = data.subarray(OFFSET_TRANSACTION_ID, HEADER_OCTETS);
  const mask = Buffer.concat([data.subarray(OFFSET_COOKIE, OFFSET_COOKIE + 4), transactionId]);
  const attribute = Buffer.alloc(4 + 4 + ip.length);
  attribute.writeUInt16BE(XOR_MAPPED_ADDRESS, 0);
  attribute.writeUInt16BE(4 + ip.length, 2);
  attribute.writeUInt8(0, 4);
  attribute.writeUInt8(family === 4 ? 0x01 : 0x02, 5);
  attribute.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 6);
  for (let i = 0; i < ip.length; i++) attribute[8 + i] = ip[i] ^ mask[i];
  const header = Buffer.alloc(HEADER_OCTETS);
  header.writeUInt16BE(BINDING_SUCCESS, OFFSET_TYPE);
  header.writeUInt16BE(attribute.length, OFFSET_LENGTH);
  header.writeUInt32BE(MAGIC_COOKIE, OFFSET_COOKIE);
  transactionId.copy(header, OFFSET_TRANSACTION_ID);
  return Buffer.concat([header, attribute]);
}

function ipv4Octets(address: string): Buffer {
  return Buffer.from(address.split('.').map((n) => Number(n)));
}

function ipv6Octets(address: string): Buffer {
  const halves = address.split('::');
  const left = halves[0] ? halves[0].split(':').flatMap(group) : [];
  const right = halves.length > 1 && halves[1] ? halves[1].split(':').flatMap(group) : [];
  const zeros = halves.length > 1 ? 8 - left.length - right.length : 0;
  const words = [...left, ...new Array<number>(zeros).fill(0), ...right];
  const out = Buffer.alloc(16);
  words.slice(0, 8).forEach((w, i) => out.writeUInt16BE(w & 0xffff, i * 2));
  return out;
}

/** One hextet, or two for an embedded IPv4 dotted quad (`::ffff:1.2.3.4`). */
function group(s: string): number[] {
  if (s.includes('.')) {
    const b = ipv4Octets(s);
    return [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
  }
  return [parseInt(s, 16)];
}
