/**
 * A RAS channel: one UDP socket speaking H.225.0 RasMessage (H.225.0 §7; one PDU per datagram, aligned PER),
 * with the client side of RAS transactions: a request is retransmitted with the same requestSeqNum until a
 * response with that requestSeqNum arrives or the retries run out (H.225.0 §7, RAS timers), and a
 * RequestInProgress (RIP) extends the wait by its `delay`.
 *
 * Datagrams that do not decode are counted and logged, never thrown. Used by the endpoint and by the test
 * gatekeeper alike.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { H225, type H225Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { PerDecodeError } from '../per/per-error';
import { RasStateError, RasTimeoutError } from './ras-errors';
import { rasErrorFields, silentRasLogger, type RasLogger } from './ras-logger';
import { systemRasClock, type RasClock, type RasTimerHandle } from './ras-timers';
import type { IpTransportAddress } from './transport-address';

/** Alternatives that answer a request: matched to it by requestSeqNum. */
const RESPONSES: ReadonlySet<string> = new Set([
  'gatekeeperConfirm', 'gatekeeperReject', 'registrationConfirm', 'registrationReject',
  'unregistrationConfirm', 'unregistrationReject', 'admissionConfirm', 'admissionReject',
  'bandwidthConfirm', 'bandwidthReject', 'disengageConfirm', 'disengageReject', 'locationConfirm',
  'locationReject', 'infoRequestAck', 'infoRequestNak', 'unknownMessageResponse', 'resourcesAvailableConfirm',
  'serviceControlResponse', 'admissionConfirmSequence',
]);

/** Counters of a channel (never reset). */
export interface RasChannelStats {
  received: number;
  sent: number;
  /** Datagrams that did not decode as a RasMessage (PerDecodeError). */
  malformed: number;
  /** Responses whose requestSeqNum matched no outstanding request (late or duplicate). */
  unmatched: number;
  retransmissions: number;
}

/** A received RAS message that is not a response to one of our requests. */
export interface RasIncoming {
  readonly message: H225Types.RasMessage;
  /** The datagram as received. */
  readonly bytes: Buffer;
  readonly from: IpTransportAddress;
}

/** Timing of one request: first wait and retransmissions. */
export interface RasRequestTiming {
  /** Wait per transmission, ms. */
  readonly timeout: number;
  /** Retransmissions after the first transmission. */
  readonly retries: number;
}

interface Pending {
  readonly tag: string;
  readonly resolve: (message: H225Types.RasMessage) => void;
  readonly reject: (err: Error) => void;
  /** Replaces the running wait by one of `ms` (RIP). */
  extend: (ms: number) => void;
  timer: RasTimerHandle;
}

/** The requestSeqNum of any RasMessage (the first ACF of an admissionConfirmSequence), or undefined. */
export function requestSeqNumOf(message: H225Types.RasMessage): number | undefined {
  if (message.tag === '$unknown') return undefined;
  if (message.tag === 'admissionConfirmSequence') return message.value[0]?.requestSeqNum;
  return message.value.requestSeqNum;
}

/** See the file comment. Create with {@link RasChannel.open}. */
export class RasChannel {
  readonly stats: RasChannelStats = { received: 0, sent: 0, malformed: 0, unmatched: 0, retransmissions: 0 };
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly onIncoming: (incoming: RasIncoming) => void,
    private readonly clock: RasClock,
    private readonly log: RasLogger,
  ) {
    socket.on('message', (bytes, rinfo) => this.receive(bytes, rinfo));
    socket.on('error', (err) => this.log.error(rasErrorFields(err), 'RAS socket error'));
  }

  /**
   * Binds a UDP socket (IPv4 unless `address` is an IPv6 literal) and starts receiving.
   * @param onIncoming called for every decoded message that is not a response to our requests; errors it throws are logged
   * @throws the socket's bind error (e.g. EADDRINUSE)
   */
  static async open(options: {
    address: string;
    port: number;
    onIncoming: (incoming: RasIncoming) => void;
    clock?: RasClock;
    logger?: RasLogger;
  }): Promise<RasChannel> {
    const socket = createSocket({ type: options.address.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', failed);
      socket.bind(options.port, options.address, () => {
        socket.off('error', failed);
        resolve();
      });
    });
    return new RasChannel(socket, options.onIncoming, options.clock ?? systemRasClock, options.logger ?? silentRasLogger);
  }

  /** The bound address and port. */
  get localAddress(): IpTransportAddress {
    const { address, port } = this.socket.address();
    return { address, port };
  }

  /** Encodes and sends one message (no retransmission: for responses). Send errors are logged. */
  send(message: H225Types.RasMessage, to: IpTransportAddress): void {
    this.sendBytes(encode(H225.RasMessage, message), to);
  }

  /**
   * Sends a request and resolves with the response of the same requestSeqNum (a confirm, reject or XRS);
   * retransmits the same octets after each `timeout` (RIP: waits its `delay` instead).
   * @throws RasTimeoutError after 1 + retries transmissions without a response; RasStateError if the channel is
   *   closed meanwhile or the requestSeqNum is already outstanding; PerEncodeError when the message does not
   *   fit the schema (e.g. an alias outside its constraints)
   */
  request(message: H225Types.RasMessage, to: IpTransportAddress, timing: RasRequestTiming): Promise<H225Types.RasMessage> {
    const seq = requestSeqNumOf(message);
    if (this.closed) return Promise.reject(new RasStateError('RAS channel closed'));
    if (seq === undefined || this.pending.has(seq)) return Promise.reject(new RasStateError(`requestSeqNum ${seq} unusable`));
    let bytes: Buffer;
    try {
      bytes = encode(H225.RasMessage, message);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      let sent = 0;
      const transmit = (): void => {
        if (sent > timing.retries) {
          this.pending.delete(seq);
          reject(new RasTimeoutError(message.tag, sent));
          return;
        }
        if (sent > 0) this.stats.retransmissions++;
        sent++;
        this.sendBytes(bytes, to);
        entry.timer = this.clock.setTimeout(transmit, timing.timeout);
      };
      const entry: Pending = {
        tag: message.tag,
        resolve,
        reject,
        extend: (ms) => {
          this.clock.clearTimeout(entry.timer);
          entry.timer = this.clock.setTimeout(transmit, ms);
        },
        timer: undefined,
      };
      this.pending.set(seq, entry);
      transmit();
    });
  }

  /** Rejects outstanding requests, closes the socket. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [seq, entry] of this.pending) {
      this.clock.clearTimeout(entry.timer);
      this.pending.delete(seq);
      entry.reject(new RasStateError(`RAS channel closed while waiting for the answer to ${entry.tag}`));
    }
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private sendBytes(bytes: Buffer, to: IpTransportAddress): void {
    if (this.closed) return;
    this.stats.sent++;
    this.socket.send(bytes, to.port, to.address, (err) => {
      if (err) this.log.warn({ ...rasErrorFields(err), to }, 'RAS send failed');
    });
  }

  private receive(bytes: Buffer, rinfo: RemoteInfo): void {
    this.stats.received++;
    const from = { address: rinfo.address, port: rinfo.port };
    let message: H225Types.RasMessage;
    try {
      message = decode(H225.RasMessage, bytes);
    } catch (err) {
      this.stats.malformed++;
      const where = err instanceof PerDecodeError ? { path: err.path, bitOffset: err.bitOffset } : rasErrorFields(err);
      this.log.warn({ from, octets: bytes.length, ...where }, 'malformed RAS datagram dropped');
      return;
    }
    if (RESPONSES.has(message.tag) || message.tag === 'requestInProgress' || this.answersInfoRequest(message)) {
      this.answer(message, from);
      return;
    }
    try {
      this.onIncoming({ message, bytes, from });
    } catch (err) {
      this.log.error({ ...rasErrorFields(err), tag: message.tag }, 'RAS message handler failed');
    }
  }

  /** An IRR is the answer to our IRQ of the same requestSeqNum (unsolicited IRRs are requests). */
  private answersInfoRequest(message: H225Types.RasMessage): boolean {
    return message.tag === 'infoRequestResponse' && this.pending.get(message.value.requestSeqNum)?.tag === 'infoRequest';
  }

  private answer(message: H225Types.RasMessage, from: IpTransportAddress): void {
    const seq = requestSeqNumOf(message);
    const entry = seq === undefined ? undefined : this.pending.get(seq);
    if (seq === undefined || !entry) {
      this.stats.unmatched++;
      this.log.debug({ from, tag: message.tag, seq }, 'RAS response matches no outstanding request');
      return;
    }
    if (message.tag === 'requestInProgress') {
      // RIP (H.225.0 §7, Request in Progress): the answer comes within `delay` ms; wait that long instead.
      entry.extend(Math.max(1, message.value.delay));
      return;
    }
    this.clock.clearTimeout(entry.timer);
    this.pending.delete(seq);
    entry.resolve(message);
  }
}
