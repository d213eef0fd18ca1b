/**
 * Receiving DTMF as RFC 4733 telephone events: one digit per event however many packets carry it.
 *
 * All packets of one event share its RTP timestamp (§2.5.1.2); updates grow the duration; the end
 * is marked by the E bit and the final packet is sent three times (§2.5.1.4), possibly with the
 * same sequence number (older senders) or new ones, and reordered. So events are keyed by
 * (timestamp, event code): the first end packet emits the digit, later packets of an event already
 * emitted are duplicates. When every end packet is lost, the event ends after `endTimeoutMs`
 * without an update, or when another event starts (§2.5.2.2). A long event split into segments
 * (§2.5.1.3: a segment runs to the maximum duration, the next one's timestamp is the previous one's
 * plus that duration) stays one digit.
 *
 * Pure state: time comes in as arguments; `poll()` is called on the owner's schedule.
 */
import { PacketFormatError } from '../errors';
import { MAX_EVENT_DURATION, TelephoneEvent, dtmfDigitOf } from '../rtp/telephone-event';

/** A digit received. */
export interface ReceivedDtmf {
  /** `0`–`9`, `*`, `#`, `A`–`D`. */
  digit: string;
  /** Duration of the key press as reported by the sender, ms. */
  durationMs: number;
}

/** Options of a `DtmfReceiver`. */
export interface DtmfReceiverOptions {
  /** RTP clock rate of the telephone-event format (that of the audio codec, RFC 4733 §2.1), Hz. */
  clockRate: number;
  /** Called once per digit. */
  onDigit: (dtmf: ReceivedDtmf) => void;
  /** An event without updates for this long has ended (its end packets were lost). Default 500 ms. */
  endTimeoutMs?: number;
}

/** Outcome of `onPacket()`. */
export type DtmfPacketResult = 'started' | 'updated' | 'ended' | 'duplicate' | 'ignored' | 'malformed';

interface CurrentEvent {
  timestamp: number;
  event: number;
  /** Duration of the segments before the current one, RTP units. */
  earlier: number;
  /** Duration reported in the current segment, RTP units. */
  duration: number;
  lastUpdateMs: number;
}

/** Remembered finished events, to recognize retransmitted end packets. */
const REMEMBERED_EVENTS = 16;
/** Slack for a segment boundary: the next segment may start up to this many units off. */
const SEGMENT_SLACK_MS = 60;

/** RFC 4733 receiver of one incoming stream. */
export class DtmfReceiver {
  private current: CurrentEvent | undefined;
  private readonly finished: string[] = [];
  private readonly endTimeoutMs: number;
  /** Digits emitted. */
  digits = 0;

  constructor(private readonly opts: DtmfReceiverOptions) {
    this.endTimeoutMs = opts.endTimeoutMs ?? 500;
  }

  /**
   * Processes one telephone-event RTP packet.
   * @param timestamp the packet's 32-bit RTP timestamp.
   * @param payload its payload (RFC 4733 §2.3).
   * @param nowMs monotonic arrival time, ms.
   */
  onPacket(timestamp: number, payload: Buffer, nowMs: number): DtmfPacketResult {
    let blocks: TelephoneEvent[];
    try {
      blocks = TelephoneEvent.parse(payload);
    } catch (err) {
      if (err instanceof PacketFormatError) return 'malformed';
      throw err;
    }
    const block = blocks[blocks.length - 1];
    if (dtmfDigitOf(block.event) === undefined) return 'ignored';
    const ts = timestamp >>> 0;
    if (this.finished.includes(key(ts, block.event))) return 'duplicate';
    const cur = this.current;
    if (cur && cur.timestamp === ts && cur.event === block.event) {
      cur.duration = Math.max(cur.duration, block.duration);
      cur.lastUpdateMs = nowMs;
      if (block.end) {
        this.finish();
        return 'ended';
      }
      return 'updated';
    }
    if (cur && this.continues(cur, ts, block.event)) {
      cur.earlier += cur.duration;
      this.finished.push(key(cur.timestamp, cur.event)); // the old segment's late packets are duplicates
      cur.timestamp = ts;
      cur.duration = block.duration;
      cur.lastUpdateMs = nowMs;
      if (block.end) this.finish();
      return block.end ? 'ended' : 'updated';
    }
    if (cur) this.finish();
    this.current = { timestamp: ts, event: block.event, earlier: 0, duration: block.duration, lastUpdateMs: nowMs };
    if (block.end) {
      this.finish();
      return 'ended';
    }
    return 'started';
  }

  /** Ends an event whose updates stopped more than `endTimeoutMs` ago (lost end packets). */
  poll(nowMs: number): void {
    if (this.current && nowMs - this.current.lastUpdateMs > this.endTimeoutMs) this.finish();
  }

  /** True while an event is in progress. */
  get inProgress(): boolean {
    return this.current !== undefined;
  }

  /** Is (ts, event) the next segment of the current long event (§2.5.1.3)? */
  private continues(cur: CurrentEvent, ts: number, event: number): boolean {
    const slack = (SEGMENT_SLACK_MS * this.opts.clockRate) / 1000;
    // Only a segment that ran to the field's maximum is continued; a short event followed by the
    // same digit is a second key press even when the first one's end packets were lost.
    if (event !== cur.event || cur.duration < MAX_EVENT_DURATION - slack) return false;
    const expected = (cur.timestamp + cur.duration) >>> 0;
    const off = Math.abs(((ts - expected + 2 ** 31) >>> 0) - 2 ** 31);
    return off <= slack;
  }

  private finish(): void {
    const cur = this.current;
    if (!cur) return;
    this.current = undefined;
    this.finished.push(key(cur.timestamp, cur.event));
    while (this.finished.length > REMEMBERED_EVENTS) this.finished.shift();
    this.digits++;
    this.opts.onDigit({
      digit: dtmfDigitOf(cur.event) as string,
      durationMs: Math.round(((cur.earlier + cur.duration) * 1000) / this.opts.clockRate),
    });
  }
}

function key(timestamp: number, event: number): string {
  return `${timestamp}:${event}`;
}
