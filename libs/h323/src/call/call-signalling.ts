import { EventEmitter } from 'node:events';
import { createServer, Socket, type Server } from 'node:net';
import { AUDIO_CODECS, type AudioCodecName } from '../h245/capabilities';
import type { CallSettings } from './call-context';
import { silentCallLogger, type CallLogger } from './call-logger';
import { callTimers, systemCallClock, type CallClock, type CallTimers } from './call-timers';
import { DEFAULT_ENDPOINT_IDENTITY, type EndpointIdentity } from './endpoint-identity';
import type { H225Message } from './h225-message';
import type { H245PortFactory } from './h245-port';
import type { H323Call } from './h323-call';
import { IncomingCall } from './incoming-call';
import type { H323TransportAddress } from './media-channel';
import { OutgoingCall, type H323CallOptions } from './outgoing-call';
import { SignallingConnection } from './signalling-connection';

/** The well-known H.225.0 call signalling port (the well-known call signalling port). */
export const H225_CALL_SIGNALLING_PORT = 1720;

/** Settings of an {@link H323Endpoint}. */
export interface H323EndpointOptions {
  /** TCP port to listen on (default 1720; 0 for an ephemeral port). */
  readonly port?: number;
  /** Address to listen on (default '0.0.0.0'). */
  readonly host?: string;
  /** How we describe ourselves (EndpointType): default an MCU, "Tessera MCU". */
  readonly identity?: EndpointIdentity;
  /** Audio codecs in preference order (default G.711 µ-law, A-law, G.722). */
  readonly codecs?: readonly AudioCodecName[];
  readonly timers?: Partial<CallTimers>;
  /** Scheduler of the call timers (tests inject one). */
  readonly clock?: CallClock;
  readonly logger?: CallLogger;
  /** Creates each call's H.245 session; without it only Fast Connect media is possible. */
  readonly h245?: H245PortFactory;
  /** Accept H.245 tunnelling when offered (default true). */
  readonly acceptTunnelling?: boolean;
  /** Display name we send. */
  readonly displayName?: string;
}

/** The owner's decisions about incoming calls. */
export interface H323EndpointDelegate {
  /**
   * A Setup arrived and CallProceeding was sent. Decide with `call.accept({ localMedia, alerting })` or
   * `call.reject(reason)` — now or later (the `answer` timer, default 30 s, releases undecided calls). A throw or a
   * rejected promise rejects the call with 'resourceUnavailable'.
   */
  onSetup(call: IncomingCall): void | Promise<void>;
}

/** Events of an {@link H323Endpoint}. */
export interface H323EndpointEventMap {
  /** A call was created (incoming after its Setup, outgoing when placed). */
  call: [call: H323Call];
}

/**
 * H.225.0 call signalling endpoint (H.225.0 §7, H.323 §8): the TCP listener for incoming calls and the placing of
 * outgoing ones, each on its own connection ({@link SignallingConnection}) with one {@link H323Call} per call
 * reference. {@link close} releases every call (ReleaseComplete, H.323 §8.5) and closes all sockets.
 */
export class H323Endpoint extends EventEmitter<H323EndpointEventMap> {
  private readonly settings: CallSettings;
  private server: Server | undefined;
  private readonly connections = new Set<SignallingConnection>();
  private readonly usedCallReferences = new Set<number>();
  private closed = false;

  /**
   * @throws RangeError for invalid timer values or an empty codec list
   */
  constructor(
    private readonly delegate: H323EndpointDelegate,
    private readonly options: H323EndpointOptions = {},
  ) {
    super();
    const codecs = options.codecs ?? AUDIO_CODECS;
    if (codecs.length === 0) throw new RangeError('at least one audio codec');
    this.settings = {
      identity: options.identity ?? DEFAULT_ENDPOINT_IDENTITY,
      codecs,
      timers: callTimers(options.timers),
      clock: options.clock ?? systemCallClock,
      logger: options.logger ?? silentCallLogger,
      ...(options.h245 ? { h245: options.h245 } : {}),
      acceptTunnelling: options.acceptTunnelling ?? true,
      ...(options.displayName ? { displayName: options.displayName } : {}),
    };
  }

  /**
   * Starts listening for calls.
   * @returns the bound address (port resolved when 0 was asked)
   * @throws Error when the port cannot be bound or the endpoint is closed
   */
  async listen(): Promise<H323TransportAddress> {
    if (this.closed) throw new Error('H323Endpoint is closed');
    if (this.server) throw new Error('H323Endpoint is already listening');
    const server = createServer((socket) => this.adopt(socket, true));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? H225_CALL_SIGNALLING_PORT, this.options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.settings.logger.error({ error: error.message }, 'call signalling listener error'));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('listener has no TCP address');
    this.settings.logger.info({ port: address.port }, 'H.225.0 call signalling listening');
    return { address: address.address, port: address.port };
  }

  /** Calls in progress, both directions. */
  get calls(): H323Call[] {
    return [...this.callSet];
  }

  private readonly callSet = new Set<H323Call>();

  /** Open signalling connections (both directions). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Places a call: opens a TCP connection to `target` and sends Setup (H.225.0 §7.3.10). Progress and the outcome
   * arrive as events of the returned call (`connected`, `media`, `released` …).
   * @throws Error when the TCP connection cannot be made (the call was never created) or the endpoint is closed;
   *   RangeError when an address is not IPv4
   */
  async call(target: H323TransportAddress, options: H323CallOptions): Promise<OutgoingCall> {
    if (this.closed) throw new Error('H323Endpoint is closed');
    const socket = new Socket();
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(target.port, target.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const connection = this.adopt(socket, false);
    const call = new OutgoingCall(this.allocateCallReference(), target, options, connection, this.settings);
    this.track(call, connection);
    try {
      call.start();
    } catch (error) {
      call.hangUp('invalidContents');
      throw error;
    }
    return call;
  }

  /**
   * Releases every call with ReleaseComplete ('shutdown'), stops listening and closes all connections.
   * Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const call of [...this.callSet]) call.hangUp('shutdown');
    for (const connection of [...this.connections]) connection.close();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private adopt(socket: Socket, incoming: boolean): SignallingConnection {
    const connection = new SignallingConnection(socket, {
      settings: this.settings,
      onSetup: (conn, message) => this.onSetup(conn, message),
      onClosed: (conn) => this.connections.delete(conn),
    }, incoming);
    if (this.closed) connection.close();
    else this.connections.add(connection);
    return connection;
  }

  private onSetup(connection: SignallingConnection, message: H225Message): void {
    const call = new IncomingCall(message, connection, this.settings);
    this.track(call, connection);
    this.settings.logger.info({ call: call.label, called: call.setup.calledAliases }, 'incoming Setup');
    call.proceed();
    const refuse = (error: unknown): void => {
      this.settings.logger.error({ call: call.label, error: (error as Error)?.message }, 'onSetup failed; rejecting the call');
      call.reject('resourceUnavailable');
    };
    try {
      const result = this.delegate.onSetup(call);
      if (result instanceof Promise) result.catch(refuse);
    } catch (error) {
      refuse(error);
    }
  }

  private track(call: H323Call, connection: SignallingConnection): void {
    connection.attach(call);
    this.callSet.add(call);
    call.once('released', () => {
      this.callSet.delete(call);
      if (call.direction === 'outgoing') this.usedCallReferences.delete(call.callReference);
    });
    try {
      this.emit('call', call);
    } catch (error) {
      this.settings.logger.error({ error: (error as Error).message }, 'call event listener threw');
    }
  }

  /** A call reference value (1…32767, Q.931 §4.3) not in use by our outgoing calls. */
  private allocateCallReference(): number {
    for (let i = 0; i < 64; i += 1) {
      const value = 1 + Math.floor(Math.random() * 0x7ffe);
      if (!this.usedCallReferences.has(value)) {
        this.usedCallReferences.add(value);
        return value;
      }
    }
    throw new Error('no free call reference');
  }
}
