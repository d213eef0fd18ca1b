/**
 * The decoder of one sender (docs/video-pipeline.md, "Decoders"): a long-lived supervised ffmpeg
 * (`decoderArgs`) fed the sender's depacketized pictures and giving back fixed-size yuv420p
 * pictures, scaled and letterboxed to the size the compositor asked for.
 *
 * Pipe framing per codec: H.264 Annex B access units each followed by an access unit delimiter
 * (H.264 §7.3.2.4, so ffmpeg closes the picture at once); VP8 in IVF (one frame per IVF frame,
 * 90 kHz time base); H.263 (RFC 4629 / RFC 2190 payloads) and H.261 (RFC 4587) as their raw
 * bitstreams, which ffmpeg closes at the next picture start code (one picture of delay).
 */
import type { MediaLogger } from '../../media-logger';
import { InvalidArgumentError } from '../../errors';
import { decoderArgs, VideoCodecName } from '../ffmpeg-args';
import { withTrailingDelimiter } from '../h264-nal-unit';
import { serializeIvfFileHeader, serializeIvfFrame } from '../ivf';
import type { EncodedVideoFrame } from '../video-frame';
import { FfmpegProcess } from './ffmpeg-process';
import { RawPicture, yuv420pOctets } from './raw-picture';

/** Options of a `VideoDecoder`. */
export interface VideoDecoderOptions {
  /** The ffmpeg binary (from `FfmpegLocator`). */
  ffmpegPath: string;
  /** Codec of the sender's frames. */
  codec: VideoCodecName;
  /** Size of every picture out, pixels (even). */
  width: number;
  height: number;
  /**
   * `pad` (default): the sender is scaled to fit and padded black; `stretch`: scaled to exactly
   * the size, which the caller chose from the sender's display aspect (`decodeSizeFor`).
   */
  fit?: 'pad' | 'stretch';
  /** Name in log lines, e.g. the participant id. */
  name: string;
  logger: MediaLogger;
  /** Each decoded picture (its own buffer of `width·height·3/2` octets, the caller may keep it). */
  onPicture(p: RawPicture): void;
  /**
   * The decoder needs a key frame from the sender: its ffmpeg restarted, ffmpeg reported a decode
   * error, or a frame had to be dropped. Coalesced to at most one call per `keyframeRequestIntervalMs`;
   * the caller's `KeyframeRequester` paces what goes to the sender.
   */
  onNeedKeyframe(): void;
  /** Shortest time between two `onNeedKeyframe` calls in ms; default 250. */
  keyframeRequestIntervalMs?: number;
  /** Restart backoff and kill timing of the ffmpeg child, in ms (defaults of `FfmpegProcess`). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Counters of a `VideoDecoder`. */
export interface VideoDecoderStats {
  /** Frames passed to `decode`. */
  framesIn: number;
  /** Pictures delivered to `onPicture`. */
  picturesOut: number;
  /** Error lines ffmpeg wrote on stderr (corrupt or undecodable input). */
  decodeErrors: number;
  /** Replacement ffmpeg processes after unexpected deaths. */
  restarts: number;
}

/** Largest frame accepted in octets (a corrupt depacketizer output must not clog the pipe). */
const MAX_FRAME_OCTETS = 4 * 1024 * 1024;

/**
 * Decodes one sender's frames with a supervised ffmpeg child. Frames are dropped until the first
 * key frame (and again after a restart or a dropped write) because ffmpeg cannot decode predicted
 * pictures without their reference. Never throws from `decode`.
 */
export class VideoDecoder {
  private readonly process: FfmpegProcess;
  private readonly pictureOctets: number;
  private picture: Buffer;
  private filled = 0;
  private waitingForKeyframe = true;
  private ivfHeaderSent = false;
  private ivfLast = -1n;
  private ivfUnwrapped = 0;
  private lastRtpTimestamp: number | undefined;
  private lastKeyframeRequestAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  private readonly counters: VideoDecoderStats = { framesIn: 0, picturesOut: 0, decodeErrors: 0, restarts: 0 };
  private readonly keyframeRequestIntervalMs: number;

  /** @throws InvalidArgumentError for an odd or empty size (from `decoderArgs`). */
  constructor(private readonly options: VideoDecoderOptions) {
    this.pictureOctets = yuv420pOctets(options.width, options.height);
    this.picture = Buffer.allocUnsafe(this.pictureOctets);
    this.keyframeRequestIntervalMs = options.keyframeRequestIntervalMs ?? 250;
    const args = decoderArgs({ codec: options.codec, width: options.width, height: options.height, fit: options.fit });
    this.process = new FfmpegProcess({
      ffmpegPath: options.ffmpegPath,
      args,
      name: `video decoder ${options.name}`,
      logger: options.logger,
      initialBackoffMs: options.initialBackoffMs,
      maxBackoffMs: options.maxBackoffMs,
      // A decoder this far behind (seconds of video) freezes the tile; dropping restarts at a key frame.
      maxStdinBufferOctets: 2 * 1024 * 1024,
      onStdout: (chunk) => this.onStdout(chunk),
      onStderrLine: (line) => {
        // Some decoders print warnings at error level (H.261: "warning: first frame is no keyframe").
        if (/\bwarning\b/i.test(line)) return;
        this.counters.decodeErrors++;
        this.needKeyframe();
      },
      onRestart: () => {
        this.counters.restarts++;
        this.filled = 0;
        this.waitingForKeyframe = true;
        this.ivfHeaderSent = false;
        this.needKeyframe(true);
      },
    });
  }

  /** Pid of the current ffmpeg child (undefined while it restarts or after `close`). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Feeds one depacketized frame (`EncodedVideoFrame.data` as the depacketizer made it). */
  decode(frame: EncodedVideoFrame): void {
    if (this.closed) return;
    this.counters.framesIn++;
    if (frame.data.length === 0 || frame.data.length > MAX_FRAME_OCTETS) return;
    if (this.waitingForKeyframe && !frame.keyframe) {
      this.needKeyframe();
      return;
    }
    const headerSentBefore = this.ivfHeaderSent;
    const payload = this.frame(frame);
    if (this.process.write(payload)) {
      this.waitingForKeyframe = false;
    } else {
      // A lost picture breaks the prediction chain: start again from the next key frame.
      this.ivfHeaderSent = headerSentBefore;
      this.waitingForKeyframe = true;
      this.needKeyframe();
    }
  }

  /** Counters since construction. */
  stats(): VideoDecoderStats {
    return { ...this.counters };
  }

  /** Stops the ffmpeg child (SIGTERM, then SIGKILL after 1 s); resolves when it has exited. */
  close(): Promise<void> {
    this.closed = true;
    return this.process.stop();
  }

  private frame(frame: EncodedVideoFrame): Buffer {
    switch (this.options.codec) {
      case 'h264':
        return withTrailingDelimiter(frame.data);
      case 'vp8': {
        const ts = this.ivfTimestamp(frame.rtpTimestamp);
        const body = serializeIvfFrame(frame.data, ts);
        if (this.ivfHeaderSent) return body;
        this.ivfHeaderSent = true;
        const header = serializeIvfFileHeader({
          fourcc: 'VP80',
          width: this.options.width,
          height: this.options.height,
          timebaseRate: 90000,
          timebaseScale: 1,
        });
        return Buffer.concat([header, body]);
      }
      case 'h263':
      case 'h263p':
      case 'h261':
        return frame.data;
      default:
        throw new InvalidArgumentError(`Unknown video codec ${String(this.options.codec)}`);
    }
  }

  /** Strictly increasing 90 kHz IVF timestamps from RTP timestamps (32-bit wrap unrolled). */
  private ivfTimestamp(rtpTimestamp: number): bigint {
    if (this.lastRtpTimestamp !== undefined) {
      const delta = (rtpTimestamp - this.lastRtpTimestamp) | 0;
      // Forward steps only; a backward or absurd jump (SSRC change) advances by one tick.
      this.ivfUnwrapped += delta > 0 && delta < 90000 * 10 ? delta : 1;
    }
    this.lastRtpTimestamp = rtpTimestamp;
    let ts = BigInt(this.ivfUnwrapped);
    if (ts <= this.ivfLast) ts = this.ivfLast + 1n;
    this.ivfLast = ts;
    return ts;
  }

  private onStdout(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(this.pictureOctets - this.filled, chunk.length - offset);
      chunk.copy(this.picture, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.pictureOctets) {
        const data = this.picture;
        this.picture = Buffer.allocUnsafe(this.pictureOctets);
        this.filled = 0;
        this.counters.picturesOut++;
        try {
          this.options.onPicture({ width: this.options.width, height: this.options.height, data });
        } catch (err) {
          this.options.logger.error({ name: this.options.name, err: String(err) }, 'video decoder picture handler failed');
        }
      }
    }
  }

  private needKeyframe(force = false): void {
    if (this.closed) return;
    const now = performance.now();
    if (!force && now - this.lastKeyframeRequestAt < this.keyframeRequestIntervalMs) return;
    this.lastKeyframeRequestAt = now;
    try {
      this.options.onNeedKeyframe();
    } catch (err) {
      this.options.logger.error({ name: this.options.name, err: String(err) }, 'video decoder key frame handler failed');
    }
  }
}
