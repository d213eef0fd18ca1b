/**
 * A leg that is not in a room yet and hears a generated tone instead of a mix (e.g. while its caller keys
 * a room PIN). It sends the tone on the leg's negotiated codec and packet time, every 20 ms off its own
 * frame clock; what the remote sends is received (latching, RTCP, RFC 4733 digits) but mixed nowhere.
 *
 * It borrows the leg's port pair: closing the prompt sends RTCP BYE for the prompt's SSRC (RFC 3550 §6.6)
 * and leaves the sockets bound, so the same ports can then carry the leg in its room.
 */
import { randomInt } from 'node:crypto';
import type { MediaLogger } from '../media-logger';
import { errorFields } from '../media-logger';
import type { JitterBufferOptions } from '../rtp/jitter-buffer';
import type { RtpPortPair } from '../rtp/port-allocator';
import { type AudioCodecFactory, AudioLeg } from './audio-leg';
import type { AudioLegParams } from './audio-leg-params';
import { FrameClock, type FrameClockOptions, type TimerScheduler } from './frame-clock';
import { type TonePrompt, ToneSource } from './tone-source';

/** Frame period of a prompt, ms (the rooms' `ROOM_FRAME_MS`). */
const PROMPT_FRAME_MS = 20;

/** Options of a `PromptLeg`. */
export interface PromptLegOptions {
  legId: string;
  /** The leg's bound ports; stay bound after `close()`. */
  pair: RtpPortPair;
  params: AudioLegParams;
  prompt: TonePrompt;
  codecFactory: AudioCodecFactory;
  /** Rate of the generated tone before the codec's resampling, Hz (the mixer's 16000). */
  mixerRate: number;
  cname: string;
  logger: MediaLogger;
  clock?: () => number;
  frameClock?: Pick<FrameClockOptions, 'now' | 'timers'>;
  rtcpTimers?: TimerScheduler;
  rtcpIntervalMs?: number;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'initialDelayMs'>;
  /** Digits received from the remote while prompted (RFC 4733). */
  onDtmf?: (digit: string, durationMs: number) => void;
}

/** A leg hearing a tone. */
export class PromptLeg {
  readonly legId: string;
  private readonly leg: AudioLeg;
  private readonly tone: ToneSource;
  private readonly clock: FrameClock;
  private readonly now: () => number;
  private failed = false;

  /**
   * Starts sending the tone from the next 20 ms tick.
   * @throws InvalidArgumentError for invalid parameters or an impossible tone; UnsupportedCodecError.
   *   Nothing is opened when it throws.
   */
  constructor(private readonly opts: PromptLegOptions) {
    this.legId = opts.legId;
    this.now = opts.clock ?? (() => performance.now());
    this.tone = new ToneSource(opts.prompt, opts.mixerRate, (opts.mixerRate * PROMPT_FRAME_MS) / 1000);
    const pair = opts.pair;
    const borrowed: RtpPortPair = { rtpPort: pair.rtpPort, rtcpPort: pair.rtcpPort, rtp: pair.rtp, rtcp: pair.rtcp, release: () => undefined };
    this.leg = new AudioLeg({
      legId: opts.legId,
      pair: borrowed,
      params: opts.params,
      codecFactory: opts.codecFactory,
      ssrc: randomInt(1, 2 ** 32 - 1),
      cname: opts.cname,
      mixerRate: opts.mixerRate,
      frameMs: PROMPT_FRAME_MS,
      clock: this.now,
      onDtmf: (dtmf) => opts.onDtmf?.(dtmf.digit, dtmf.durationMs),
      logger: opts.logger,
      jitter: opts.jitter,
      rtcpIntervalMs: opts.rtcpIntervalMs,
      timers: opts.rtcpTimers,
    });
    this.clock = new FrameClock({
      periodMs: PROMPT_FRAME_MS,
      onTick: () => this.tick(),
      onError: (err) => opts.logger.error({ legId: this.legId, ...errorFields(err) }, 'prompt tick failed'),
      ...opts.frameClock,
    });
    this.clock.start();
  }

  /** Stops the tone, sends RTCP BYE for the prompt's SSRC; the ports stay bound. Idempotent. */
  close(reason?: string): Promise<void> {
    this.clock.stop();
    return this.leg.close(reason);
  }

  private tick(): void {
    const frame = this.tone.next();
    try {
      this.leg.receiveFrame(this.now());
      this.leg.sendFrame(frame);
    } catch (err) {
      if (this.failed) return;
      this.failed = true;
      this.opts.logger.error({ legId: this.legId, ...errorFields(err) }, 'prompt leg failed (later failures not logged)');
    }
  }
}
