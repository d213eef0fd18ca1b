/**
 * UDP transport (RFC 3261 §18): one datagram socket, one message per datagram.
 *
 * Received datagrams are parsed whole (§18.3: a datagram carries exactly one message; Content-Length
 * is checked by the parser). Datagrams consisting only of CR/LF are keep-alives sent by many phones
 * and are ignored without a parse error; STUN Binding requests (RFC 5626 §4.4.2 keep-alives) are
 * answered with the sender's reflexive address.
 */
import * as dgram from 'node:dgram';
import { isIP } from 'node:net';
import { parseMessage, SipParseError } from '../message';
import { errorFields, Logger, silentLogger } from './logger';
import { isStunMessage, stunBindingResponse } from './stun-keepalive';
import type { LocalAddress, RemoteAddress, Transport, TransportListener } from './transport';
import { normalizeAddress } from './transport';

/** Options of a `UdpTransport`. */
export interface UdpTransportOptions {
  /** Address to bind (IPv4 or IPv6 literal), e.g. `"0.0.0.0"` or `"127.0.0.1"`. */
  host: string;
  /** Port to bind; 0 picks a free one (read it back with `localAddress().port`). */
  port: number;
  /** Socket receive buffer in octets, to ride out bursts (default 1 MiB; the OS may cap it). */
  recvBufferSize?: number;
  logger?: Logger;
}

/** The largest UDP payload over IPv4, in octets (65535 − 8 − 20). */
export const MAX_UDP_PAYLOAD = 65507;

/** A bound UDP socket carrying SIP. */
export class UdpTransport implements Transport {
  readonly protocol = 'UDP' as const;
  readonly reliable = false;
  private socket?: dgram.Socket;
  private bound?: LocalAddress;
  private listener?: TransportListener;
  private readonly logger: Logger;

  constructor(private readonly options: UdpTransportOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Sets who receives parsed messages and parse errors. */
  setListener(listener: TransportListener): void {
    this.listener = listener;
  }

  /** Binds the socket. Rejects with the OS error (EADDRINUSE, EADDRNOTAVAIL, …). */
  listen(): Promise<void> {
    if (this.socket) return Promise.reject(new Error('UDP transport already listening'));
    const type = isIP(this.options.host) === 6 ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, recvBufferSize: this.options.recvBufferSize ?? 1 << 20 });
    this.socket = socket;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.socket = undefined;
        socket.close();
        reject(err);
      };
      socket.once('error', onError);
      socket.bind({ address: this.options.host, port: this.options.port, exclusive: true }, () => {
        socket.off('error', onError);
        socket.on('error', (err) => this.logger.error({ ...errorFields(err), transport: 'UDP' }, 'UDP socket error'));
        socket.on('message', (data, rinfo) => this.onDatagram(data, rinfo));
        const a = socket.address();
        this.bound = { transport: 'UDP', address: a.address, port: a.port };
        resolve();
      });
    });
  }

  /** The bound address. @throws Error before `listen()` resolved. */
  localAddress(): LocalAddress {
    if (!this.bound) throw new Error('UDP transport not listening');
    return this.bound;
  }

  /**
   * Sends one datagram. Rejects when the transport is closed, when `data` exceeds `MAX_UDP_PAYLOAD`
   * octets, or on a socket error (EHOSTUNREACH, ENETUNREACH, a host name that does not resolve, …).
   */
  send(data: Buffer, remote: RemoteAddress): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.bound) return Promise.reject(new Error('UDP transport not listening'));
    if (data.length > MAX_UDP_PAYLOAD) {
      return Promise.reject(new Error(`message of ${data.length} octets exceeds the UDP maximum of ${MAX_UDP_PAYLOAD}`));
    }
    return new Promise<void>((resolve, reject) => {
      try {
        socket.send(data, remote.port, remote.address, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Closes the socket; safe to call twice. */
  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return Promise.resolve();
    return new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch (err) {
        this.logger.debug(errorFields(err), 'UDP socket already closed');
        resolve();
      }
    });
  }

  private answerStun(data: Buffer, remote: RemoteAddress): void {
    const response = stunBindingResponse(data, remote.address, remote.port);
    if (!response) {
      this.logger.debug({ remote }, 'STUN message other than a Binding request ignored');
      return;
    }
    this.send(response, remote).catch((err) => this.logger.debug({ ...errorFields(err), remote }, 'STUN response not sent'));
  }

  private onDatagram(data: Buffer, rinfo: dgram.RemoteInfo): void {
    const local = this.bound;
    const listener = this.listener;
    if (!local || !listener) return;
    if (isKeepAlive(data)) return;
    const remote: RemoteAddress = { transport: 'UDP', address: normalizeAddress(rinfo.address), port: rinfo.port };
    if (isStunMessage(data)) {
      this.answerStun(data, remote);
      return;
    }
    try {
      let message;
      try {
        message = parseMessage(data);
      } catch (err) {
        const error = err instanceof SipParseError ? err : new SipParseError(`Unparseable message: ${String(err)}`);
        listener.onParseError({ error, size: data.length, local, remote, fatal: false });
        return;
      }
      listener.onMessage({ message, size: data.length, local, remote });
    } catch (err) {
      this.logger.error({ ...errorFields(err), remote }, 'error while handling a UDP datagram');
    }
  }
}

/** True for a datagram made only of CR and LF (RFC 5626 §3.5.1-style keep-alive sent over UDP by many UAs). */
export function isKeepAlive(data: Buffer): boolean {
  if (data.length === 0 || data.length > 8) return data.length === 0;
  for (const b of data) if (b !== 0x0d && b !== 0x0a) return false;
  return true;
}
