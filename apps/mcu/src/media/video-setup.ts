/**
 * The video side of the media plane at start-up: which ffmpeg runs the pipeline (`FfmpegLocator`:
 * `FFMPEG_PATH`, then the `ffmpeg-static` package, then `ffmpeg` on `PATH`), what its build can
 * encode, and the font for the tiles' name labels. Without a usable ffmpeg the MCU still starts:
 * audio works, SIP video m-lines are answered with port 0 and H.323 calls announce no video.
 */
import { FfmpegLocator, findFontFile, type FontSearchOptions, type MediaEngineOptions } from '@mcu/media-mixer';
import { errorFields } from '../logging/logger';

/** What `MediaEngineOptions` gets: `video` when ffmpeg was found, else `videoUnavailable` (why). */
export type VideoSetup = Pick<MediaEngineOptions, 'video' | 'videoUnavailable'>;

/** The logging calls `locateVideo` makes. */
export interface VideoSetupLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of `locateVideo`. */
export interface VideoSetupOptions {
  logger: VideoSetupLogger;
  /** Environment with `FFMPEG_PATH` (default `process.env`); the default locator reads it too. */
  env?: NodeJS.ProcessEnv;
  /** Default: a locator over `env`. */
  locator?: FfmpegLocator;
  /** Font search (default: fontconfig's bold sans-serif, then the usual DejaVu/Liberation paths). */
  font?: FontSearchOptions;
}

/**
 * Locates ffmpeg, probes its encoders/decoders/filters and finds a label font. Never rejects: no
 * usable ffmpeg (or one that cannot list its codecs) is logged once as an error naming the three
 * places searched, and returned as `videoUnavailable`; no font is a warning (tiles without names).
 */
export async function locateVideo(options: VideoSetupOptions): Promise<VideoSetup> {
  const { logger } = options;
  const env = options.env ?? process.env;
  const locator = options.locator ?? new FfmpegLocator({ env });
  let ffmpeg;
  let capabilities;
  try {
    ffmpeg = await locator.locate();
    capabilities = await locator.capabilities();
  } catch (err) {
    const reason = err instanceof Error ? err : new Error(String(err));
    logger.error(
      { ...errorFields(err), searched: ['FFMPEG_PATH', 'ffmpeg-static', 'PATH'] },
      `video disabled: ${reason.message} Audio works; video m-lines are answered with port 0 and H.323 calls carry no video.`,
    );
    return { videoUnavailable: reason };
  }
  const configured = env.FFMPEG_PATH;
  if (configured !== undefined && configured !== '' && ffmpeg.source !== 'FFMPEG_PATH') {
    logger.warn({ FFMPEG_PATH: configured, ffmpeg: ffmpeg.path, source: ffmpeg.source }, `FFMPEG_PATH ${configured} is not a usable ffmpeg; using ${ffmpeg.path} from ${ffmpeg.source}`);
  }
  const canDrawText = capabilities.drawtext;
  const fontFile = canDrawText ? ((await findFontFile(options.font)) ?? undefined) : undefined;
  const encoders = Object.entries(capabilities.videoEncoders)
    .filter(([, present]) => present)
    .map(([name]) => name);
  logger.info({ ffmpeg: ffmpeg.path, source: ffmpeg.source, version: ffmpeg.version, encoders, fontFile: fontFile ?? null }, 'video pipeline ready');
  if (encoders.length === 0) logger.warn({ ffmpeg: ffmpeg.path }, 'this ffmpeg has none of the video encoders the MCU uses (libx264, libvpx, h263, h263p, h261): no video is negotiated');
  if (!canDrawText) logger.warn({ ffmpeg: ffmpeg.path }, 'this ffmpeg has no drawtext filter: tiles carry no names');
  else if (fontFile === undefined) logger.warn({}, 'no font file found for the name labels: tiles carry no names');
  return { video: { ffmpeg, capabilities, ...(fontFile === undefined ? {} : { fontFile }) } };
}
