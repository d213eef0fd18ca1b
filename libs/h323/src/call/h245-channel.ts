import { createServer, Socket, type Server } from 'node:net';
import { encodeTpkt, TpktReassembler } from '../tpkt/tpkt';
import type { H323TransportAddress } from './media-channel';

/** What an {@link H245Channel} reports. Exceptions thrown by handlers are not caught here. */
export interface H245ChannelHandlers {
  /** One H.245 PDU (a TPKT payload) from the peer. */
  onPdu(pdu: Buffer): void;
  /** The TCP connection is up; queued PDUs have been written. */
  onConnected(): void;
  /** The connection ended or could not be made; `error` says why when it was not an orderly close. */
  onClosed(error?: Error): void;
}

/**
 * The separate H.245 TCP connection of one call (H.323 §8.2: the H.245 channel is opened to the
 * `h245Address` one side announced, and carries TPKT-framed MultimediaSystemControlMessage PDUs).
 *
 * Either side may listen: {@link listen} opens a listener on an ephemeral port, accepts exactly one connection and
 * closes the listener; {@link connect} opens the connection to the peer's address. PDUs sent before the connection
 * is up are queued. {@link close} is safe to call twice.
 */
export class H245Channel {
  private server: Server | undefined;
  private socket: Socket | undefined;
  private readonly queue: Buffer[] = [];
  private readonly reassembler = new TpktReassembler();
  private closed = false;

  constructor(private readonly handlers: H245ChannelHandlers) {}

  /** Whether the TCP connection is up. */
  get connected(): boolean {
    return this.socket !== undefined && !this.socket.connecting && !this.closed;
  }

  /**
   * Listens on `host`, port 0, for the peer's connection.
   * @returns the address to announce in h245Address
   * @throws Error when the listener cannot be opened (e.g. the host is not local)
   */
  async listen(host: string): Promise<H323TransportAddress> {
    const server = createServer((socket) => {
      server.close();
      this.server = undefined;
      if (this.closed || this.socket) {
        socket.destroy();
        return;
      }
      this.attach(socket);
      this.flushQueue();
      this.handlers.onConnected();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.fail(error));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('H.245 listener has no TCP address');
    return { address: host, port: address.port };
  }

  /** Connects to the peer's h245Address. Failure is reported through `onClosed(error)`. */
  connect(address: H323TransportAddress): void {
    const socket = new Socket();
    this.attach(socket);
    socket.once('connect', () => {
      if (this.closed) return;
      this.flushQueue();
      this.handlers.onConnected();
    });
    socket.connect(address.port, address.address);
  }

  /** Sends one PDU, or queues it until the connection is up. Ignored after close. */
  send(pdu: Buffer): void {
    if (this.closed) return;
    if (this.connected) this.socket!.write(encodeTpkt(pdu));
    else this.queue.push(pdu);
  }

  /** Closes the listener and the connection (after writing what is pending). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server?.close();
    this.server = undefined;
    this.socket?.end();
    this.socket?.destroySoon();
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      let pdus: Buffer[];
      try {
        pdus = this.reassembler.push(chunk);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      for (const pdu of pdus) if (!this.closed) this.handlers.onPdu(pdu);
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.handlers.onClosed();
    });
  }

  private flushQueue(): void {
    for (const pdu of this.queue.splice(0)) this.socket!.write(encodeTpkt(pdu));
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.server?.close();
    this.socket?.destroy();
    this.handlers.onClosed(error);
  }
}
