/**
 * RTCP for one call leg (RFC 3550 §6): sender statistics for our outgoing stream, reception
 * statistics per remote source, compound reports (SR or RR, then SDES CNAME; §6.1, §6.4), BYE
 * (§6.6), and the round-trip time from the peer's report blocks about us (§6.4.1).
 *
 * Framework-free and timer-free: the owner calls `buildReport()` on its own schedule (see
 * `rtcpIntervalMs`) and sends the bytes; time comes from the injected clocks.
 */
import { RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket } from 'werift-rtp';
import { RtcpByePacket } from './rtcp-bye';
import { RtcpCompound, cnameDescription, findCname, parseCompoundRtcp, serializeCompoundRtcp } from './rtcp-compound';
import { compactToMs, ntpCompact, ntpFromUnixMs } from './ntp-time';
import { ReceiverStatistics, SequenceVerdict } from './receiver-statistics';

/** Options of an `RtcpReporter`. */
export interface RtcpReporterOptions {
  /** SSRC of our outgoing RTP stream on this leg. */
  ssrc: number;
  /** Our canonical name (SDES CNAME, §6.5.1), e.g. `mcu@192.0.2.10`. */
  cname: string;
  /** RTP clock rate of our outgoing stream, Hz. */
  clockRate: number;
  /** RTP clock rate of the incoming stream, Hz (default `clockRate`). */
  remoteClockRate?: number;
  /** Monotonic time, ms. */
  clock: () => number;
  /** Wall-clock time, ms since the Unix epoch (`Date.now`), for NTP timestamps. */
  wallClock: () => number;
  /** A source silent this long is dropped from reports (§6.3.5: 5 report intervals). Default 25 000 ms. */
  sourceTimeoutMs?: number;
}

/** What the peer reports about the stream we send (from its RR or SR report block). */
export interface RemoteReceptionReport {
  /** Fraction lost in its last interval, 0…1. */
  fractionLost: number;
  cumulativeLost: number;
  jitterMs: number;
  extendedHighestSequence: number;
}

/** Per-leg statistics, as exposed by the participant stats endpoint. */
export interface RtpLegStatistics {
  packetsSent: number;
  octetsSent: number;
  packetsReceived: number;
  octetsReceived: number;
  /** Incoming packets lost, cumulative (§A.3; negative with duplicates). */
  packetsLost: number;
  /** Incoming loss in the last report interval, 0…1. */
  fractionLost: number;
  /** Incoming interarrival jitter, ms (§A.8). */
  jitterMs: number;
  /** Round-trip time from the last report block about us carrying an LSR, ms (§6.4.1). */
  roundTripTimeMs?: number;
  remoteSsrc?: number;
  remoteCname?: string;
  /** The peer's view of our stream. */
  remote?: RemoteReceptionReport;
  /** True once the peer sent BYE. */
  remoteLeft: boolean;
}

/** The RTP fields the reporter reads from a received packet. */
export interface ReceivedRtp {
  readonly ssrc: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly payload: Buffer;
}

const MAX_REPORT_BLOCKS = 31;

/** RTCP state of one call leg. */
export class RtcpReporter {
  private readonly sources = new Map<number, ReceiverStatistics>();
  private packetsSent = 0;
  private octetsSent = 0;
  /** RTP timestamp and monotonic time of the last packet sent, for the SR's RTP timestamp. */
  private lastSent: { timestamp: number; atMs: number } | undefined;
  /** Packets sent at the previous two reports, to decide SR versus RR (§6.4). */
  private sentAtPreviousReports: [number, number] = [0, 0];
  private rttMs: number | undefined;
  private remote: RemoteReceptionReport | undefined;
  private remoteCname: string | undefined;
  private remoteLeft = false;
  private lastFractionLost = 0;
  private readonly remoteClockRate: number;

  constructor(private readonly opts: RtcpReporterOptions) {
    this.remoteClockRate = opts.remoteClockRate ?? opts.clockRate;
  }

  /** Accounts an RTP packet we sent: its RTP timestamp and payload length in octets. */
  onRtpSent(timestamp: number, payloadOctets: number): void {
    this.packetsSent++;
    this.octetsSent += payloadOctets;
    this.lastSent = { timestamp: timestamp >>> 0, atMs: this.opts.clock() };
  }

  /** Accounts a received RTP packet; `invalid` while its source is on probation (§A.1). */
  onRtpReceived(packet: ReceivedRtp): SequenceVerdict {
    let source = this.sources.get(packet.ssrc);
    if (!source) {
      source = new ReceiverStatistics(packet.ssrc, this.remoteClockRate);
      this.sources.set(packet.ssrc, source);
    }
    return source.onPacket(packet.sequenceNumber, packet.timestamp, packet.payload.length, this.opts.clock());
  }

  /**
   * Processes a received compound RTCP datagram: LSR from SRs, the peer's report about our SSRC
   * (RTT, loss, jitter), its CNAME, and BYE.
   * @returns the parsed packets.
   * @throws PacketFormatError for a malformed datagram (nothing is changed then).
   */
  onRtcpReceived(datagram: Buffer): RtcpCompound {
    const compound = parseCompoundRtcp(datagram);
    const now = this.opts.clock();
    for (const sr of compound.senderReports) {
      this.sourceFor(sr.ssrc).onSenderReport(ntpCompact(sr.senderInfo.ntpTimestamp), now);
      this.remoteCname = findCname(compound, sr.ssrc) ?? this.remoteCname;
    }
    const blocks = [...compound.senderReports, ...compound.receiverReports].flatMap((p) => p.reports);
    for (const block of blocks) {
      if (block.ssrc >>> 0 !== this.opts.ssrc >>> 0) continue;
      this.remote = {
        fractionLost: block.fractionLost / 256,
        cumulativeLost: (block.packetsLost << 8) >> 8, // 24-bit two's complement
        jitterMs: (block.jitter * 1000) / this.opts.clockRate,
        extendedHighestSequence: block.highestSequence,
      };
      if (block.lsr !== 0) this.updateRoundTrip(block.lsr, block.dlsr);
    }
    for (const rr of compound.receiverReports) this.remoteCname = findCname(compound, rr.ssrc) ?? this.remoteCname;
    if (compound.byes.some((bye) => bye.sources.some((s) => this.sources.has(s)))) this.remoteLeft = true;
    return compound;
  }

  /**
   * Builds the next regular compound report: SR when we sent RTP since the report before last,
   * otherwise RR (§6.4), with one report block per recently heard source, then SDES CNAME.
   */
  buildReport(): Buffer {
    return serializeCompoundRtcp([this.report(), cnameDescription(this.opts.ssrc, this.opts.cname)]);
  }

  /** Builds the final compound packet of the leg: report, SDES CNAME and BYE (§6.6). */
  buildBye(reason?: string): Buffer {
    return serializeCompoundRtcp([this.report(), cnameDescription(this.opts.ssrc, this.opts.cname), new RtcpByePacket([this.opts.ssrc], reason)]);
  }

  /** Current statistics of the leg. */
  stats(): RtpLegStatistics {
    const main = this.mainSource();
    return {
      packetsSent: this.packetsSent,
      octetsSent: this.octetsSent,
      packetsReceived: main?.packetsReceived() ?? 0,
      octetsReceived: main?.octets ?? 0,
      packetsLost: main?.cumulativeLost() ?? 0,
      fractionLost: this.lastFractionLost,
      jitterMs: main?.jitterMs() ?? 0,
      roundTripTimeMs: this.rttMs,
      remoteSsrc: main?.ssrc,
      remoteCname: this.remoteCname,
      remote: this.remote,
      remoteLeft: this.remoteLeft,
    };
  }

  private report(): RtcpSrPacket | RtcpRrPacket {
    const now = this.opts.clock();
    const timeout = this.opts.sourceTimeoutMs ?? 25_000;
    for (const [ssrc, source] of this.sources) {
      if (now - source.lastPacketMs > timeout && this.sources.size > 1) this.sources.delete(ssrc);
    }
    const reporting = [...this.sources.values()].filter((s) => s.packetsReceived() > 0).slice(0, MAX_REPORT_BLOCKS);
    const reports = reporting.map((s) => s.reportBlock(now));
    const main = this.mainSource();
    const mainIndex = main ? reporting.indexOf(main) : -1;
    if (mainIndex >= 0) this.lastFractionLost = reports[mainIndex].fractionLost / 256;
    const sentRecently = this.packetsSent > this.sentAtPreviousReports[0];
    this.sentAtPreviousReports = [this.sentAtPreviousReports[1], this.packetsSent];
    if (!sentRecently || !this.lastSent) return new RtcpRrPacket({ ssrc: this.opts.ssrc >>> 0, reports });
    const rtpTimestamp = (this.lastSent.timestamp + Math.round(((now - this.lastSent.atMs) * this.opts.clockRate) / 1000)) % 2 ** 32;
    const senderInfo = new RtcpSenderInfo({
      ntpTimestamp: ntpFromUnixMs(this.opts.wallClock()),
      rtpTimestamp,
      packetCount: this.packetsSent % 2 ** 32,
      octetCount: this.octetsSent % 2 ** 32,
    });
    return new RtcpSrPacket({ ssrc: this.opts.ssrc >>> 0, senderInfo, reports });
  }

  /** §6.4.1: RTT = A − LSR − DLSR in 1/65536 s, A being the arrival time in the same compact NTP form. */
  private updateRoundTrip(lsr: number, dlsr: number): void {
    const arrival = ntpCompact(ntpFromUnixMs(this.opts.wallClock()));
    const rtt = (arrival - lsr - dlsr + 2 ** 32 * 2) % 2 ** 32;
    if (rtt < 2 ** 31) this.rttMs = compactToMs(rtt); // otherwise clocks disagree: ignore
  }

  private sourceFor(ssrc: number): ReceiverStatistics {
    let source = this.sources.get(ssrc);
    if (!source) {
      source = new ReceiverStatistics(ssrc, this.remoteClockRate);
      this.sources.set(ssrc, source);
    }
    return source;
  }

  /** The source heard from most recently (the peer's current SSRC). */
  private mainSource(): ReceiverStatistics | undefined {
    let best: ReceiverStatistics | undefined;
    for (const s of this.sources.values()) if (!best || s.lastPacketMs > best.lastPacketMs) best = s;
    return best;
  }
}
