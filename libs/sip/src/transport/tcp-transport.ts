/**
 * TCP transport (RFC 3261 §18, §18.3; RFC 5626 §4.4.1 keep-alive).
 *
 * A listening server plus outbound connections, all kept in one connection table keyed by the
 * remote `address:port`: an inbound connection is found under its source address and port (so a
 * response goes back over the connection its request came on, §18.2.2), an outbound one under the
 * address and port it was opened to. Sending to an address without an open connection opens one;
 * concurrent sends to the same address share the pending connect.
 */
import * as net from 'node:net';
import { errorFields, Logger, silentLogger } from './logger';
import { TcpConnection, TcpConnectionOwner } from './tcp-connection';
import type { LocalAddress, RemoteAddress, Transport, TransportListener } from './transport';
import { addressKey } from './transport';

/** Options of a `TcpTransport`. */
export interface TcpTransportOptions {
  /** Address to listen on, e.g. `"0.0.0.0"` or `"127.0.0.1"`. */
  host: string;
  /** Port to listen on; 0 picks a free one (read it back with `localAddress().port`). */
  port: number;
  /** Close a connection after this many ms without traffic (default 300 000; 0 disables). */
  idleTimeoutMs?: number;
  /** Give up an outbound connect after this many ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Refuse inbound connections beyond this many (default 10 000). */
  maxConnections?: number;
  logger?: Logger;
}

/** A TCP listener and connection table carrying SIP. */
export class TcpTransport implements Transport, TcpConnectionOwner {
  readonly protocol = 'TCP' as const;
  readonly reliable = true;
  listener?: TransportListener;
  readonly logger: Logger;
  private server?: net.Server;
  private bound?: LocalAddress;
  /** Lookup table: remote `address:port` → connection (an outbound one may be listed under two keys). */
  private readonly connections = new Map<string, TcpConnection>();
  /** Every open connection, whatever the table says (a key may have been taken over by a newer one). */
  private readonly all = new Set<TcpConnection>();
  private readonly connecting = new Map<string, Promise<TcpConnection>>();
  private readonly pendingSockets = new Set<net.Socket>();
  private readonly idleTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private closed = false;

  constructor(private readonly options: TcpTransportOptions) {
    this.logger = options.logger ?? silentLogger;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  }

  /** Sets who receives parsed messages and parse errors. */
  setListener(listener: TransportListener): void {
    this.listener = listener;
  }

  /** Starts listening. Rejects with the OS error (EADDRINUSE, …). */
  listen(): Promise<void> {
    if (this.server) return Promise.reject(new Error('TCP transport already listening'));
    const server = net.createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections ?? 10_000;
    this.server = server;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = undefined;
        server.close();
        reject(err);
      };
      server.once('error', onError);
      server.listen({ host: this.options.host, port: this.options.port, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.logger.error({ ...errorFields(err), transport: 'TCP' }, 'SIP TCP server error'));
        const a = server.address() as net.AddressInfo;
        this.bound = { transport: 'TCP', address: a.address, port: a.port };
        resolve();
      });
    });
  }

  /** The bound address. @throws Error before `listen()` resolved. */
  localAddress(): LocalAddress {
    if (!this.bound) throw new Error('TCP transport not listening');
    return this.bound;
  }

  /** True when a connection to `remote` (address and port) is open. */
  hasConnection(remote: RemoteAddress): boolean {
    return this.connections.get(addressKey(remote.address, remote.port))?.isOpen ?? false;
  }

  /** Number of open connections (inbound and outbound). */
  connectionCount(): number {
    return this.all.size;
  }

  /**
   * Sends over the open connection to `remote`, opening one if needed. Rejects on connect failure
   * (ECONNREFUSED, ETIMEDOUT after `connectTimeoutMs`, …) or write failure.
   */
  async send(data: Buffer, remote: RemoteAddress): Promise<void> {
    if (this.closed) throw new Error('TCP transport closed');
    const key = addressKey(remote.address, remote.port);
    const open = this.connections.get(key);
    if (open?.isOpen) return open.write(data);
    const connection = await this.connect(key, remote);
    return connection.write(data);
  }

  /** Closes the server and every connection; safe to call twice. */
  close(): Promise<void> {
    this.closed = true;
    for (const c of [...this.all]) c.destroy();
    this.all.clear();
    this.connections.clear();
    for (const s of this.pendingSockets) s.destroy(new Error('TCP transport closed'));
    this.pendingSockets.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** @internal Called by a connection when its socket closed. */
  connectionClosed(connection: TcpConnection): void {
    this.all.delete(connection);
    for (const key of connection.keys) if (this.connections.get(key) === connection) this.connections.delete(key);
  }

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const connection = new TcpConnection(socket, this, this.idleTimeoutMs);
    this.register(connection, addressKey(connection.remote.address, connection.remote.port));
    this.logger.debug({ remote: connection.remote }, 'SIP TCP connection accepted');
  }

  private register(connection: TcpConnection, ...keys: string[]): void {
    this.all.add(connection);
    for (const key of keys) {
      this.connections.set(key, connection);
      connection.keys.add(key);
    }
  }

  private connect(key: string, remote: RemoteAddress): Promise<TcpConnection> {
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const attempt = new Promise<TcpConnection>((resolve, reject) => {
      const socket = net.connect({ host: remote.address, port: remote.port });
      this.pendingSockets.add(socket);
      socket.once('close', () => this.pendingSockets.delete(socket));
      const timer = setTimeout(() => {
        const err: NodeJS.ErrnoException = new Error(`connect to ${remote.address}:${remote.port} timed out`);
        err.code = 'ETIMEDOUT';
        socket.destroy(err);
      }, this.connectTimeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        this.pendingSockets.delete(socket);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        this.pendingSockets.delete(socket);
        socket.removeAllListeners('error');
        if (this.closed) {
          socket.destroy();
          reject(new Error('TCP transport closed'));
          return;
        }
        const connection = new TcpConnection(socket, this, this.idleTimeoutMs);
        this.register(connection, key, addressKey(connection.remote.address, connection.remote.port));
        this.logger.debug({ remote: connection.remote }, 'SIP TCP connection opened');
        resolve(connection);
      });
    });
    this.connecting.set(key, attempt);
    const clear = (): void => {
      this.connecting.delete(key);
    };
    attempt.then(clear, clear);
    return attempt;
  }
}
