/**
 * Adaptive jitter buffer for one incoming RTP audio stream (RFC 3550 §5.1 fields; talkspurt
 * marker per RFC 3551 §4.1; restart rules after RFC 3550 §A.1).
 *
 * Two cursors drive playout: `outPos`, the local output time in RTP units (advances with every
 * event handed to the consumer), and `playPos`, the position in the sender's timeline (RTP
 * timestamp). Their difference is the playout offset. The buffer keeps that offset at
 * `fastest transit + target delay`, where the target follows the spread of recent transit times
 * (20–200 ms, 40 ms at start): it inserts a concealed frame to grow the delay ("stretch") and skips
 * a frame, preferably silence, to shrink it — at most one skip per 200 ms.
 *
 * Events returned by `pull()` always cover local time without gaps, so the consumer receives
 * exactly as much audio (decoded frames, concealment or silence) as time has passed.
 */
import { ExtendedCounter } from './extended-counter';

/** The RTP fields the buffer needs (a parsed werift `RtpPacket` maps onto it one to one). */
export interface JitterBufferPacket {
  readonly ssrc: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payloadType: number;
  readonly payload: Buffer;
}

/** What plays next, with `duration` in RTP timestamp units. */
export type JitterBufferEvent =
  | { readonly kind: 'frame'; readonly packet: JitterBufferPacket; readonly duration: number }
  /** A packet is missing (`loss`) or the delay grows (`stretch`): conceal `duration` units. */
  | { readonly kind: 'missing'; readonly reason: 'loss' | 'stretch'; readonly duration: number }
  /** The sender is silent (DTX, start-up, end of stream): play silence or comfort noise. */
  | { readonly kind: 'silence'; readonly duration: number };

/** Outcome of `push()`. Only `accepted` and `reset` packets will be played. */
export type JitterBufferPushResult = 'accepted' | 'reset' | 'duplicate' | 'late' | 'probation';

/** Options of a `JitterBuffer`. */
export interface JitterBufferOptions {
  /** RTP clock rate of the payload format in Hz (8000 for PCMU/PCMA/G.722, 48000 for Opus). */
  clockRate: number;
  /** Monotonic time in milliseconds (e.g. from `process.hrtime.bigint()`); injected for tests. */
  clock: () => number;
  /** Lower bound of the target delay, ms. Default 20. */
  minDelayMs?: number;
  /** Upper bound of the target delay, ms. Default 200. */
  maxDelayMs?: number;
  /** Target delay before enough transit samples exist, ms. Default 40. */
  initialDelayMs?: number;
  /** Duration of a packet's audio in RTP units when the payload format tells it; default: learned ptime. */
  durationOf?: (packet: JitterBufferPacket) => number | undefined;
  /** Number of recent transit times the target is computed from. Default 100 (2 s at 20 ms). */
  windowPackets?: number;
}

/** Counters and current state, for statistics endpoints. */
export interface JitterBufferStats {
  received: number;
  duplicates: number;
  late: number;
  /** Packets dropped because the buffer was full or a resynchronisation passed them. */
  dropped: number;
  /** Frames concealed because their packet had not arrived in time. */
  concealed: number;
  stretched: number;
  shrunk: number;
  /** Stream restarts: SSRC changes and confirmed sequence jumps. */
  resets: number;
  /** Packets behind the play position played anyway because the buffer had run dry (delay grown). */
  realigned: number;
  targetDelayMs: number;
  currentDelayMs: number;
  bufferedPackets: number;
}

interface Entry {
  packet: JitterBufferPacket;
  seq: number;
  ts: number;
}

/** RFC 3550 §A.1: a sequence jump beyond this is a restart (or garbage) rather than loss. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const MAX_PACKETS = 256;
const SHRINK_INTERVAL_MS = 200;
/** Concealment after the queue runs dry lasts this many frames; silence follows. */
const MAX_CONCEAL_RUN = 3;
/** Transit samples needed before the target may fall below the initial delay. */
const WARMUP_PACKETS = 50;
const MARGIN_MS = 5;

/** Adaptive jitter buffer of one incoming stream. Not thread-shared; no timers of its own. */
export class JitterBuffer {
  private readonly rate: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly initialDelay: number;
  private readonly transits: Float64Array;
  private readonly queue: Entry[] = [];
  private readonly recentlyPlayed = new Set<number>();
  private readonly playedOrder: number[] = [];
  private readonly seqs = new ExtendedCounter(16);
  private readonly stamps = new ExtendedCounter(32);
  private ssrc: number | undefined;
  private pendingJump: { ssrc: number; seq: number } | undefined;
  private transitCount = 0;
  private frame: number;
  private outPos = 0;
  private playPos = 0;
  private lastPlayedSeq = -Infinity;
  private lastPlayedEnd = -Infinity;
  private lastReceived: { seq: number; ts: number } | undefined;
  private concealRun = 0;
  private lastShrinkMs = -Infinity;
  private targetMs: number;
  private readonly counters = { received: 0, duplicates: 0, late: 0, dropped: 0, concealed: 0, stretched: 0, shrunk: 0, resets: 0, realigned: 0 };

  constructor(private readonly opts: JitterBufferOptions) {
    this.rate = opts.clockRate;
    this.minDelay = opts.minDelayMs ?? 20;
    this.maxDelay = opts.maxDelayMs ?? 200;
    this.initialDelay = opts.initialDelayMs ?? 40;
    this.targetMs = this.initialDelay;
    this.transits = new Float64Array(opts.windowPackets ?? 100);
    this.frame = (this.rate * 20) / 1000;
  }

  /**
   * Stores a received packet (any order). Packets of a new SSRC restart the buffer; a sequence jump
   * beyond 3000 is accepted only when the next packet confirms it (RFC 3550 §A.1).
   */
  push(packet: JitterBufferPacket): JitterBufferPushResult {
    const nowRtp = this.nowRtp();
    this.counters.received++;
    if (this.ssrc === undefined || packet.ssrc !== this.ssrc) {
      const first = this.ssrc === undefined;
      this.restart(packet, nowRtp);
      return first ? 'accepted' : 'reset';
    }
    const seq = this.seqs.peek(packet.sequenceNumber);
    const highest = this.seqs.max() ?? seq;
    if (seq - highest > MAX_DROPOUT || highest - seq > MAX_DROPOUT + MAX_MISORDER) {
      const confirms = this.pendingJump && ((this.pendingJump.seq + 1) & 0xffff) === packet.sequenceNumber;
      if (confirms) {
        this.counters.resets++;
        this.restart(packet, nowRtp);
        return 'reset';
      }
      this.pendingJump = { ssrc: packet.ssrc, seq: packet.sequenceNumber };
      return 'probation';
    }
    this.pendingJump = undefined;
    if (this.recentlyPlayed.has(seq) || this.queue.some((e) => e.seq === seq)) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    this.seqs.extend(packet.sequenceNumber);
    const ts = this.stamps.extend(packet.timestamp);
    this.observe(seq, ts, nowRtp);
    if (ts < this.playPos - this.frame / 4) {
      if (this.queue.length === 0 && seq > this.lastPlayedSeq && ts >= this.lastPlayedEnd) {
        // The buffer ran dry and the stream goes on behind its play position (a delay spike, or a
        // sender whose clock runs slow): play it from here with a longer delay rather than drop
        // the rest of the talkspurt as late; adapt() shrinks the delay back towards the target.
        this.counters.realigned++;
        this.playPos = ts;
        this.insert({ packet, seq, ts });
        return 'accepted';
      }
      this.counters.late++;
      return 'late';
    }
    if (packet.marker && this.queue.length === 0 && ts > this.playPos) {
      // Start of a talkspurt after silence: realign the offset to the target without a glitch.
      const aligned = this.outPos - this.desiredOffset();
      this.playPos = Math.min(ts, Math.max(aligned, this.lastPlayedEnd));
    }
    this.insert({ packet, seq, ts });
    return 'accepted';
  }

  /**
   * Everything that is due up to now, in playout order; durations add up to the local time elapsed
   * since the previous call (after the first packet; nothing before it).
   */
  pull(): JitterBufferEvent[] {
    if (this.ssrc === undefined) return [];
    const nowRtp = this.nowRtp();
    const events: JitterBufferEvent[] = [];
    const maxBacklog = ((this.maxDelay + 60) * this.rate) / 1000;
    if (nowRtp - this.outPos > maxBacklog) this.resync(nowRtp);
    for (let guard = 0; this.outPos <= nowRtp && guard < 64; guard++) {
      const event = this.adapt() ?? this.next();
      if (event) events.push(event);
    }
    return events;
  }

  /**
   * The buffered packet that plays next, right at the play position (no gap before it), without
   * consuming it; undefined when the next audio is not here yet. After a `missing` event this is the
   * packet that follows the lost one — whose in-band FEC can rebuild it (RFC 6716 §2.1.7).
   */
  peekNext(): JitterBufferPacket | undefined {
    const head = this.queue[0];
    if (!head || this.ssrc === undefined) return undefined;
    return Math.abs(head.ts - this.playPos) <= this.frame / 4 ? head.packet : undefined;
  }

  /** Counters and the current and target delays. */
  stats(): JitterBufferStats {
    const currentRtp = this.outPos - this.playPos - this.minTransit();
    return {
      ...this.counters,
      targetDelayMs: this.targetMs,
      currentDelayMs: this.ssrc === undefined ? 0 : (currentRtp * 1000) / this.rate,
      bufferedPackets: this.queue.length,
    };
  }

  private nowRtp(): number {
    return (this.opts.clock() * this.rate) / 1000;
  }

  /** Begins a stream (first packet, new SSRC, confirmed jump); output time stays continuous. */
  private restart(packet: JitterBufferPacket, nowRtp: number): void {
    const continuing = this.ssrc !== undefined;
    if (continuing && packet.ssrc !== this.ssrc) this.counters.resets++;
    this.ssrc = packet.ssrc;
    this.queue.length = 0;
    this.recentlyPlayed.clear();
    this.playedOrder.length = 0;
    this.seqs.reset();
    this.stamps.reset();
    this.transitCount = 0;
    this.pendingJump = undefined;
    this.lastReceived = undefined;
    this.targetMs = this.initialDelay;
    const seq = this.seqs.extend(packet.sequenceNumber);
    const ts = this.stamps.extend(packet.timestamp);
    this.observe(seq, ts, nowRtp);
    if (!continuing || this.outPos < nowRtp) this.outPos = nowRtp;
    // Offset outPos − playPos = this packet's transit + target: it plays `target` after arrival.
    this.playPos = ts + (this.outPos - nowRtp) - (this.targetMs * this.rate) / 1000;
    this.lastPlayedSeq = seq - 1;
    this.lastPlayedEnd = -Infinity;
    this.insert({ packet, seq, ts });
  }

  /** Records transit time and packet spacing, and updates the target delay. */
  private observe(seq: number, ts: number, nowRtp: number): void {
    this.transits[this.transitCount % this.transits.length] = nowRtp - ts;
    this.transitCount++;
    const last = this.lastReceived;
    if (last && seq === last.seq + 1) {
      const delta = ts - last.ts;
      if (delta > 0 && delta <= (this.rate * 120) / 1000) this.frame = delta;
    }
    if (!last || seq > last.seq) this.lastReceived = { seq, ts };
    const n = Math.min(this.transitCount, this.transits.length);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      min = Math.min(min, this.transits[i]);
      max = Math.max(max, this.transits[i]);
    }
    const spreadMs = ((max - min) * 1000) / this.rate;
    let target = Math.ceil(spreadMs + MARGIN_MS);
    if (this.transitCount < WARMUP_PACKETS) target = Math.max(target, this.initialDelay);
    this.targetMs = Math.min(this.maxDelay, Math.max(this.minDelay, target));
  }

  private minTransit(): number {
    const n = Math.min(this.transitCount, this.transits.length);
    let min = Infinity;
    for (let i = 0; i < n; i++) min = Math.min(min, this.transits[i]);
    return n === 0 ? 0 : min;
  }

  private desiredOffset(): number {
    return this.minTransit() + (this.targetMs * this.rate) / 1000;
  }

  /** One stretch or shrink step when the offset is off target; undefined when none is due. */
  private adapt(): JitterBufferEvent | undefined {
    const offset = this.outPos - this.playPos;
    const desired = this.desiredOffset();
    const f = this.frame;
    if (offset < desired - f / 2) {
      this.counters.stretched++;
      this.outPos += f;
      const silent = this.queue.length === 0 || this.queue[0].ts > this.playPos + f;
      return silent ? { kind: 'silence', duration: f } : { kind: 'missing', reason: 'stretch', duration: f };
    }
    const nowMs = this.opts.clock();
    if (offset > desired + f / 2 && nowMs - this.lastShrinkMs >= SHRINK_INTERVAL_MS) {
      const head = this.queue[0];
      if (!head || head.ts > this.playPos + f) {
        this.playPos += f; // skip silence the sender did not send
      } else {
        this.queue.shift();
        this.counters.dropped++;
        this.playPos = head.ts + this.durationOf(head);
      }
      this.counters.shrunk++;
      this.lastShrinkMs = nowMs;
    }
    return undefined;
  }

  /** The event at the play position: the due packet, concealment for a gap, or silence. */
  private next(): JitterBufferEvent {
    const tolerance = this.frame / 4;
    while (this.queue.length > 0 && this.queue[0].ts < this.playPos - tolerance) {
      this.queue.shift();
      this.counters.late++;
    }
    const head = this.queue[0];
    if (head && head.ts <= this.playPos + tolerance) {
      this.queue.shift();
      const duration = this.durationOf(head);
      this.outPos += duration;
      this.playPos = head.ts + duration;
      this.lastPlayedEnd = this.playPos;
      this.lastPlayedSeq = head.seq;
      this.remember(head.seq);
      this.concealRun = 0;
      return { kind: 'frame', packet: head.packet, duration };
    }
    const duration = head ? Math.min(this.frame, head.ts - this.playPos) : this.frame;
    this.outPos += duration;
    this.playPos += duration;
    const lost = head ? head.seq > this.lastPlayedSeq + 1 : this.concealRun < MAX_CONCEAL_RUN && this.lastPlayedEnd > -Infinity;
    if (!lost) return { kind: 'silence', duration };
    this.concealRun++;
    this.counters.concealed++;
    return { kind: 'missing', reason: 'loss', duration };
  }

  /** Jumps the output forward when the consumer stopped pulling for longer than the maximum delay. */
  private resync(nowRtp: number): void {
    const skip = nowRtp - this.outPos - this.frame;
    this.outPos += skip;
    this.playPos += skip;
    const before = this.queue.length;
    while (this.queue.length > 0 && this.queue[0].ts + this.durationOf(this.queue[0]) <= this.playPos) this.queue.shift();
    this.counters.dropped += before - this.queue.length;
  }

  private durationOf(entry: Entry): number {
    const d = this.opts.durationOf?.(entry.packet);
    return d !== undefined && d > 0 ? d : this.frame;
  }

  private insert(entry: Entry): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].seq > entry.seq) i--;
    this.queue.splice(i, 0, entry);
    if (this.queue.length > MAX_PACKETS) {
      this.queue.shift();
      this.counters.dropped++;
    }
  }

  private remember(seq: number): void {
    this.recentlyPlayed.add(seq);
    this.playedOrder.push(seq);
    if (this.playedOrder.length > 128) this.recentlyPlayed.delete(this.playedOrder.shift() as number);
  }
}
