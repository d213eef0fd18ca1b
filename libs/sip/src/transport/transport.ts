/**
 * The transport interface (RFC 3261 §18): what the transport layer needs from a UDP or TCP transport.
 *
 * A transport owns its sockets, turns received bytes into parsed messages (or parse errors), and
 * sends serialized messages to a remote address. It never answers anything itself: the transport
 * layer (`transport-layer.ts`) decides what to do with every event.
 */
import type { SipParseError, SipRequest, SipResponse } from '../message';

/** The transport protocols the stack speaks (Via `transport` token, upper-case). */
export type TransportProtocol = 'UDP' | 'TCP';

/** An address:port reached over one transport protocol. `address` is an IP literal or a host name. */
export interface RemoteAddress {
  transport: TransportProtocol;
  /** IPv4/IPv6 literal (no brackets) or a host name (resolved by the OS resolver when sending). */
  address: string;
  /** Port, 1..65535. */
  port: number;
}

/** The local address a transport is bound to (port is the bound one, also when 0 was asked for). */
export type LocalAddress = RemoteAddress;

/** A message received and parsed by a transport. */
export interface ReceivedMessage {
  message: SipRequest | SipResponse;
  /** Size of the message on the wire, in octets (start line, headers and body). */
  size: number;
  /** Where it arrived. */
  local: LocalAddress;
  /** Where it came from: the datagram's source, or the TCP connection's remote end. */
  remote: RemoteAddress;
}

/** A message (or a broken stream) a transport could not parse. */
export interface ReceivedParseError {
  error: SipParseError;
  /** Octets received for the message (for a broken stream: the chunk that broke it). */
  size: number;
  local: LocalAddress;
  remote: RemoteAddress;
  /**
   * True when the stream cannot be resynchronised (RFC 3261 §18.3): the transport closes the
   * connection once the listener returns (after anything the listener wrote was flushed).
   */
  fatal: boolean;
}

/** Receives what a transport reads from the network. Errors thrown by these are caught and logged. */
export interface TransportListener {
  onMessage(event: ReceivedMessage): void;
  onParseError(event: ReceivedParseError): void;
}

/** A bound UDP or TCP transport. */
export interface Transport {
  readonly protocol: TransportProtocol;
  /** True for connection-oriented transports (TCP): no retransmissions, Timers D/I/J/K are zero (§17). */
  readonly reliable: boolean;
  /** Sets who receives parsed messages and parse errors (call before `listen()`). */
  setListener(listener: TransportListener): void;
  /** Binds the socket(s). Rejects with the OS error (EADDRINUSE, EACCES, …). */
  listen(): Promise<void>;
  /** The bound address. @throws Error when called before `listen()` resolved. */
  localAddress(): LocalAddress;
  /**
   * Sends one serialized message. For TCP an open connection to `remote` is reused, else one is
   * opened. Rejects on a socket error (the caller reports it as a transport error, §8.1.3.1).
   */
  send(data: Buffer, remote: RemoteAddress): Promise<void>;
  /** Closes every socket; safe to call twice. */
  close(): Promise<void>;
}

/** `address:port` with IPv4-mapped IPv6 addresses folded to IPv4 (connection table key). */
export function addressKey(address: string, port: number): string {
  return `${normalizeAddress(address)}:${port}`;
}

/** Folds `::ffff:1.2.3.4` to `1.2.3.4` and lower-cases host names and IPv6 literals; strips brackets. */
export function normalizeAddress(address: string): string {
  let a = address.toLowerCase();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  if (a.startsWith('::ffff:') && a.indexOf('.') > 0) a = a.slice(7);
  return a;
}

/** Default SIP port for UDP and TCP (RFC 3261 §19.1.2). */
export const DEFAULT_SIP_PORT = 5060;
