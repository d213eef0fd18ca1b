/**
 * One SIP-over-TCP connection (RFC 3261 §18.3, RFC 5626 §4.4.1).
 *
 * Bytes from the socket go through a `StreamFramer` (Content-Length framing, §18.3); every framed
 * message is parsed on its own, so a malformed message whose length was readable yields a parse
 * error and the connection carries on. A stream that cannot be resynchronised (bad or missing
 * Content-Length, oversized headers) yields a fatal parse error, after which the connection is
 * half-closed once anything written in answer was flushed. A CRLFCRLF "ping" is answered with a
 * CRLF "pong" (RFC 5626 §4.4.1); pongs are ignored. The connection closes after `idleTimeoutMs`
 * without traffic either way. Socket errors are logged and close the connection, never thrown.
 */
import type { Socket } from 'node:net';
import { parseMessage, SipParseError, StreamFramer } from '../message';
import { errorFields, Logger } from './logger';
import type { LocalAddress, RemoteAddress, TransportListener } from './transport';
import { normalizeAddress } from './transport';

/** What a connection reports to the transport that owns it. */
export interface TcpConnectionOwner {
  readonly listener?: TransportListener;
  readonly logger: Logger;
  /** Called once when the socket closed (for whatever reason). */
  connectionClosed(connection: TcpConnection): void;
}

const CRLF = Buffer.from('\r\n');
/** Octets queued for a peer that does not read before the connection is given up (a slow or stuck peer). */
const MAX_QUEUED_OCTETS = 4 * 1024 * 1024;
/** After a fatal stream error, how long the peer gets to read our answer and close before we reset, ms. */
const LINGER_MS = 2000;

/** A TCP connection carrying SIP, inbound (accepted) or outbound (connected). */
export class TcpConnection {
  readonly remote: RemoteAddress;
  readonly local: LocalAddress;
  /** The connection-table keys this connection is listed under (kept by the owning transport). */
  readonly keys = new Set<string>();
  private readonly framer = new StreamFramer();
  private closing = false;
  private closed = false;
  private linger?: ReturnType<typeof setTimeout>;

  /**
   * @param socket a connected socket (the connection takes ownership).
   * @param idleTimeoutMs close after this many ms without traffic; 0 disables.
   */
  constructor(
    private readonly socket: Socket,
    private readonly owner: TcpConnectionOwner,
    idleTimeoutMs: number,
  ) {
    this.remote = { transport: 'TCP', address: normalizeAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    this.local = { transport: 'TCP', address: normalizeAddress(socket.localAddress ?? ''), port: socket.localPort ?? 0 };
    socket.setNoDelay(true);
    if (idleTimeoutMs > 0) socket.setTimeout(idleTimeoutMs);
    socket.on('timeout', () => {
      owner.logger.debug({ remote: this.remote }, 'closing idle SIP TCP connection');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => owner.logger.warn({ ...errorFields(err), remote: this.remote }, 'SIP TCP connection error'));
    socket.on('end', () => {
      // The peer half-closed: finish writing what is queued, then close our side.
      socket.end();
    });
    socket.on('close', () => {
      this.closed = true;
      if (this.linger) clearTimeout(this.linger);
      owner.connectionClosed(this);
    });
  }

  /** True until the socket closes or a fatal stream error started closing it. */
  get isOpen(): boolean {
    return !this.closed && !this.closing && !this.socket.destroyed;
  }

  /**
   * Writes one serialized message. Rejects when the connection is closed, the write fails, or more than
   * 4 MiB are already queued for a peer that does not read (the connection is then closed).
   */
  write(data: Buffer): Promise<void> {
    if (!this.isOpen) return Promise.reject(new Error(`TCP connection to ${this.remote.address}:${this.remote.port} is closed`));
    if (this.socket.writableLength + data.length > MAX_QUEUED_OCTETS) {
      this.owner.logger.warn({ remote: this.remote, queued: this.socket.writableLength }, 'SIP TCP peer does not read; closing');
      this.socket.destroy();
      return Promise.reject(new Error(`TCP connection to ${this.remote.address}:${this.remote.port} is congested`));
    }
    return new Promise<void>((resolve, reject) => {
      this.socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Closes the connection at once; safe to call twice. */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    const listener = this.owner.listener;
    let frames;
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      const error = err instanceof SipParseError ? err : new SipParseError(`Broken stream: ${String(err)}`);
      // Let the listener answer (it writes synchronously), then half-close: the peer sees the answer then EOF.
      this.safely(() => listener?.onParseError({ error, size: chunk.length, local: this.local, remote: this.remote, fatal: true }));
      this.closing = true;
      this.socket.end();
      this.linger = setTimeout(() => this.socket.destroy(), LINGER_MS);
      return;
    }
    for (const frame of frames) {
      if (frame.kind === 'ping') {
        this.socket.write(CRLF);
      } else if (frame.kind === 'message') {
        this.deliver(frame.data, listener);
      }
      if (this.closing || this.closed) return;
    }
  }

  private deliver(data: Buffer, listener: TransportListener | undefined): void {
    if (!listener) return;
    let message;
    try {
      message = parseMessage(data);
    } catch (err) {
      const error = err instanceof SipParseError ? err : new SipParseError(`Unparseable message: ${String(err)}`);
      this.safely(() => listener.onParseError({ error, size: data.length, local: this.local, remote: this.remote, fatal: false }));
      return;
    }
    this.safely(() => listener.onMessage({ message, size: data.length, local: this.local, remote: this.remote }));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.owner.logger.error({ ...errorFields(err), remote: this.remote }, 'error while handling a SIP TCP message');
    }
  }
}
