/**
 * Reception statistics of one remote source (SSRC), as RFC 3550 defines them for receiver report
 * blocks: sequence validation and the extended highest sequence number (§A.1), cumulative and
 * fractional loss (§A.3), interarrival jitter (§A.8), and LSR/DLSR from the source's last SR
 * (§6.4.1).
 */
import { RtcpReceiverInfo } from 'werift-rtp';
import { msToCompact } from './ntp-time';

const RTP_SEQ_MOD = 0x10000;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const MIN_SEQUENTIAL = 2;

/** Outcome of `onPacket()`: `invalid` packets are not counted (probation or a bad jump). */
export type SequenceVerdict = 'valid' | 'invalid';

/** Statistics of one incoming source, updated per packet and read when building a report. */
export class ReceiverStatistics {
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation = MIN_SEQUENTIAL;
  private seen = false;
  /** Packets counted, duplicates included (§A.3). */
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  /** Relative transit time of the previous packet, in RTP units (§A.8). */
  private transit: number | undefined;
  /** Interarrival jitter estimate J, in RTP timestamp units, unrounded. */
  private jitter = 0;
  private lastSrCompact = 0;
  private lastSrArrivalMs: number | undefined;
  /** Payload octets received (RTP header excluded). */
  octets = 0;
  /** Monotonic time of the last valid packet, ms. */
  lastPacketMs = 0;

  /**
   * @param ssrc the source described.
   * @param clockRate its RTP clock rate in Hz, for jitter in milliseconds.
   */
  constructor(
    readonly ssrc: number,
    private readonly clockRate: number,
  ) {}

  /**
   * Accounts one RTP packet of this source.
   * @param seq its 16-bit sequence number.
   * @param timestamp its 32-bit RTP timestamp.
   * @param payloadOctets payload length in octets.
   * @param arrivalMs monotonic arrival time in ms.
   * @returns `invalid` while the source is on probation or after an unconfirmed jump (§A.1).
   */
  onPacket(seq: number, timestamp: number, payloadOctets: number, arrivalMs: number): SequenceVerdict {
    if (!this.updateSeq(seq)) return 'invalid';
    this.received++;
    this.octets += payloadOctets;
    this.lastPacketMs = arrivalMs;
    // §A.8: D(i−1, i) = (Rj − Ri) − (Sj − Si) in timestamp units; J += (|D| − J) / 16.
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (this.transit !== undefined) {
      let d = transit - this.transit;
      // Timestamps wrap at 2^32: bring the difference back into ±2^31.
      d = ((((d + 2 ** 31) % 2 ** 32) + 2 ** 32) % 2 ** 32) - 2 ** 31;
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.transit = transit;
    return 'valid';
  }

  /**
   * Notes an SR from this source (§6.4.1: LSR = middle 32 bits of its NTP timestamp).
   * @param ntpCompact the SR's NTP timestamp, middle 32 bits.
   * @param arrivalMs monotonic arrival time in ms.
   */
  onSenderReport(ntpCompact: number, arrivalMs: number): void {
    this.lastSrCompact = ntpCompact >>> 0;
    this.lastSrArrivalMs = arrivalMs;
  }

  /** Extended highest sequence number received (§6.4.1), cycles · 65536 + max. */
  extendedHighest(): number {
    return this.cycles + this.maxSeq;
  }

  /** Packets expected from the first to the highest sequence number (§A.3). */
  expected(): number {
    return this.extendedHighest() - this.baseSeq + 1;
  }

  /** Cumulative packets lost (§A.3); negative when duplicates outnumber losses. */
  cumulativeLost(): number {
    return this.received === 0 ? 0 : this.expected() - this.received;
  }

  /** Packets counted (duplicates included). */
  packetsReceived(): number {
    return this.received;
  }

  /** Interarrival jitter in RTP timestamp units, as a report block carries it (truncated). */
  jitterUnits(): number {
    return Math.floor(this.jitter);
  }

  /** Interarrival jitter in milliseconds. */
  jitterMs(): number {
    return (this.jitter * 1000) / this.clockRate;
  }

  /**
   * Builds this source's report block and starts a new interval for the fraction lost (§A.3).
   * @param nowMs monotonic time the report is sent, ms (for DLSR).
   */
  reportBlock(nowMs: number): RtcpReceiverInfo {
    const expected = this.received === 0 ? 0 : this.expected();
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    // 24-bit signed field, clamped (§6.4.1), written in two's complement.
    const lost = Math.max(-0x800000, Math.min(0x7fffff, this.cumulativeLost()));
    const dlsr = this.lastSrArrivalMs === undefined ? 0 : msToCompact(nowMs - this.lastSrArrivalMs);
    return new RtcpReceiverInfo({
      ssrc: this.ssrc >>> 0,
      fractionLost: Math.min(255, fractionLost),
      packetsLost: lost & 0xffffff,
      highestSequence: this.extendedHighest() >>> 0,
      jitter: this.jitterUnits() >>> 0,
      lsr: this.lastSrCompact,
      dlsr: this.lastSrArrivalMs === undefined ? 0 : dlsr,
    });
  }

  /** §A.1 update_seq: probation for a new source, wrap counting, restart after a confirmed jump. */
  private updateSeq(seq: number): boolean {
    if (!this.seen) {
      // §A.1: init_seq(s, seq); max_seq = seq − 1; probation = MIN_SEQUENTIAL.
      this.seen = true;
      this.initSeq(seq);
      this.maxSeq = (seq - 1) & 0xffff;
      this.probation = MIN_SEQUENTIAL;
    }
    if (this.probation > 0) {
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          return true;
        }
      } else {
        this.probation = MIN_SEQUENTIAL - 1;
        this.maxSeq = seq;
      }
      return false;
    }
    const udelta = (seq - this.maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD; // wrapped
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      if (seq !== this.badSeq) {
        this.badSeq = (seq + 1) & 0xffff;
        return false;
      }
      // Two sequential packets after a large jump: the source restarted.
      this.initSeq(seq);
    }
    // Otherwise a duplicate or reordered packet: counted, max unchanged.
    return true;
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }
}
