import { isIPv4, isIPv6 } from 'node:net';
import type { H225Types } from '../asn1/generated';

/** An IP transport address as sockets see it: dotted IPv4 or IPv6 text and a UDP/TCP port (0..65535). */
export interface IpTransportAddress {
  readonly address: string;
  readonly port: number;
}

/**
 * H.225.0 TransportAddress (ipAddress: 4 octets, or ip6Address: 16 octets) for an IP address and port.
 * @throws RangeError when `address` is not an IPv4/IPv6 literal or `port` is outside 0..65535.
 */
export function toTransportAddress({ address, port }: IpTransportAddress): H225Types.TransportAddress {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be 0..65535, got ${port}`);
  if (isIPv4(address)) return { tag: 'ipAddress', value: { ip: Buffer.from(address.split('.').map(Number)), port } };
  if (isIPv6(address)) return { tag: 'ip6Address', value: { ip: ipv6Octets(address), port } };
  throw new RangeError(`not an IP address literal: ${address}`);
}

/** The IP address and port of an H.225.0 TransportAddress, or undefined for non-IP alternatives. */
export function fromTransportAddress(transport: H225Types.TransportAddress): IpTransportAddress | undefined {
  if (transport.tag === 'ipAddress') return { address: [...transport.value.ip].join('.'), port: transport.value.port };
  if (transport.tag === 'ip6Address') {
    const ip = transport.value.ip;
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(ip.readUInt16BE(i).toString(16));
    return { address: groups.join(':'), port: transport.value.port };
  }
  return undefined;
}

function ipv6Octets(address: string): Buffer {
  const [head, tail = ''] = address.includes('::') ? address.split('::') : [address, undefined];
  const toGroups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  let headGroups = toGroups(head);
  let tailGroups = toGroups(tail);
  const last = (tailGroups.length > 0 ? tailGroups : headGroups).at(-1) ?? '';
  if (isIPv4(last)) {
    const v4 = last.split('.').map(Number);
    const extra = [((v4[0] << 8) | v4[1]).toString(16), ((v4[2] << 8) | v4[3]).toString(16)];
    if (tailGroups.length > 0) tailGroups = [...tailGroups.slice(0, -1), ...extra];
    else headGroups = [...headGroups.slice(0, -1), ...extra];
  }
  const zeros = address.includes('::') ? 8 - headGroups.length - tailGroups.length : 0;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
