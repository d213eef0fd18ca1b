/**
 * Where to send a request addressed to a SIP URI (RFC 3261 §8.1.2, §18.1.1; RFC 3263 §4 reduced to
 * what the MCU needs: no NAPTR/SRV lookups, host names are left to the OS resolver when sending).
 */
import type { SipUri } from '../message';
import { SipError } from '../message';
import { DEFAULT_SIP_PORT, RemoteAddress, TransportProtocol } from './transport';

/** The URI cannot be reached with the transports this stack speaks. */
export class UnsupportedTargetError extends SipError {}

/**
 * The transport address for `uri` (normally the first Route entry or the remote target):
 * - host: the `maddr` parameter when present (§19.1.1), else the URI host (IPv6 brackets removed);
 * - port: the URI port, else 5060;
 * - transport: the `transport` parameter (`udp` / `tcp`, case-insensitive), else `defaultTransport`
 *   (UDP unless the caller knows better, e.g. the flow the dialog was created on, §18.1.1).
 * @throws UnsupportedTargetError for `sips` URIs, `transport=tls/sctp/ws/…`, and URIs without a host.
 */
export function targetForUri(uri: SipUri, defaultTransport: TransportProtocol = 'UDP'): RemoteAddress {
  if (uri.scheme !== 'sip') throw new UnsupportedTargetError(`cannot send to a ${uri.scheme}: URI (only sip: over UDP/TCP)`);
  const param = uri.params.get('transport');
  let transport: TransportProtocol = defaultTransport;
  if (param !== undefined && param !== null) {
    const upper = param.toUpperCase();
    if (upper !== 'UDP' && upper !== 'TCP') throw new UnsupportedTargetError(`transport=${param} is not supported (only UDP and TCP)`);
    transport = upper;
  }
  const maddr = uri.params.get('maddr');
  const host = stripBrackets(maddr ? maddr : uri.host);
  if (host.length === 0) throw new UnsupportedTargetError('URI has no host');
  return { transport, address: host, port: uri.port ?? DEFAULT_SIP_PORT };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
