/**
 * Errors of the video part of the media-mixer library. They extend `MediaMixerError` so callers
 * can catch every media failure with one `instanceof` test.
 */
import { MediaMixerError } from '../errors';

/** How one place of the ffmpeg search ended (see `FfmpegNotFoundError`). */
export interface FfmpegCandidateFailure {
  /** Which of the three places was tried. */
  readonly source: 'FFMPEG_PATH' | 'ffmpeg-static' | 'PATH';
  /** The path tried, or `undefined` when the place gave none (variable unset, package missing). */
  readonly path: string | undefined;
  /** Why the place gave no usable binary, in words fit for an operator. */
  readonly reason: string;
}

/**
 * No usable ffmpeg binary: neither `FFMPEG_PATH`, nor the `ffmpeg-static` package, nor an `ffmpeg`
 * on `PATH` produced a binary that answered `ffmpeg -version`. The message names all three places
 * and why each failed; a room with video cannot start.
 */
export class FfmpegNotFoundError extends MediaMixerError {
  constructor(readonly failures: readonly FfmpegCandidateFailure[]) {
    super(
      'No usable ffmpeg found. Set FFMPEG_PATH to an ffmpeg binary, install the ffmpeg-static package ' +
        'with its binary, or install ffmpeg on PATH (Debian: apt-get install ffmpeg). Tried: ' +
        failures.map((f) => `${f.source}${f.path === undefined ? '' : ` (${f.path})`}: ${f.reason}`).join('; '),
    );
  }
}

/** A located ffmpeg failed to list its encoders, decoders or filters (exit status or time limit). */
export class FfmpegProbeError extends MediaMixerError {
  constructor(
    readonly ffmpegPath: string,
    readonly detail: string,
  ) {
    super(`ffmpeg at ${ffmpegPath} could not be probed: ${detail}`);
  }
}
