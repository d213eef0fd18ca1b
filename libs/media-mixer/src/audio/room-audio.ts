/**
 * The audio of one room: its legs, one mix-minus `AudioMixer` at `MIXER_SAMPLE_RATE`, one 20 ms
 * `FrameClock` driving every leg, active-speaker detection, and typed room events.
 *
 * Per tick: every leg's incoming audio is pulled and contributed, the mixer forms each leg's
 * mix-minus, every leg encodes and sends its own, then the speaker detector sees the levels. A leg
 * that throws is logged (once) and skipped for that tick; the others carry on.
 *
 * Owns its legs (closing the room closes them). The clock runs while the room has legs.
 */
import { type MediaLogger, errorFields } from '../media-logger';
import { InvalidArgumentError } from '../errors';
import type { RtpPortPair } from '../rtp/port-allocator';
import type { JitterBufferOptions } from '../rtp/jitter-buffer';
import { TypedEvents } from '../typed-events';
import { ActiveSpeakerDetector, type ActiveSpeakerOptions } from './active-speaker';
import { type AudioCodecFactory, AudioLeg, type AudioLegStats } from './audio-leg';
import type { AudioLegParams } from './audio-leg-params';
import { AudioMixer, MIXER_SAMPLE_RATE } from './audio-mixer';
import { FrameClock, type FrameClockOptions, type FrameTick, type TimerScheduler } from './frame-clock';
import { randomInt } from 'node:crypto';

/** Mixer tick, ms. */
export const ROOM_FRAME_MS = 20;

/** Events of a room's audio. */
export interface RoomAudioEvents {
  /** A DTMF digit received on a leg (RFC 4733). */
  dtmf: { legId: string; digit: string; durationMs: number };
  /** The floor changed; null when nobody holds it. */
  'active-speaker': { legId: string | null };
}

/** Options of a `RoomAudio`. */
export interface RoomAudioOptions {
  roomId: string;
  codecFactory: AudioCodecFactory;
  /** SDES CNAME of our streams (RFC 3550 §6.5.1). */
  cname: string;
  logger: MediaLogger;
  /** Monotonic ms for jitter buffers and RTCP. Default `performance.now`. */
  clock?: () => number;
  /** Clock and timers of the frame clock (tests). Defaults: `process.hrtime.bigint`, unref'd `setTimeout`. */
  frameClock?: Pick<FrameClockOptions, 'now' | 'timers'>;
  /** Timers for RTCP reports. */
  rtcpTimers?: TimerScheduler;
  /** Fixed RTCP interval, ms (default: RFC 3550 §6.3.1). */
  rtcpIntervalMs?: number;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'initialDelayMs'>;
  activeSpeaker?: Omit<ActiveSpeakerOptions, 'frameMs'>;
}

/** Counters of the room's tick loop. */
export interface RoomAudioTickStats {
  ticks: number;
  /** Ticks the frame clock skipped after stalls. */
  skipped: number;
  /** Exceptions caught in the tick (per leg and step). */
  errors: number;
  /** Time spent inside ticks, ms (divide by `ticks` for the mean cost against the 20 ms budget). */
  busyMs: number;
  /** Ticks that fired more than 10 ms after their due time (event loop busy or process descheduled). */
  lateTicks: number;
  /** Largest lateness of a tick, ms. */
  maxLateMs: number;
}

/** A tick later than this counts in `lateTicks`. */
const LATE_TICK_MS = 10;

/** Audio of one room. */
export class RoomAudio {
  readonly roomId: string;
  readonly events: TypedEvents<RoomAudioEvents>;
  private readonly legs = new Map<string, AudioLeg>();
  private readonly mixer: AudioMixer;
  private readonly clock: FrameClock;
  private readonly now: () => number;
  private readonly speaker: ActiveSpeakerDetector;
  private readonly failing = new Set<string>();
  private ticks = 0;
  private errors = 0;
  private busyMs = 0;
  private lateTicks = 0;
  private maxLateMs = 0;
  private closed = false;

  constructor(private readonly opts: RoomAudioOptions) {
    this.roomId = opts.roomId;
    this.events = new TypedEvents<RoomAudioEvents>(opts.logger);
    this.now = opts.clock ?? (() => performance.now());
    this.mixer = new AudioMixer({ sampleRate: MIXER_SAMPLE_RATE, frameSamples: (MIXER_SAMPLE_RATE * ROOM_FRAME_MS) / 1000 });
    this.speaker = new ActiveSpeakerDetector({ frameMs: ROOM_FRAME_MS, ...opts.activeSpeaker });
    this.clock = new FrameClock({
      periodMs: ROOM_FRAME_MS,
      onTick: (tick) => this.onTick(tick),
      onError: (err) => opts.logger.error({ roomId: this.roomId, ...errorFields(err) }, 'room tick failed'),
      ...opts.frameClock,
    });
  }

  /** Number of legs. */
  get size(): number {
    return this.legs.size;
  }

  /** Ids of the legs, in joining order. */
  legIds(): string[] {
    return [...this.legs.keys()];
  }

  /** The leg holding the floor, or null. */
  get activeSpeaker(): string | null {
    return this.speaker.speaker;
  }

  /**
   * Adds a leg: opens its RTP endpoint on `pair` and starts mixing at the next tick.
   * @throws InvalidArgumentError for a duplicate id, a closed room or invalid parameters;
   *   UnsupportedCodecError for a codec without implementation. On a throw `pair` stays the caller's.
   */
  addLeg(legId: string, pair: RtpPortPair, params: AudioLegParams): void {
    if (this.closed) throw new InvalidArgumentError(`Room ${this.roomId} is closed`);
    if (this.legs.has(legId)) throw new InvalidArgumentError(`Leg ${legId} is already in room ${this.roomId}`);
    const leg = new AudioLeg({
      legId,
      pair,
      params,
      codecFactory: this.opts.codecFactory,
      ssrc: randomInt(1, 2 ** 32 - 1),
      cname: this.opts.cname,
      mixerRate: MIXER_SAMPLE_RATE,
      frameMs: ROOM_FRAME_MS,
      clock: this.now,
      onDtmf: (dtmf) => this.events.emit('dtmf', { legId, ...dtmf }),
      logger: this.opts.logger,
      jitter: this.opts.jitter,
      rtcpIntervalMs: this.opts.rtcpIntervalMs,
      timers: this.opts.rtcpTimers,
    });
    this.legs.set(legId, leg);
    this.mixer.addParticipant(legId);
    this.applyState(leg);
    this.clock.start();
  }

  /**
   * Renegotiates a leg (re-INVITE): remote address, codec, packet time, direction (hold/resume).
   * @throws InvalidArgumentError for an unknown leg or invalid parameters; UnsupportedCodecError.
   */
  updateLeg(legId: string, changes: Partial<AudioLegParams>): void {
    const leg = this.get(legId);
    leg.update(changes);
    this.applyState(leg);
  }

  /**
   * Server-side mute: the leg leaves everyone's mix from the next tick (within one frame) and still hears.
   * @throws InvalidArgumentError for an unknown leg.
   */
  setMuted(legId: string, muted: boolean): void {
    const leg = this.get(legId);
    leg.setMuted(muted);
    this.applyState(leg);
  }

  /**
   * Sends a DTMF digit to the leg (RFC 4733).
   * @throws InvalidArgumentError for an unknown leg, no telephone-event, a bad digit or duration.
   */
  sendDtmf(legId: string, digit: string, durationMs: number): void {
    this.get(legId).sendDtmf(digit, durationMs);
  }

  /**
   * Statistics of a leg.
   * @throws InvalidArgumentError for an unknown leg.
   */
  stats(legId: string): AudioLegStats {
    return this.get(legId).stats();
  }

  /** Tick counters. */
  tickStats(): RoomAudioTickStats {
    return { ticks: this.ticks, skipped: this.clock.skipped, errors: this.errors, busyMs: this.busyMs, lateTicks: this.lateTicks, maxLateMs: this.maxLateMs };
  }

  /** True when the room has the leg. */
  hasLeg(legId: string): boolean {
    return this.legs.has(legId);
  }

  /**
   * Removes a leg: RTCP BYE, ports released. The clock stops with the last leg. Unknown ids resolve at once.
   */
  async removeLeg(legId: string, reason?: string): Promise<void> {
    const leg = this.legs.get(legId);
    if (!leg) return;
    this.legs.delete(legId);
    this.mixer.removeParticipant(legId);
    this.failing.delete(legId);
    if (this.speaker.remove(legId) === null) this.events.emit('active-speaker', { legId: null });
    if (this.legs.size === 0) this.clock.stop();
    await leg.close(reason);
  }

  /** Stops the clock and removes every leg. Idempotent. */
  async close(reason?: string): Promise<void> {
    this.closed = true;
    this.clock.stop();
    await Promise.all(this.legIds().map((id) => this.removeLeg(id, reason)));
    this.events.clear();
  }

  private get(legId: string): AudioLeg {
    const leg = this.legs.get(legId);
    if (!leg) throw new InvalidArgumentError(`No leg ${legId} in room ${this.roomId}`);
    return leg;
  }

  /** Mixer flags and the speaker floor after a change of direction or mute. */
  private applyState(leg: AudioLeg): void {
    this.mixer.setHeld(leg.legId, !leg.sending);
    this.mixer.setMuted(leg.legId, leg.isMuted || !leg.mixing);
    if ((leg.isMuted || !leg.mixing) && this.speaker.remove(leg.legId) === null) this.events.emit('active-speaker', { legId: null });
  }

  private onTick(tick: FrameTick): void {
    const lateMs = Number(tick.lateNs) / 1e6;
    if (lateMs > LATE_TICK_MS) this.lateTicks++;
    this.maxLateMs = Math.max(this.maxLateMs, lateMs);
    const started = this.now();
    this.tick(started);
    this.busyMs += this.now() - started;
  }

  private tick(now: number): void {
    this.ticks++;
    for (const [id, leg] of this.legs) {
      this.guard(id, () => {
        const frame = leg.receiveFrame(now);
        if (frame) this.mixer.contribute(id, frame);
      });
    }
    const mixes = this.mixer.mix();
    for (const [id, leg] of this.legs) this.guard(id, () => leg.sendFrame(mixes.get(id)));
    const levels = new Map<string, number>();
    const decoded = this.mixer.levels();
    for (const [id, leg] of this.legs) {
      if (leg.isMuted || !leg.mixing) continue;
      levels.set(id, leg.reportedLevel(now) ?? decoded.get(id) ?? 0);
    }
    const change = this.speaker.update(levels);
    if (change !== undefined) this.events.emit('active-speaker', { legId: change });
  }

  private guard(legId: string, step: () => void): void {
    try {
      step();
    } catch (err) {
      this.errors++;
      if (this.failing.has(legId)) return;
      this.failing.add(legId);
      this.opts.logger.error({ roomId: this.roomId, legId, ...errorFields(err) }, 'leg failed in the room tick (later failures only counted)');
    }
  }
}
