/**
 * Via processing in the transport layer (RFC 3261 §18.2.1, §18.2.2, §18.1.2; RFC 3581 §4).
 *
 * Pure functions: what to add to the top Via of a received request, where to send a response, and
 * whether a received response was meant for us.
 */
import type { Via } from '../message';
import { DEFAULT_SIP_PORT, normalizeAddress, RemoteAddress, TransportProtocol } from './transport';

/**
 * Adds `received` and fills `rport` on the top Via of a received request (RFC 3261 §18.2.1, RFC 3581 §4).
 *
 * - `received` is set to the source address when the sent-by host differs from it (a host name
 *   always differs), and always when `rport` is present (RFC 3581 §4).
 * - `rport` present without a value is set to the source port.
 *
 * @returns true when the Via was changed (the caller writes it back with `setTopVia`).
 */
export function stampReceived(via: Via, source: RemoteAddress): boolean {
  let changed = false;
  const sourceAddress = normalizeAddress(source.address);
  const rportRequested = via.rport === null;
  if (rportRequested) {
    via.rport = source.port;
    changed = true;
  }
  if (rportRequested || normalizeAddress(via.host) !== sourceAddress) {
    if (via.received !== sourceAddress) {
      via.received = sourceAddress;
      changed = true;
    }
  }
  return changed;
}

/**
 * Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4), given the top Via of the response and the
 * address its request came from.
 *
 * - Reliable (`source.transport` TCP): the connection the request came on when `connectionOpen`;
 *   otherwise a new connection to `received` (else the sent-by host) at the sent-by port (else 5060).
 * - Unreliable: `maddr` when present (sent-by port, else 5060); else `received` at `rport` when it has
 *   a value, else at the sent-by port (else 5060); else the sent-by host and port.
 */
export function responseDestination(via: Via, source: RemoteAddress, connectionOpen: boolean): RemoteAddress {
  const transport: TransportProtocol = source.transport;
  const sentByPort = via.port ?? DEFAULT_SIP_PORT;
  if (transport === 'TCP') {
    if (connectionOpen) return source;
    return { transport, address: normalizeAddress(via.received ?? via.host), port: sentByPort };
  }
  const maddr = via.params.get('maddr');
  if (maddr) return { transport, address: normalizeAddress(maddr), port: sentByPort };
  if (via.received) {
    const port = typeof via.rport === 'number' && via.rport > 0 ? via.rport : sentByPort;
    return { transport, address: normalizeAddress(via.received), port };
  }
  return { transport, address: normalizeAddress(via.host), port: sentByPort };
}

/**
 * True when the top Via of a received response names us (RFC 3261 §18.1.2): its sent-by host is one
 * of `hosts` (compared case-insensitively) and its port (5060 when absent) is `port`.
 */
export function isOwnSentBy(via: Via, hosts: readonly string[], port: number): boolean {
  const host = normalizeAddress(via.host);
  if ((via.port ?? DEFAULT_SIP_PORT) !== port) return false;
  return hosts.some((h) => normalizeAddress(h) === host);
}
