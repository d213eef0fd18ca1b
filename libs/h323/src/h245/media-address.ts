import type { H245Types } from '../asn1/generated';

/** An IPv4 transport address of an RTP or RTCP stream: dotted-quad address and UDP port. */
export interface MediaAddress {
  readonly address: string;
  readonly port: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * `{ address, port }` → H.245 TransportAddress `unicastAddress iPAddress` (H.245 Annex A, UnicastAddress: network is
 * the 4 octets of the IPv4 address, tsapIdentifier the UDP port).
 * @throws RangeError when the address is not a dotted-quad IPv4 address or the port is outside 0..65535.
 */
export function toTransportAddress(media: MediaAddress): H245Types.TransportAddress {
  const m = IPV4.exec(media.address);
  const octets = m ? m.slice(1).map(Number) : [];
  if (octets.length !== 4 || octets.some((o) => o > 255)) throw new RangeError(`not an IPv4 address: ${media.address}`);
  if (!Number.isInteger(media.port) || media.port < 0 || media.port > 65535) throw new RangeError(`not a UDP port: ${media.port}`);
  return { tag: 'unicastAddress', value: { tag: 'iPAddress', value: { network: Buffer.from(octets), tsapIdentifier: media.port } } };
}

/**
 * H.245 TransportAddress → `{ address, port }`, or undefined for anything but a unicast IPv4 address with 4 octets
 * (multicast, IPv6 and the other address kinds are not used by this MCU).
 */
export function fromTransportAddress(transport: H245Types.TransportAddress | undefined): MediaAddress | undefined {
  if (transport?.tag !== 'unicastAddress') return undefined;
  const unicast = transport.value;
  if (unicast.tag !== 'iPAddress') return undefined;
  const { network, tsapIdentifier } = unicast.value;
  if (network.length !== 4) return undefined;
  return { address: [...network].join('.'), port: tsapIdentifier };
}
