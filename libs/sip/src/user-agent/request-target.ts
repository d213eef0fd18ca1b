/**
 * Where a request inside a dialog goes (RFC 3261 §8.1.2, §12.2.1.1, §18.1.1; RFC 3263 §4.1 for the
 * transport when the URI names none).
 *
 * The URI is the dialog's next hop (first route or remote target). Its `transport` parameter picks the
 * transport; without one the transport the dialog was created over is used, so a caller on TCP keeps
 * hearing from the MCU over TCP. With no route set, requests go back over the caller's own connection or
 * source address when it is behind NAT: always for TCP (connection reuse), and for UDP when the caller
 * asked for symmetric routing with `rport` (RFC 3581) and its Contact host is not the address its
 * request came from.
 */
import type { SipUri } from '../message';
import { DEFAULT_SIP_PORT, normalizeAddress, type RemoteAddress, type TransportProtocol } from '../transport/transport';

/** The transport a URI asks for, if it names one we speak. */
function uriTransport(uri: SipUri): TransportProtocol | undefined {
  const t = uri.params.get('transport')?.toLowerCase();
  if (t === 'tcp') return 'TCP';
  if (t === 'udp') return 'UDP';
  return undefined;
}

/** What `requestTarget()` needs to know about the dialog. */
export interface DialogTransportContext {
  /** The next hop (first route or remote target, `Dialog.nextHop()`). */
  nextHop: SipUri;
  /** True when the dialog has a route set (requests then follow it strictly). */
  routed: boolean;
  /** Where the dialog-creating request came from. */
  source: RemoteAddress;
  /** True when that request's top Via carried `rport` (RFC 3581). */
  symmetric: boolean;
}

/** The address, port and transport to send an in-dialog request to. */
export function requestTarget(ctx: DialogTransportContext): RemoteAddress {
  const uri = ctx.nextHop;
  const transport = uriTransport(uri) ?? ctx.source.transport;
  const host = normalizeAddress(uri.params.get('maddr') ?? uri.host);
  const port = uri.port ?? DEFAULT_SIP_PORT;
  if (!ctx.routed) {
    if (transport === 'TCP' && ctx.source.transport === 'TCP') return { ...ctx.source };
    if (transport === 'UDP' && ctx.source.transport === 'UDP' && ctx.symmetric && host !== normalizeAddress(ctx.source.address)) {
      return { ...ctx.source };
    }
  }
  return { transport, address: host, port };
}
