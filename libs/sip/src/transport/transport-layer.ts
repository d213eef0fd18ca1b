/**
 * The transport layer (RFC 3261 §18; RFC 3581; RFC 5626 §4.4.1): owns the UDP and the TCP transport,
 * stamps received requests, routes responses per Via, writes the top Via of outgoing requests, and
 * answers or drops what cannot be parsed.
 *
 * Receiving (§18.2.1, §18.1.2):
 * - a request gets `received`/`rport` on its top Via (RFC 3581 §4) and goes to `TransportUser.onRequest`;
 *   a request whose top Via is missing or unreadable is dropped (no response could be routed);
 * - a response whose top Via sent-by is not ours is dropped (§18.1.2); otherwise it goes to
 *   `TransportUser.onResponse`, and is dropped when no client transaction took it (a stray response);
 * - a malformed request that the parser marks `respondable` is answered here with the parser's status
 *   and its reason as reason phrase (RFC 4475 style: "400 Missing Call-ID"); anything else is dropped.
 * Every drop and reject is counted (`stats()`) and logged.
 *
 * Sending: `prepareRequest()` writes our sent-by, transport and `rport` into the top Via and moves a
 * request larger than 1300 octets from UDP to TCP (§18.1.1); `sendRequest()` sends it (and falls back
 * to UDP when such a switched request finds the TCP port refused, §18.1.1); `sendResponse()` routes a
 * response per §18.2.2 / RFC 3581.
 */
import * as os from 'node:os';
import { isIP } from 'node:net';
import {
  createResponse,
  formatVia,
  generateBranch,
  generateTag,
  serializeMessage,
  setTopVia,
  SipRequest,
  SipResponse,
  topVia,
  Via,
} from '../message';
import { errorFields, Logger, silentLogger } from './logger';
import { TcpTransport } from './tcp-transport';
import type { LocalAddress, ReceivedMessage, ReceivedParseError, RemoteAddress, Transport, TransportProtocol } from './transport';
import { emptyTransportStats, TransportStats } from './transport-stats';
import { UdpTransport } from './udp-transport';
import { isOwnSentBy, responseDestination, stampReceived } from './via-routing';

/** Options of a `TransportLayer`. */
export interface TransportLayerOptions {
  /** Address to bind UDP and TCP to (IP literal), e.g. `"0.0.0.0"`. */
  host: string;
  /** Port for both UDP and TCP; 0 picks one free port for both. */
  port: number;
  /** Enable UDP (default true). */
  udp?: boolean;
  /** Enable TCP (default true). */
  tcp?: boolean;
  /** Host written as sent-by in our Via (default: `host`, or the first non-internal IPv4 when `host` is a wildcard). */
  sentByHost?: string;
  /** Requests larger than this many octets go over TCP instead of UDP (§18.1.1; default 1300). */
  udpSizeLimit?: number;
  /** TCP idle timeout in ms (default 300 000). */
  tcpIdleTimeoutMs?: number;
  /** TCP connect timeout in ms (default 10 000). */
  tcpConnectTimeoutMs?: number;
  logger?: Logger;
}

/** Receives what the transport layer delivers upwards (the transaction layer). Exceptions are caught and logged. */
export interface TransportUser {
  /** A well-formed request, top Via stamped with `received`/`rport`. */
  onRequest(request: SipRequest, event: ReceivedMessage): void;
  /** A response addressed to us. Returns false when no client transaction matched (it is then dropped and counted). */
  onResponse(response: SipResponse, event: ReceivedMessage): boolean;
}

const TCP_FALLBACK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPROTONOSUPPORT']);
const BIND_ATTEMPTS = 10;

/** UDP + TCP under one sent-by, with §18 receive and send rules. */
export class TransportLayer {
  private readonly logger: Logger;
  private udp?: UdpTransport;
  private tcp?: TcpTransport;
  private user?: TransportUser;
  private readonly counters: TransportStats = emptyTransportStats();
  private readonly switchedToTcp = new WeakSet<SipRequest>();
  private boundPort = 0;
  private readonly sentByHostValue: string;
  private readonly udpSizeLimit: number;

  constructor(private readonly options: TransportLayerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.sentByHostValue = options.sentByHost ?? defaultSentByHost(options.host);
    this.udpSizeLimit = options.udpSizeLimit ?? 1300;
    if (options.udp === false && options.tcp === false) throw new Error('TransportLayer needs UDP or TCP');
  }

  /** Sets who receives requests and responses (the transaction layer). */
  setUser(user: TransportUser): void {
    this.user = user;
  }

  /**
   * Binds UDP and TCP to `host:port`. With port 0 both get the same free port (retried a few times if
   * the port found for UDP is taken for TCP). Rejects with the OS error (EADDRINUSE, EACCES, …).
   */
  async listen(): Promise<void> {
    const { host, port } = this.options;
    for (let attempt = 1; ; attempt++) {
      const udp = this.options.udp === false ? undefined : this.makeUdp(host, port);
      try {
        if (udp) await udp.listen();
        const chosen = udp ? udp.localAddress().port : port;
        const tcp = this.options.tcp === false ? undefined : this.makeTcp(host, chosen);
        if (tcp) await tcp.listen();
        this.udp = udp;
        this.tcp = tcp;
        this.boundPort = (tcp ?? udp)?.localAddress().port ?? 0;
        this.logger.info({ host, port: this.boundPort, sentBy: this.sentBy() }, 'SIP transport listening');
        return;
      } catch (err) {
        await udp?.close();
        const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!(port === 0 && inUse && attempt < BIND_ATTEMPTS)) throw err;
      }
    }
  }

  /** The port UDP and TCP are bound to. @throws Error before `listen()` resolved. */
  get port(): number {
    if (this.boundPort === 0) throw new Error('transport layer not listening');
    return this.boundPort;
  }

  /** Our sent-by (`host:port`, IPv6 in brackets) as written into Via headers (§18.1.1). */
  sentBy(): string {
    return `${bracketed(this.sentByHostValue)}:${this.boundPort}`;
  }

  /** The local address of one transport. @throws Error when that transport is disabled or not listening. */
  localAddress(transport: TransportProtocol): LocalAddress {
    return this.transportFor(transport).localAddress();
  }

  /** True when `transport` is enabled. */
  supports(transport: TransportProtocol): boolean {
    return transport === 'UDP' ? this.udp !== undefined : this.tcp !== undefined;
  }

  /** Whether sends to `target` are reliable (no retransmissions, §17.1.1.2). */
  isReliable(target: RemoteAddress): boolean {
    return target.transport === 'TCP';
  }

  /**
   * Writes our sent-by, the transport and `rport` (RFC 3581 §3) into the top Via of `request`
   * (adding a Via with a fresh branch when there is none), and picks the transport: a request larger
   * than `udpSizeLimit` octets bound for UDP goes over TCP to the same address and port when TCP is
   * enabled (§18.1.1). Returns the target to send to.
   * @throws SipParseError when the existing top Via cannot be parsed; Error when the transport is disabled.
   */
  prepareRequest(request: SipRequest, target: RemoteAddress): RemoteAddress {
    let chosen = target;
    this.writeTopVia(request, chosen.transport);
    if (chosen.transport === 'UDP' && this.tcp && serializeMessage(request).length > this.udpSizeLimit) {
      chosen = { ...target, transport: 'TCP' };
      this.writeTopVia(request, 'TCP');
      this.switchedToTcp.add(request);
    }
    this.transportFor(chosen.transport);
    return chosen;
  }

  /**
   * Sends a request (first transmission or retransmission) as it stands. A request that
   * `prepareRequest()` moved to TCP is re-sent over UDP when the TCP connect is refused (§18.1.1).
   * Resolves with the target actually used; rejects on a transport error (§8.1.3.1: 503 semantics).
   */
  async sendRequest(request: SipRequest, target: RemoteAddress): Promise<RemoteAddress> {
    try {
      await this.send(request, target);
      return target;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!(target.transport === 'TCP' && this.udp && this.switchedToTcp.has(request) && TCP_FALLBACK_CODES.has(code))) throw err;
      this.logger.info({ target, code }, 'TCP refused for a large request, retrying over UDP (RFC 3261 §18.1.1)');
      this.switchedToTcp.delete(request);
      this.writeTopVia(request, 'UDP');
      const udpTarget: RemoteAddress = { ...target, transport: 'UDP' };
      await this.send(request, udpTarget);
      return udpTarget;
    }
  }

  /**
   * Sends a response to the request that came from `source` (RFC 3261 §18.2.2, RFC 3581 §4): over the
   * same TCP connection when it is open, else per the top Via (`maddr`, `received`, `rport`, sent-by).
   * Rejects on a transport error, or with SipParseError when the response has no usable top Via.
   */
  sendResponse(response: SipResponse, source: RemoteAddress): Promise<void> {
    let destination: RemoteAddress;
    try {
      const open = source.transport === 'TCP' && (this.tcp?.hasConnection(source) ?? false);
      destination = responseDestination(topVia(response), source, open);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.send(response, destination);
  }

  /**
   * Answers `request` statelessly with `status` and `reason` (RFC 3261 §8.2.6) and counts it as
   * rejected; used for requests that cannot enter the transaction layer. Never answers an ACK.
   * Errors are logged, never thrown.
   */
  reject(request: SipRequest, status: number, reason: string, source: RemoteAddress): void {
    if (request.method === 'ACK') {
      this.drop({ remote: source, reason }, 'ACK cannot be answered');
      return;
    }
    let response: SipResponse;
    try {
      response = createResponse(request, status, sanitizeReason(reason), { toTag: generateTag() });
    } catch (err) {
      this.drop({ ...errorFields(err), remote: source, reason }, 'could not build rejection');
      return;
    }
    this.counters.rejected++;
    this.logger.info({ remote: source, status, reason, method: request.method }, 'rejected SIP request');
    this.sendResponse(response, source).catch((err) =>
      this.logger.warn({ ...errorFields(err), remote: source }, 'could not send rejection'),
    );
  }

  /** Counts and logs a message discarded by an upper layer (e.g. a stray ACK nobody wants). */
  drop(fields: object, why: string): void {
    this.counters.dropped++;
    this.logger.warn(fields, `dropped SIP message: ${why}`);
  }

  /** A snapshot of the counters, plus the number of open TCP connections. */
  stats(): TransportStats & { tcpConnections: number } {
    return { ...this.counters, tcpConnections: this.tcp?.connectionCount() ?? 0 };
  }

  /** Closes both transports; safe to call twice. */
  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all([udp?.close(), tcp?.close()]);
  }

  private makeUdp(host: string, port: number): UdpTransport {
    const udp = new UdpTransport({ host, port, logger: this.logger });
    udp.setListener({ onMessage: (e) => this.onMessage(e), onParseError: (e) => this.onParseError(e) });
    return udp;
  }

  private makeTcp(host: string, port: number): TcpTransport {
    const tcp = new TcpTransport({
      host,
      port,
      idleTimeoutMs: this.options.tcpIdleTimeoutMs,
      connectTimeoutMs: this.options.tcpConnectTimeoutMs,
      logger: this.logger,
    });
    tcp.setListener({ onMessage: (e) => this.onMessage(e), onParseError: (e) => this.onParseError(e) });
    return tcp;
  }

  private transportFor(protocol: TransportProtocol): Transport {
    const t = protocol === 'UDP' ? this.udp : this.tcp;
    if (!t) throw new Error(`${protocol} transport is not enabled or not listening`);
    return t;
  }

  private async send(message: SipRequest | SipResponse, target: RemoteAddress): Promise<void> {
    const transport = this.transportFor(target.transport);
    await transport.send(serializeMessage(message), target);
    this.counters.sent++;
  }

  private writeTopVia(request: SipRequest, transport: TransportProtocol): void {
    const existing: Via | undefined = request.headers.has('via') ? topVia(request) : undefined;
    const via: Via = existing ?? { protocol: 'SIP/2.0', transport, host: '', params: new Map(), branch: generateBranch() };
    via.protocol = 'SIP/2.0';
    via.transport = transport;
    via.host = bracketed(this.sentByHostValue);
    via.port = this.boundPort;
    if (via.branch === undefined) via.branch = generateBranch();
    if (via.rport === undefined) via.rport = null;
    via.received = undefined;
    via.params.delete('received');
    if (existing) setTopVia(request, via);
    else request.headers.prepend('Via', formatVia(via));
  }

  private onMessage(event: ReceivedMessage): void {
    const user = this.user;
    const message = event.message;
    let via: Via;
    try {
      via = topVia(message);
    } catch (err) {
      this.drop({ ...errorFields(err), remote: event.remote }, 'no usable top Via');
      return;
    }
    if (message.isRequest()) {
      if (stampReceived(via, event.remote)) setTopVia(message, via);
      this.counters.received++;
      if (!user) return this.drop({ remote: event.remote }, 'no transaction layer');
      user.onRequest(message, event);
      return;
    }
    const response = message as SipResponse;
    if (!isOwnSentBy(via, this.ownHosts(), this.boundPort)) {
      this.drop({ remote: event.remote, sentBy: `${via.host}:${via.port ?? ''}` }, 'response not addressed to our sent-by (RFC 3261 §18.1.2)');
      return;
    }
    this.counters.received++;
    if (!user || !user.onResponse(response, event)) {
      this.drop({ remote: event.remote, status: response.status, branch: via.branch }, 'stray response (no client transaction, RFC 3261 §17.1.3)');
    }
  }

  private onParseError(event: ReceivedParseError): void {
    this.counters.parseErrors++;
    const { error, remote } = event;
    const partial = error.partial;
    if (!error.respondable || !partial || partial.method === 'ACK') {
      this.drop({ remote, reason: error.reason, size: event.size }, 'malformed message');
      return;
    }
    try {
      const via = topVia(partial);
      if (stampReceived(via, remote)) setTopVia(partial, via);
    } catch (err) {
      this.drop({ ...errorFields(err), remote, reason: error.reason }, 'malformed request without a usable Via');
      return;
    }
    this.reject(partial, error.status, error.reason, remote);
  }

  private ownHosts(): string[] {
    const hosts = [this.sentByHostValue];
    if (!isWildcard(this.options.host)) hosts.push(this.options.host);
    return hosts;
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** An IPv6 literal in brackets (as written in sent-by, RFC 3261 §25.1 `IPv6reference`); others unchanged. */
function bracketed(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** The host to advertise when none is configured: `host` itself, or for a wildcard the first non-internal IPv4. */
export function defaultSentByHost(host: string): string {
  if (!isWildcard(host)) return host;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** A reason phrase made safe for a status line (no CR/LF/control characters, at most 128 characters). */
export function sanitizeReason(reason: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = reason.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return (clean.length > 0 ? clean : 'Bad Request').slice(0, 128);
}
