/**
 * Argument lists for the ffmpeg processes of the video pipeline (docs/video-pipeline.md):
 *
 * - a decoder per sender: the sender's elementary stream on stdin, raw yuv420p pictures of a fixed
 *   size on stdout, one picture out per picture in, without buffering;
 * - an encoder per distinct (view, codec, size, bitrate): raw yuv420p pictures on stdin, the coded
 *   stream on stdout in a framing that delimits pictures (FLV for H.264, IVF for VP8, the raw
 *   H.263/H.261 bitstream split at picture start codes);
 * - a one-shot label renderer (drawtext on a transparent picture) for the compositor;
 * - one monolithic decode + compose + encode command, the reference the benchmark compares with.
 *
 * Pure functions: the caller spawns `[ffmpegPath, ...args]` without a shell.
 */
import { InvalidArgumentError } from '../errors';
import { compositeFilterGraph, CompositeGraphOptions, drawtextFilter } from './filtergraph';
import { H263_SOURCE_FORMATS } from './h263-picture-header';
import { parseProfileLevelId } from './h264-parameters';

/** Video codecs the pipeline decodes and encodes (ffmpeg's `h263p` is H.263-1998/2000). */
export type VideoCodecName = 'h264' | 'vp8' | 'h263' | 'h263p' | 'h261';

/** Container or bitstream format on each codec's pipe (ffmpeg `-f` value). */
export const PIPE_FORMAT: Readonly<Record<VideoCodecName, string>> = {
  h264: 'h264',
  vp8: 'ivf',
  h263: 'h263',
  h263p: 'h263',
  h261: 'h261',
};

/** Picture sizes H.261 allows (H.261 §3.1: QCIF and CIF). */
const H261_SIZES = ['176x144', '352x288'];

/** Options of `decoderArgs`. */
export interface DecoderArgsOptions {
  readonly codec: VideoCodecName;
  /** Size of every output picture in pixels (even). */
  readonly width: number;
  readonly height: number;
  /**
   * How the input becomes that size: `pad` (default) scales it to fit keeping its pixel aspect and
   * pads black; `stretch` scales it to exactly the size, for a size the caller chose from the
   * input's own display aspect (`decodeSizeFor`), so the picture carries no bars of its own.
   */
  readonly fit?: 'pad' | 'stretch';
  /** ffmpeg `-loglevel`; default `error` (stderr is parsed for errors). */
  readonly logLevel?: string;
}

/**
 * ffmpeg arguments of a long-lived decoder: stdin carries the sender's pictures (H.264 Annex B
 * access units each followed by an access unit delimiter, so the parser closes a picture at once;
 * VP8 in IVF; H.263/H.261 bitstream), stdout carries `width·height·3/2`-octet yuv420p pictures,
 * flushed one by one. No probing delay, no frame threading (each adds a picture of latency).
 * @throws InvalidArgumentError for an odd or empty size.
 */
export function decoderArgs(o: DecoderArgsOptions): string[] {
  checkSize(o.width, o.height);
  const { width: w, height: h } = o;
  return [
    '-hide_banner', '-nostdin', '-loglevel', o.logLevel ?? 'error',
    '-probesize', '32', '-analyzeduration', '0', '-flags', 'low_delay', '-threads', '1',
    '-f', PIPE_FORMAT[o.codec], '-i', 'pipe:0',
    '-an', '-sn',
    '-vf',
    o.fit === 'stretch'
      ? `scale=${w}:${h},setsar=1`
      : `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1`,
    '-fps_mode', 'passthrough', '-flush_packets', '1',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
  ];
}

/** Options of `encoderArgs`. */
export interface EncoderArgsOptions {
  readonly codec: VideoCodecName;
  /** Picture size in pixels (even; H.263 and H.261 only at their standard sizes). */
  readonly width: number;
  readonly height: number;
  /** Pictures per second written to stdin. */
  readonly frameRate: number;
  /** Target bitrate in bit/s (from `encoderBitrateBps`). */
  readonly bitrateBps: number;
  /** Pictures between periodic key frames; default 10 s worth. Requests are served by restarts. */
  readonly keyframeIntervalFrames?: number;
  /** H.264 `profile-level-id` the receiver accepts; default Constrained Baseline 3.1 (42e01f). */
  readonly profileLevelId?: string;
  /** H.264 packetization-mode 0 needs every NAL unit under the payload limit: slices are capped. */
  readonly packetizationMode?: 0 | 1;
  /** RTP payload limit in octets; sizes H.264 slices in mode 0 and H.263 GOB packets; default 1200. */
  readonly maxPayloadSize?: number;
  /** Encoder threads; default 1 (many encoders share the machine; sliced threads add no delay). */
  readonly threads?: number;
  /** ffmpeg `-loglevel`; default `error`. */
  readonly logLevel?: string;
}

/**
 * ffmpeg arguments of a long-lived encoder: yuv420p pictures of `width×height` on stdin at
 * `frameRate`, coded pictures on stdout flushed one by one (H.264 in FLV, VP8 in IVF, H.263/H.261
 * raw). Low-latency settings: no B-frames or look-ahead, rate control capped at the bitrate with a
 * half-second buffer, periodic key frames without scene-cut ones.
 * @throws InvalidArgumentError for sizes the codec cannot code, a non-positive rate or bitrate, or
 *   a malformed profile-level-id.
 */
export function encoderArgs(o: EncoderArgsOptions): string[] {
  checkSize(o.width, o.height);
  if (!(o.frameRate > 0) || !(o.bitrateBps > 0)) throw new InvalidArgumentError(`Encoder rate ${o.frameRate}/s at ${o.bitrateBps} bit/s`);
  const size = `${o.width}x${o.height}`;
  const keyint = Math.max(1, Math.round(o.keyframeIntervalFrames ?? o.frameRate * 10));
  const kbps = Math.max(1, Math.round(o.bitrateBps / 1000));
  const rate = [`-b:v`, `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${Math.max(1, Math.round(kbps / 2))}k`];
  const payload = o.maxPayloadSize ?? 1200;
  const input = [
    '-hide_banner', '-nostdin', '-loglevel', o.logLevel ?? 'error',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', size, '-r', String(o.frameRate), '-i', 'pipe:0',
    '-an', '-sn', '-threads', String(o.threads ?? 1),
  ];
  const output = ['-flush_packets', '1', '-f'];
  switch (o.codec) {
    case 'h264': {
      const pli = parseProfileLevelId(o.profileLevelId ?? '42e01f');
      const level = pli.level === '1b' ? '1b' : pli.level;
      const x264 = [`keyint=${keyint}`, `min-keyint=${keyint}`, 'scenecut=0', 'repeat-headers=1', 'bframes=0', 'rc-lookahead=0'];
      if (o.packetizationMode === 0) x264.push(`slice-max-size=${payload - 20}`);
      return [
        ...input,
        '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-level:v', level,
        '-pix_fmt', 'yuv420p', ...rate, '-g', String(keyint), '-x264-params', x264.join(':'),
        ...output, 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1',
      ];
    }
    case 'vp8':
      return [
        ...input,
        '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-error-resilient', '1',
        '-auto-alt-ref', '0', ...rate, '-g', String(keyint), '-qmin', '4', '-qmax', '56',
        ...output, 'ivf', 'pipe:1',
      ];
    case 'h263':
      if (!Object.values(H263_SOURCE_FORMATS).some((f) => f.width === o.width && f.height === o.height)) {
        throw new InvalidArgumentError(`H.263 cannot code ${size}; use SQCIF, QCIF, CIF, 4CIF or 16CIF`);
      }
      // -ps makes the encoder start GOBs so that RFC 2190 mode A packets fit the payload limit.
      return [...input, '-c:v', 'h263', ...rate, '-g', String(keyint), '-ps', String(payload - 4), ...output, 'h263', 'pipe:1'];
    case 'h263p':
      if (o.width % 4 !== 0 || o.height % 4 !== 0 || o.width > 2048 || o.height > 1152) {
        throw new InvalidArgumentError(`H.263+ cannot code ${size}; custom sizes are multiples of 4 up to 2048x1152`);
      }
      return [...input, '-c:v', 'h263p', ...rate, '-g', String(keyint), '-ps', String(payload - 2), ...output, 'h263', 'pipe:1'];
    case 'h261':
      if (!H261_SIZES.includes(size)) throw new InvalidArgumentError(`H.261 cannot code ${size}; use QCIF or CIF`);
      return [...input, '-c:v', 'h261', ...rate, '-g', String(keyint), ...output, 'h261', 'pipe:1'];
    default:
      throw new InvalidArgumentError(`Unknown video codec ${String(o.codec)}`);
  }
}

/** Options of `labelArgs`. */
export interface LabelArgsOptions {
  /** Display name. */
  readonly text: string;
  readonly fontFile: string;
  /** Size of the transparent picture the label is drawn on (even), e.g. the tile's width × a strip. */
  readonly width: number;
  readonly height: number;
  /** Font size in pixels. */
  readonly fontSize: number;
}

/**
 * ffmpeg arguments that draw one name label on a transparent picture and write it to stdout as
 * one yuva420p picture (`width·height·5/2` octets), which the compositor blends onto tiles.
 * @throws InvalidArgumentError for an odd or empty size.
 */
export function labelArgs(o: LabelArgsOptions): string[] {
  checkSize(o.width, o.height);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `color=c=black@0.0:s=${o.width}x${o.height}:r=1,format=yuva420p`,
    '-vf', drawtextFilter({ text: o.text, fontFile: o.fontFile, fontSize: o.fontSize, x: '4', y: '(h-th)/2' }),
    '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuva420p', 'pipe:1',
  ];
}

/** Options of `compositeArgs`: inputs, the graph, and one encoder output. */
export interface CompositeArgsOptions {
  /** Argument lists of the inputs, in input index order (each ends with `-i <url>`). */
  readonly inputs: readonly (readonly string[])[];
  /** The composite graph (its `outputLabel` is ignored; `out` is used). */
  readonly graph: Omit<CompositeGraphOptions, 'outputLabel'>;
  /** The encoder; its size and rate must match the graph's. */
  readonly encoder: Omit<EncoderArgsOptions, 'width' | 'height' | 'frameRate'>;
}

/**
 * One ffmpeg command that decodes every input, composes them with `compositeFilterGraph` and
 * encodes the result to stdout: the plain-ffmpeg reference of the video benchmark, and what a
 * room without roster changes would run. Any roster or layout change needs a new command.
 */
export function compositeArgs(o: CompositeArgsOptions): string[] {
  const encoder = encoderArgs({ ...o.encoder, width: o.graph.width, height: o.graph.height, frameRate: o.graph.frameRate });
  // Keep the encoder's codec options and output, drop its raw stdin input.
  const inputEnd = encoder.indexOf('pipe:0');
  const codecPart = encoder.slice(inputEnd + 1);
  return [
    '-hide_banner', '-nostdin', '-loglevel', o.encoder.logLevel ?? 'error',
    ...o.inputs.flat(),
    '-filter_complex', compositeFilterGraph({ ...o.graph, outputLabel: 'out' }),
    '-map', '[out]', '-r', String(o.graph.frameRate),
    ...codecPart,
  ];
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2 || width % 2 !== 0 || height % 2 !== 0) {
    throw new InvalidArgumentError(`Picture size ${width}x${height} must be even and positive`);
  }
}
