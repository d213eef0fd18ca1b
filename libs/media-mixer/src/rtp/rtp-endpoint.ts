/**
 * One RTP endpoint per call leg and media line (RFC 3550): the RTP and RTCP sockets of an
 * `RtpPortPair`, or RTP and RTCP multiplexed on the RTP port (RFC 5761 §4), with symmetric RTP and
 * latching (`RtpLatch`), RTP (de)serialization by werift-rtp (`readRtpPacket` checks lengths
 * first), compound RTCP reports on the RFC 3550 §6.3 schedule through an `RtcpReporter`, and BYE
 * (§6.6) when it closes.
 *
 * Every datagram that is not accepted is counted by reason (malformed, foreign source, unknown
 * payload type) and the first of each kind is logged; nothing from the network throws past the
 * socket handler.
 */
import type * as dgram from 'node:dgram';
import { isIP } from 'node:net';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { InvalidArgumentError, PacketFormatError } from '../errors';
import type { TimerScheduler } from '../audio/frame-clock';
import { type MediaLogger, errorFields, silentMediaLogger } from '../media-logger';
import type { RtpPortPair } from './port-allocator';
import { RtcpReporter, type RtpLegStatistics } from './rtcp-reporter';
import { type RtcpCompound, parseCompoundRtcp } from './rtcp-compound';
import { rtcpIntervalMs } from './rtcp-interval';
import { type NegotiatedTransport, RtpLatch, type TransportAddress } from './rtp-latch';
import { isRtcpDatagram, readRtpPacket } from './rtp-packet-reader';

/** The header fields of an outgoing RTP packet (the SSRC is the endpoint's). */
export interface OutgoingRtpHeader {
  payloadType: number;
  /** 16-bit sequence number. */
  sequenceNumber: number;
  /** 32-bit RTP timestamp. */
  timestamp: number;
  marker: boolean;
}

/** Options of an `RtpEndpoint`. */
export interface RtpEndpointOptions {
  /** The bound sockets; the endpoint owns them from now on and releases them on `close()`. */
  pair: RtpPortPair;
  /** Remote addresses from the session description (IP literals). */
  remote: NegotiatedTransport;
  /** Payload types accepted on receive (codec, telephone-event, comfort noise…). */
  payloadTypes: Iterable<number>;
  /** Our SSRC (RFC 3550 §8: random). */
  ssrc: number;
  /** Our SDES CNAME (RFC 3550 §6.5.1), e.g. `mcu@198.51.100.7`. */
  cname: string;
  /** RTP clock rate of the stream we send, Hz. */
  clockRate: number;
  /** RTP clock rate of the stream we receive, Hz (default `clockRate`). */
  remoteClockRate?: number;
  /** Receives every accepted RTP packet with its arrival time (monotonic ms). */
  onRtp: (packet: RtpPacket, arrivalMs: number) => void;
  /** Receives every accepted compound RTCP packet, after the reporter processed it. */
  onRtcp?: (compound: RtcpCompound) => void;
  /** Session bandwidth in bit/s for the RTCP share (RFC 3550 §6.2: 5 %). Default 80 000. */
  sessionBandwidth?: number;
  /** Fixed RTCP report interval in ms instead of the §6.3.1 computation (tests, tuning). */
  rtcpIntervalMs?: number;
  /** Monotonic time in ms. Default `performance.now`. */
  clock?: () => number;
  /** Wall-clock ms since the epoch, for NTP timestamps. Default `Date.now`. */
  wallClock?: () => number;
  /** Timers for the RTCP schedule. Default unref'd `setTimeout`. */
  timers?: TimerScheduler;
  /** Uniform random numbers in [0, 1) for the RTCP interval. Default `Math.random`. */
  random?: () => number;
  logger?: MediaLogger;
  /** Fields added to every log line (e.g. `{ legId }`). */
  logContext?: Record<string, unknown>;
}

/** Counters of one endpoint, on top of the RTCP statistics. */
export interface RtpEndpointCounters {
  rtpPacketsReceived: number;
  /** RTP payload octets received (headers excluded, as RFC 3550 counts octets). */
  rtpOctetsReceived: number;
  rtpPacketsSent: number;
  rtpOctetsSent: number;
  /** Datagrams that failed RTP or RTCP validation (RFC 3550 §A.1, §A.2). */
  malformed: number;
  /** Valid packets from a source other than the (latched) peer (RFC 7362). */
  foreign: number;
  /** RTP packets with a payload type that was not negotiated. */
  unknownPayloadType: number;
  rtcpPacketsReceived: number;
  rtcpPacketsSent: number;
  /** Sends the operating system refused (unreachable, closed socket). */
  sendErrors: number;
}

/** Statistics snapshot of an endpoint. */
export interface RtpEndpointStats extends RtpEndpointCounters {
  rtcp: RtpLegStatistics;
  latched: boolean;
  /** Where RTP goes now (`address:port`), if anywhere. */
  rtpTarget?: string;
}

const defaultTimers: TimerScheduler = {
  set: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** UDP + IPv4 header octets, added to RTCP sizes for the interval computation (§6.3.3). */
const UDP_IP_OVERHEAD = 28;

type CounterName = keyof RtpEndpointCounters;

/** RTP/RTCP endpoint of one leg's media line. */
export class RtpEndpoint {
  private readonly opts: RtpEndpointOptions;
  private readonly pair: RtpPortPair;
  private readonly latch: RtpLatch;
  private payloadTypes: Set<number>;
  private reporter: RtcpReporter;
  private readonly clock: () => number;
  private readonly wallClock: () => number;
  private readonly timers: TimerScheduler;
  private readonly random: () => number;
  private readonly logger: MediaLogger;
  private readonly logContext: Record<string, unknown>;
  private readonly counters: RtpEndpointCounters = {
    rtpPacketsReceived: 0,
    rtpOctetsReceived: 0,
    rtpPacketsSent: 0,
    rtpOctetsSent: 0,
    malformed: 0,
    foreign: 0,
    unknownPayloadType: 0,
    rtcpPacketsReceived: 0,
    rtcpPacketsSent: 0,
    sendErrors: 0,
  };
  private readonly logged = new Set<CounterName>();
  private readonly header: RtpHeader;
  private rtcpTimer: unknown;
  private averageRtcpSize = 100;
  private initialReport = true;
  private closing: Promise<void> | undefined;
  private readonly onRtpMessage = (data: Buffer, rinfo: dgram.RemoteInfo): void => this.onDatagram(data, rinfo, false);
  private readonly onRtcpMessage = (data: Buffer, rinfo: dgram.RemoteInfo): void => this.onDatagram(data, rinfo, true);
  private readonly onSocketError = (err: Error): void => this.logger.warn({ ...this.logContext, ...errorFields(err) }, 'RTP socket error');

  /** @throws InvalidArgumentError when the remote address is not an IP literal or a port is out of range. */
  constructor(options: RtpEndpointOptions) {
    const opts = { ...options }; // a copy: renegotiation updates it
    this.opts = opts;
    checkRemote(opts.remote);
    this.pair = opts.pair;
    this.latch = new RtpLatch(opts.remote);
    this.payloadTypes = new Set(opts.payloadTypes);
    this.clock = opts.clock ?? (() => performance.now());
    this.wallClock = opts.wallClock ?? Date.now;
    this.timers = opts.timers ?? defaultTimers;
    this.random = opts.random ?? Math.random;
    this.logger = opts.logger ?? silentMediaLogger;
    this.logContext = { ...opts.logContext, localPort: opts.pair.rtpPort };
    this.reporter = this.newReporter(opts.clockRate, opts.remoteClockRate ?? opts.clockRate);
    this.header = new RtpHeader({ ssrc: opts.ssrc >>> 0 });
    this.pair.rtp.on('message', this.onRtpMessage);
    this.pair.rtcp.on('message', this.onRtcpMessage);
    this.pair.rtp.on('error', this.onSocketError);
    this.pair.rtcp.on('error', this.onSocketError);
    this.scheduleReport();
  }

  /** Local RTP port. */
  get localPort(): number {
    return this.pair.rtpPort;
  }

  /** Our SSRC. */
  get ssrc(): number {
    return this.opts.ssrc;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Sends one RTP packet to the current target (rule of `RtpLatch`). Nothing is sent while the
   * remote address is a hold address and nothing latched, or after `close()`.
   * @returns true when the datagram was handed to the socket.
   */
  sendRtp(header: OutgoingRtpHeader, payload: Buffer): boolean {
    const target = this.latch.rtpTarget();
    if (!target || this.closed) return false;
    // One werift header per endpoint, refilled per packet: serialize() copies it into a new buffer.
    const h = this.header;
    h.payloadType = header.payloadType;
    h.sequenceNumber = header.sequenceNumber & 0xffff;
    h.timestamp = header.timestamp >>> 0;
    h.marker = header.marker;
    if (!this.send(this.pair.rtp, new RtpPacket(h, payload).serialize(), target)) return false;
    this.counters.rtpPacketsSent++;
    this.counters.rtpOctetsSent += payload.length;
    this.reporter.onRtpSent(header.timestamp, payload.length);
    return true;
  }

  /**
   * Sends feedback at once, outside the regular schedule (RFC 4585 §3.5.2 immediate feedback): a
   * compound packet of our report (SR or RR), SDES CNAME and `feedback` (one or more serialized
   * RTCP packets, e.g. a PLI or FIR from `serializePli`/`serializeFir`), to the RTCP target
   * (the RTP port with rtcp-mux). Nothing is sent before the peer is known or after `close()`.
   * @returns true when the datagram was handed to the socket.
   */
  sendFeedback(feedback: Buffer): boolean {
    const target = this.latch.rtcpTarget();
    if (!target || this.closed) return false;
    let compound: Buffer;
    try {
      compound = Buffer.concat([this.reporter.buildReport(), feedback]);
    } catch (err) {
      this.logger.warn({ ...this.logContext, ...errorFields(err) }, 'RTCP feedback not built');
      return false;
    }
    if (!this.send(this.opts.remote.rtcpMux ? this.pair.rtp : this.pair.rtcp, compound, target)) return false;
    this.counters.rtcpPacketsSent++;
    return true;
  }

  /**
   * Applies a new negotiation (re-INVITE): new remote addresses undo the latch (`RtpLatch.renegotiate`);
   * a new receive clock rate or our new send clock rate starts new RTCP statistics.
   * @throws InvalidArgumentError like the constructor.
   */
  update(next: { remote?: NegotiatedTransport; payloadTypes?: Iterable<number>; clockRate?: number; remoteClockRate?: number }): void {
    if (next.remote) {
      checkRemote(next.remote);
      this.opts.remote = next.remote;
      if (this.latch.renegotiate(next.remote)) this.logger.debug({ ...this.logContext }, 'remote address renegotiated: latch undone');
    }
    if (next.payloadTypes) this.payloadTypes = new Set(next.payloadTypes);
    const clockRate = next.clockRate ?? this.opts.clockRate;
    const remoteClockRate = next.remoteClockRate ?? next.clockRate ?? this.opts.remoteClockRate ?? this.opts.clockRate;
    if (clockRate !== this.opts.clockRate || remoteClockRate !== (this.opts.remoteClockRate ?? this.opts.clockRate)) {
      this.opts.clockRate = clockRate;
      this.opts.remoteClockRate = remoteClockRate;
      this.reporter = this.newReporter(clockRate, remoteClockRate);
    }
  }

  /** Counters, RTCP statistics and the latching state. */
  stats(): RtpEndpointStats {
    const target = this.latch.rtpTarget();
    return {
      ...this.counters,
      rtcp: this.reporter.stats(),
      latched: this.latch.state === 'latched',
      rtpTarget: target ? `${target.address}:${target.port}` : undefined,
    };
  }

  /**
   * Stops the RTCP schedule, sends a final report with BYE (RFC 3550 §6.6) and releases the ports once
   * the BYE left the socket. Idempotent: later calls return the same promise.
   */
  close(reason?: string): Promise<void> {
    if (this.closing) return this.closing;
    if (this.rtcpTimer !== undefined) this.timers.clear(this.rtcpTimer);
    this.rtcpTimer = undefined;
    this.pair.rtp.off('message', this.onRtpMessage);
    this.pair.rtcp.off('message', this.onRtcpMessage);
    this.closing = new Promise<void>((resolve) => {
      const release = (): void => {
        this.pair.release();
        resolve();
      };
      const target = this.latch.rtcpTarget();
      const socket = this.opts.remote.rtcpMux ? this.pair.rtp : this.pair.rtcp;
      if (!target) return release();
      let bye: Buffer;
      try {
        bye = this.reporter.buildBye(reason);
      } catch (err) {
        this.logger.warn({ ...this.logContext, ...errorFields(err) }, 'RTCP BYE not built');
        return release();
      }
      try {
        socket.send(bye, target.port, target.address, (err) => {
          if (err) this.count('sendErrors', err);
          else this.counters.rtcpPacketsSent++;
          release();
        });
      } catch (err) {
        this.count('sendErrors', err);
        release();
      }
    });
    return this.closing;
  }

  private newReporter(clockRate: number, remoteClockRate: number): RtcpReporter {
    return new RtcpReporter({
      ssrc: this.opts.ssrc,
      cname: this.opts.cname,
      clockRate,
      remoteClockRate,
      clock: this.clock,
      wallClock: this.wallClock,
    });
  }

  private onDatagram(data: Buffer, rinfo: dgram.RemoteInfo, onRtcpSocket: boolean): void {
    if (this.closed) return;
    try {
      if (onRtcpSocket || isRtcpDatagram(data)) this.onRtcpDatagram(data, rinfo);
      else this.onRtpDatagram(data, rinfo);
    } catch (err) {
      this.logger.error({ ...this.logContext, ...errorFields(err) }, 'RTP receive handler failed');
    }
  }

  private onRtpDatagram(data: Buffer, rinfo: dgram.RemoteInfo): void {
    const arrivalMs = this.clock();
    let packet: RtpPacket;
    try {
      packet = readRtpPacket(data);
    } catch (err) {
      if (!(err instanceof PacketFormatError)) throw err;
      return this.count('malformed', err, rinfo);
    }
    if (!this.payloadTypes.has(packet.header.payloadType)) return this.count('unknownPayloadType', packet.header.payloadType, rinfo);
    if (!this.latch.acceptRtp(rinfo)) return this.count('foreign', 'RTP from a source other than the peer', rinfo);
    this.counters.rtpPacketsReceived++;
    this.counters.rtpOctetsReceived += packet.payload.length;
    this.reporter.onRtpReceived({
      ssrc: packet.header.ssrc,
      sequenceNumber: packet.header.sequenceNumber,
      timestamp: packet.header.timestamp,
      payload: packet.payload,
    });
    this.opts.onRtp(packet, arrivalMs);
  }

  private onRtcpDatagram(data: Buffer, rinfo: dgram.RemoteInfo): void {
    try {
      parseCompoundRtcp(data); // validity first (§A.2), so that junk counts as malformed from any source
    } catch (err) {
      if (!(err instanceof PacketFormatError)) throw err;
      return this.count('malformed', err, rinfo);
    }
    if (!this.latch.acceptRtcp(rinfo)) return this.count('foreign', 'RTCP from a source other than the peer', rinfo);
    this.counters.rtcpPacketsReceived++;
    const compound = this.reporter.onRtcpReceived(data);
    this.opts.onRtcp?.(compound);
  }

  private scheduleReport(): void {
    const delay =
      this.opts.rtcpIntervalMs ??
      rtcpIntervalMs({
        members: 2,
        senders: (this.counters.rtpPacketsSent > 0 ? 1 : 0) + (this.counters.rtpPacketsReceived > 0 ? 1 : 0),
        weSent: this.counters.rtpPacketsSent > 0,
        rtcpBandwidth: ((this.opts.sessionBandwidth ?? 80_000) / 8) * 0.05,
        averagePacketSize: this.averageRtcpSize,
        initial: this.initialReport,
        random: this.random(),
      });
    this.rtcpTimer = this.timers.set(() => this.sendReport(), delay);
  }

  private sendReport(): void {
    this.rtcpTimer = undefined;
    if (this.closed) return;
    this.initialReport = false;
    const target = this.latch.rtcpTarget();
    if (target) {
      try {
        const report = this.reporter.buildReport();
        // §6.3.3: avg_rtcp_size = 1/16 · packet_size + 15/16 · avg_rtcp_size.
        this.averageRtcpSize += (report.length + UDP_IP_OVERHEAD - this.averageRtcpSize) / 16;
        if (this.send(this.opts.remote.rtcpMux ? this.pair.rtp : this.pair.rtcp, report, target)) this.counters.rtcpPacketsSent++;
      } catch (err) {
        this.logger.warn({ ...this.logContext, ...errorFields(err) }, 'RTCP report not sent');
      }
    }
    this.scheduleReport();
  }

  private send(socket: dgram.Socket, data: Buffer, target: TransportAddress): boolean {
    try {
      socket.send(data, target.port, target.address, (err) => {
        if (err) this.count('sendErrors', err);
      });
      return true;
    } catch (err) {
      this.count('sendErrors', err);
      return false;
    }
  }

  private count(name: CounterName, detail: unknown, rinfo?: dgram.RemoteInfo): void {
    this.counters[name]++;
    if (this.logged.has(name)) return;
    this.logged.add(name);
    const from = rinfo ? { from: `${rinfo.address}:${rinfo.port}` } : {};
    const reason = detail instanceof PacketFormatError ? detail.reason : detail instanceof Error ? errorFields(detail).err : String(detail);
    const what = name === 'sendErrors' ? 'RTP/RTCP send failed' : 'RTP/RTCP datagram dropped';
    this.logger.warn({ ...this.logContext, ...from, counter: name, reason }, `${what} (first of its kind on this leg; later ones only counted)`);
  }
}

function checkRemote(remote: NegotiatedTransport): void {
  if (isIP(remote.rtp.address) === 0) throw new InvalidArgumentError(`Remote RTP address ${JSON.stringify(remote.rtp.address)} is not an IP literal`);
  for (const port of [remote.rtp.port, remote.rtcpPort]) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`Remote port ${port} out of range`);
  }
}
