/**
 * The encoder of one distinct output (view, codec, size, bitrate) of a room (docs/video-pipeline.md,
 * "Encoders" and "Key frames on demand"): raw yuv420p pictures in at the room's frame clock, whole
 * coded pictures out.
 *
 * ffmpeg cannot be told to emit an IDR at run time, so a key frame request admitted by the
 * `KeyframeLimiter` (at most one per second) hands the output over to a second ffmpeg: a standby
 * process, spawned ahead and idle, so that only the encoder's start-up on its first picture
 * delays the IDR. From the request on, both encoders get the same pictures; the old encoder's
 * coded pictures from picture N (the first the new one got) are held back, and when the new
 * encoder's first picture (a key frame for picture N) comes out, it and its successors are sent
 * instead and the old encoder is stopped. Every picture comes out exactly once, in order: the
 * receivers see at most a pause of the new encoder's start-up, never a gap in the pictures. When
 * the new encoder fails or stays silent for `MAX_HELD_PICTURES` pictures, the held pictures of the
 * old one are released. A crashed encoder is replaced the same way (with backoff), so a restart
 * also starts with a key frame.
 */
import type { MediaLogger } from '../../media-logger';
import { errorFields } from '../../media-logger';
import { encoderArgs, VideoCodecName } from '../ffmpeg-args';
import { KeyframeLimiter } from '../keyframe-limiter';
import type { EncodedVideoFrame } from '../video-frame';
import { CodedStreamSplitter, codedStreamSplitter } from './coded-stream-splitter';
import { FfmpegExitInfo, FfmpegProcess } from './ffmpeg-process';
import { RawPicture, yuv420pOctets } from './raw-picture';

/** Options of a `VideoEncoder`. */
export interface VideoEncoderOptions {
  /** The ffmpeg binary (from `FfmpegLocator`). */
  ffmpegPath: string;
  codec: VideoCodecName;
  /** Picture size in pixels (even; H.263 and H.261 at their standard sizes, see `encoderArgs`). */
  width: number;
  height: number;
  /** Pictures per second passed to `encode`. */
  frameRate: number;
  /** Target bitrate in bit/s (`encoderBitrateBps`: b=TIAS, b=AS, H.245 maxBitRate). */
  bitrateBps: number;
  /** H.264 profile-level-id the receivers accept (RFC 6184 §8.1); default 42e01f. */
  profileLevelId?: string;
  /** H.264 packetization-mode (RFC 6184 §6.2): 0 caps slices under `maxPayloadOctets`. */
  packetizationMode?: 0 | 1;
  /** Largest RTP payload in octets; default 1200. */
  maxPayloadOctets?: number;
  /** Name in log lines. */
  name: string;
  logger: MediaLogger;
  /** Each coded picture, in input order, exactly once (H.264: Annex B, SPS+PPS before every IDR). */
  onFrame(frame: EncodedVideoFrame): void;
  /** Monotonic clock in ms for the key frame rate limit and default timestamps; default `performance.now`. */
  clock?: () => number;
  /** Shortest time between two requested key frames in ms; default 1000. */
  minKeyframeIntervalMs?: number;
  /** Periodic key frames every this many pictures; default 10 s worth. */
  keyframeIntervalFrames?: number;
  /** Delay before replacing a crashed encoder in ms, doubling per consecutive failure; default 250, at most 8000. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Keep an idle ffmpeg spawned ahead for the next key frame handover (faster IDR); default true. */
  standby?: boolean;
}

/** Counters of a `VideoEncoder`. */
export interface VideoEncoderStats {
  /** Pictures passed to `encode` (those of a wrong size included). */
  picturesIn: number;
  /** Coded pictures delivered to `onFrame`. */
  framesOut: number;
  /** Key frames among them. */
  keyframesOut: number;
  /** `requestKeyframe` calls. */
  keyframesRequested: number;
  /** Replacements of a crashed or broken ffmpeg. */
  restarts: number;
}

/** A written picture whose coded form has not come out yet. */
interface InFlight {
  readonly seq: number;
  readonly rtpTimestamp: number;
}

/** A coded picture with the sequence number of its input picture. */
interface Coded {
  readonly seq: number;
  readonly frame: EncodedVideoFrame;
}

/** One ffmpeg encoder process and what it has been fed. */
interface Instance {
  readonly id: number;
  process: FfmpegProcess;
  readonly splitter: CodedStreamSplitter;
  readonly inFlight: InFlight[];
  /** Output held back during a handover: the new encoder's until the switch, the old one's from picture N. */
  readonly held: Coded[];
  /** Sequence number of its latest output picture. */
  lastOutSeq: number;
  produced: boolean;
  dead: boolean;
}

/**
 * Coded pictures held back during a handover before it is given up (12 at 25/s: 480 ms, the
 * product's limit for an IDR after a request).
 */
const MAX_HELD_PICTURES = 12;

/**
 * Encodes one output with supervised ffmpeg children and serves key frame requests by handover.
 * Never throws from `encode` or `requestKeyframe`.
 */
export class VideoEncoder {
  private readonly limiter: KeyframeLimiter;
  private readonly clock: () => number;
  private readonly args: string[];
  private readonly pictureOctets: number;
  private readonly keyframeInterval: number;
  private active: Instance | undefined;
  private next: Instance | undefined;
  /** Idle process spawned ahead for the next handover (no pictures written yet). */
  private standby: Instance | undefined;
  /** Sequence number of the first picture written to `next`. */
  private handoverFromSeq: number | undefined;
  private readonly useStandby: boolean;
  private readonly stopping = new Set<Promise<void>>();
  private nextId = 0;
  private seq = 0;
  private lastEmittedSeq = -1;
  private lastRtpTimestamp = 0;
  private failures = 0;
  private replaceTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private sizeMismatchLogged = false;
  private readonly counters: VideoEncoderStats = { picturesIn: 0, framesOut: 0, keyframesOut: 0, keyframesRequested: 0, restarts: 0 };

  /**
   * Spawns the first encoder at once (its first picture out is a key frame).
   * @throws InvalidArgumentError for sizes, rates or profile-level-ids `encoderArgs` rejects.
   */
  constructor(private readonly options: VideoEncoderOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.limiter = new KeyframeLimiter({ clock: this.clock, minIntervalMs: options.minKeyframeIntervalMs });
    this.keyframeInterval = Math.max(1, Math.round(options.keyframeIntervalFrames ?? options.frameRate * 10));
    this.args = encoderArgs({
      codec: options.codec,
      width: options.width,
      height: options.height,
      frameRate: options.frameRate,
      bitrateBps: options.bitrateBps,
      keyframeIntervalFrames: this.keyframeInterval,
      profileLevelId: options.profileLevelId,
      packetizationMode: options.packetizationMode,
      maxPayloadSize: options.maxPayloadOctets,
    });
    this.pictureOctets = yuv420pOctets(options.width, options.height);
    this.useStandby = options.standby ?? true;
    this.active = this.spawnInstance();
    this.spawnStandby();
  }

  /** Pid of the ffmpeg child whose output is delivered (undefined while replaced or after `close`). */
  get pid(): number | undefined {
    return this.active?.process.pid;
  }

  /** A key frame handover is under way (a second ffmpeg runs). */
  get handoverInProgress(): boolean {
    return this.next !== undefined;
  }

  /**
   * Encodes one picture of the output's size (other sizes are dropped and logged once).
   * @param rtpTimestamp the picture's 90 kHz RTP timestamp (RFC 3551 §5); default from the clock.
   */
  encode(p: RawPicture, rtpTimestamp?: number): void {
    if (this.closed) return;
    this.counters.picturesIn++;
    if (p.width !== this.options.width || p.height !== this.options.height || p.data.length < this.pictureOctets) {
      if (!this.sizeMismatchLogged) {
        this.sizeMismatchLogged = true;
        this.options.logger.error(
          { name: this.options.name, width: p.width, height: p.height, expected: `${this.options.width}x${this.options.height}` },
          'video encoder got a picture of the wrong size; dropped',
        );
      }
      return;
    }
    if (this.limiter.poll()) this.startHandover();
    const seq = this.seq++;
    const ts = (rtpTimestamp ?? Math.round(this.clock() * 90)) >>> 0;
    const data = p.data.length === this.pictureOctets ? p.data : p.data.subarray(0, this.pictureOctets);
    for (const inst of [this.active, this.next]) {
      if (inst && !inst.dead && inst.process.write(data)) inst.inFlight.push({ seq, rtpTimestamp: ts });
    }
    if (this.next && this.handoverFromSeq === undefined && this.next.inFlight.length > 0) this.handoverFromSeq = this.next.inFlight[0].seq;
  }

  /**
   * A receiver asks for a key frame (RTCP PLI/FIR, RFC 4585 §6.3.1 / RFC 5104 §4.3.1; H.245
   * videoFastUpdatePicture; a new receiver). Admitted at most once per second: the IDR comes out of
   * the standby encoder after its start-up on the first picture (≈ 50–100 ms with ffmpeg 5.1 on an
   * idle machine; a picture more for H.263/H.261, which are split at the next start code; ≈ 150 ms
   * more without a standby). A refused request is remembered and served when the second has passed
   * (on a later `encode`).
   * @returns true when a handover started now; false when rate-limited or closed.
   */
  requestKeyframe(): boolean {
    if (this.closed) return false;
    this.counters.keyframesRequested++;
    if (!this.limiter.request()) return false;
    this.startHandover();
    return true;
  }

  /** Counters since construction. */
  stats(): VideoEncoderStats {
    return { ...this.counters };
  }

  /** Stops every ffmpeg child (SIGTERM, then SIGKILL after 1 s); resolves when all have exited. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.replaceTimer) clearTimeout(this.replaceTimer);
    this.replaceTimer = undefined;
    for (const inst of [this.active, this.next, this.standby]) if (inst) this.retire(inst);
    this.active = undefined;
    this.next = undefined;
    this.standby = undefined;
    await Promise.all([...this.stopping]);
  }

  private spawnInstance(): Instance {
    const id = this.nextId++;
    const inst: Instance = {
      id,
      process: undefined as unknown as FfmpegProcess,
      splitter: codedStreamSplitter(this.options.codec, this.keyframeInterval),
      inFlight: [],
      held: [],
      lastOutSeq: -1,
      produced: false,
      dead: false,
    };
    inst.process = new FfmpegProcess({
      ffmpegPath: this.options.ffmpegPath,
      args: this.args,
      name: `video encoder ${this.options.name} #${id}`,
      logger: this.options.logger,
      restart: false,
      // Video stays live: an encoder more than 8 pictures behind loses pictures instead of adding delay.
      maxStdinBufferOctets: this.pictureOctets * 8,
      onStdout: (chunk) => this.onStdout(inst, chunk),
      onExit: (info) => this.onExit(inst, info),
    });
    return inst;
  }

  private onStdout(inst: Instance, chunk: Buffer): void {
    if (inst.dead) return;
    let pictures;
    try {
      pictures = inst.splitter.push(chunk);
    } catch (err) {
      this.options.logger.error({ name: this.options.name, ...errorFields(err) }, 'video encoder output unreadable; replacing the encoder');
      this.fail(inst);
      return;
    }
    for (const picture of pictures) {
      const entry = inst.inFlight.shift();
      const seq = entry?.seq ?? inst.lastOutSeq + 1;
      const rtpTimestamp = entry?.rtpTimestamp ?? this.lastRtpTimestamp;
      inst.lastOutSeq = seq;
      if (!inst.produced) {
        inst.produced = true;
        this.failures = 0;
      }
      const coded: Coded = { seq, frame: { data: picture.data, keyframe: picture.keyframe, rtpTimestamp } };
      if (inst === this.active) {
        if (this.handoverFromSeq !== undefined && seq >= this.handoverFromSeq) {
          inst.held.push(coded);
          if (inst.held.length > MAX_HELD_PICTURES) {
            this.abandonHandover('the new encoder gave no key frame in time');
            return;
          }
        } else {
          this.emit(coded);
        }
      } else if (inst === this.next) {
        if (inst.held.length === 0 && !picture.keyframe) {
          // Only a key frame can start the receivers' streams after the switch; wait for one.
          continue;
        }
        inst.held.push(coded);
      }
    }
    this.maybeSwitch();
  }

  /** Switches to the handover encoder once the old one has delivered every picture before its first. */
  private maybeSwitch(): void {
    const next = this.next;
    if (!next || next.held.length === 0) return;
    const active = this.active;
    const first = next.held[0].seq;
    const caughtUp = !active || active.dead || active.lastOutSeq >= first - 1 || this.lastEmittedSeq >= first - 1;
    // An old encoder that fell this far behind is not waited for: the new one goes live.
    if (caughtUp || next.held.length > MAX_HELD_PICTURES) this.switchToNext();
  }

  /** Gives up a handover: the old encoder's held pictures go out, the new encoder is stopped. */
  private abandonHandover(reason: string): void {
    const next = this.next;
    const active = this.active;
    this.next = undefined;
    this.handoverFromSeq = undefined;
    if (next) {
      this.options.logger.warn({ name: this.options.name, reason }, 'video encoder key frame handover given up');
      this.retire(next);
    }
    if (active) for (const coded of active.held.splice(0)) this.emit(coded);
    this.spawnStandby();
    // The request is still unserved: ask again, which the limiter serves when its second has passed.
    if (next && active && !active.dead && this.limiter.request()) this.startHandover();
  }

  private switchToNext(): void {
    const next = this.next;
    if (!next) return;
    const old = this.active;
    this.active = next;
    this.next = undefined;
    this.handoverFromSeq = undefined;
    if (old) {
      old.held.length = 0;
      this.retire(old);
    }
    for (const coded of next.held.splice(0)) this.emit(coded);
    this.spawnStandby();
  }

  /** Spawns the idle process the next handover starts from (when enabled and none is up). */
  private spawnStandby(): void {
    if (!this.useStandby || this.closed || (this.standby && !this.standby.dead)) return;
    this.standby = this.spawnInstance();
  }

  /** The process a handover starts: the standby when it is alive, else a fresh one. */
  private takeStandby(): Instance {
    const standby = this.standby;
    this.standby = undefined;
    if (standby && !standby.dead && standby.process.running) return standby;
    if (standby) this.retire(standby);
    return this.spawnInstance();
  }

  private emit(coded: Coded): void {
    if (coded.seq <= this.lastEmittedSeq) return;
    this.lastEmittedSeq = coded.seq;
    this.lastRtpTimestamp = coded.frame.rtpTimestamp;
    this.counters.framesOut++;
    if (coded.frame.keyframe) this.counters.keyframesOut++;
    try {
      this.options.onFrame(coded.frame);
    } catch (err) {
      this.options.logger.error({ name: this.options.name, ...errorFields(err) }, 'video encoder frame handler failed');
    }
  }

  private startHandover(): void {
    if (this.closed || this.next || this.replaceTimer) return;
    this.next = this.takeStandby();
    this.handoverFromSeq = undefined;
  }

  private onExit(inst: Instance, info: FfmpegExitInfo): void {
    if (info.expected || inst.dead) return;
    this.fail(inst);
  }

  /** An instance died or produced garbage: drop it and bring a replacement up through a handover. */
  private fail(inst: Instance): void {
    if (inst.dead) return;
    inst.dead = true;
    this.retire(inst);
    if (this.closed) return;
    if (inst === this.standby) {
      // Respawned when the next handover needs it.
      this.standby = undefined;
      return;
    }
    if (!inst.produced) this.failures++;
    if (inst === this.next) {
      this.abandonHandover('the new encoder died');
      if (this.active && !this.active.dead) return;
    }
    if (inst === this.active || !this.active || this.active.dead) {
      if (this.next) {
        this.maybeSwitch();
        return;
      }
      this.scheduleReplacement();
    }
  }

  private scheduleReplacement(): void {
    if (this.replaceTimer || this.closed) return;
    const initial = this.options.initialBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 8000;
    const delay = Math.min(max, initial * 2 ** Math.max(0, this.failures - 1));
    this.replaceTimer = setTimeout(() => {
      this.replaceTimer = undefined;
      if (this.closed || this.next) return;
      // A replacement of a dead encoder is a restart; a retried handover is not.
      if (!this.active || this.active.dead) this.counters.restarts++;
      this.options.logger.info({ name: this.options.name, delayMs: delay }, 'video encoder replaced');
      this.next = this.takeStandby();
      this.handoverFromSeq = undefined;
    }, delay);
  }

  private retire(inst: Instance): void {
    inst.dead = true;
    const stopping = inst.process.stop();
    this.stopping.add(stopping);
    void stopping.then(() => this.stopping.delete(stopping));
  }
}
