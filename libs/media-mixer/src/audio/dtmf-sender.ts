/**
 * Sending DTMF as RFC 4733 telephone events in place of a leg's audio packets.
 *
 * An event takes the audio stream's packet slots while it lasts (§2.5.1): all its packets carry the
 * RTP timestamp of the slot where it began, the first has the marker bit (§2.5.1.1), each reports
 * the duration so far (§2.5.1.2), and the final one has the E bit and is sent three times, in the
 * next slots (§2.5.1.4). Every packet takes a new sequence number from the stream. Digits queue;
 * at least `gapMs` of audio separate consecutive events.
 */
import { InvalidArgumentError } from '../errors';
import { MAX_EVENT_DURATION, TelephoneEvent, dtmfEventOf } from '../rtp/telephone-event';

/** A telephone-event packet to send in one slot. */
export interface DtmfPacket {
  payload: Buffer;
  /** RTP timestamp: the event's start. */
  timestamp: number;
  marker: boolean;
}

/** Options of a `DtmfSender`. */
export interface DtmfSenderOptions {
  /** RTP clock rate of the stream, Hz. */
  clockRate: number;
  /** Power level of the generated events, −dBm0 (0…63). Default 10. */
  volume?: number;
  /** Audio between two events, ms. Default 50. */
  gapMs?: number;
}

/** Shortest event accepted, ms (ITU-T Q.24 tone duration). */
export const MIN_DTMF_MS = 40;
const END_REPEATS = 3;

interface Pending {
  event: number;
  durationUnits: number;
}

interface Active extends Pending {
  timestamp: number;
  sent: number;
  endsSent: number;
}

/** RFC 4733 sender of one outgoing stream. */
export class DtmfSender {
  private readonly queue: Pending[] = [];
  private active: Active | undefined;
  private gapUnits = 0;
  private readonly volume: number;
  /** Events completed. */
  sent = 0;

  constructor(private readonly opts: DtmfSenderOptions) {
    this.volume = opts.volume ?? 10;
  }

  /** Longest event one packet can describe at this clock rate, ms (`0xFFFF` units). */
  get maxDurationMs(): number {
    return Math.floor((MAX_EVENT_DURATION * 1000) / this.opts.clockRate);
  }

  /**
   * Queues a digit.
   * @param digit one of `0123456789*#ABCD`.
   * @param durationMs key-press duration, `MIN_DTMF_MS`…`maxDurationMs`.
   * @throws InvalidArgumentError for another character or a duration out of range.
   */
  enqueue(digit: string, durationMs: number): void {
    const event = dtmfEventOf(digit);
    if (!Number.isFinite(durationMs) || durationMs < MIN_DTMF_MS || durationMs > this.maxDurationMs) {
      throw new InvalidArgumentError(`DTMF duration ${durationMs} ms outside ${MIN_DTMF_MS}…${this.maxDurationMs} ms`);
    }
    this.queue.push({ event, durationUnits: Math.round((durationMs * this.opts.clockRate) / 1000) });
  }

  /** True while an event is being sent or digits wait. */
  get busy(): boolean {
    return this.active !== undefined || this.queue.length > 0;
  }

  /** Drops the event in progress and the queue (the leg stopped sending). */
  reset(): void {
    this.queue.length = 0;
    this.active = undefined;
    this.gapUnits = 0;
  }

  /**
   * The packet for the next packet slot, or undefined when the slot carries audio.
   * @param slotTimestamp RTP timestamp of the slot's first sample.
   * @param slotUnits the slot's duration in RTP units (the packet time).
   */
  next(slotTimestamp: number, slotUnits: number): DtmfPacket | undefined {
    if (!this.active) {
      if (this.gapUnits > 0 || this.queue.length === 0) {
        this.gapUnits = Math.max(0, this.gapUnits - slotUnits);
        return undefined;
      }
      const pending = this.queue.shift() as Pending;
      this.active = { ...pending, timestamp: slotTimestamp >>> 0, sent: 0, endsSent: 0 };
    }
    const a = this.active;
    const first = a.sent === 0;
    a.sent = Math.min(a.durationUnits, a.sent + slotUnits);
    const end = a.sent >= a.durationUnits;
    const payload = new TelephoneEvent(a.event, end, this.volume, a.sent).serialize();
    if (end && ++a.endsSent >= END_REPEATS) {
      this.active = undefined;
      this.sent++;
      this.gapUnits = Math.round(((this.opts.gapMs ?? 50) * this.opts.clockRate) / 1000);
    }
    return { payload, timestamp: a.timestamp, marker: first };
  }
}
