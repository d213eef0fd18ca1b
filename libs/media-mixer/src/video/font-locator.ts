/**
 * Finds a TrueType/OpenType font file for ffmpeg's drawtext (tile name labels): an explicit path
 * first (the font the MCU ships or the operator configures), then fontconfig's choice for a
 * sans-serif face (`fc-match`), then well-known locations of common distribution fonts. Without
 * any font, labels are skipped and the video still flows.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';

/** Places tried after fontconfig, in order (Debian/Ubuntu, Fedora/Arch, Alpine, macOS). */
export const KNOWN_FONT_PATHS: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf',
  '/usr/share/fonts/noto/NotoSans-Regular.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
];

/** Options of `findFontFile`. */
export interface FontSearchOptions {
  /** A configured font (e.g. shipped with the MCU); used when readable. */
  readonly preferred?: string;
  /** Pattern asked of fontconfig; default `sans-serif:style=Bold`. */
  readonly pattern?: string;
  /** Time limit of the `fc-match` call in ms; default 2000. */
  readonly timeoutMs?: number;
  /** Extra fallback paths, tried before the known paths. */
  readonly fallbacks?: readonly string[];
  /** Known paths tried last; default `KNOWN_FONT_PATHS`. */
  readonly knownPaths?: readonly string[];
  /** The fontconfig matcher binary; default `fc-match`. */
  readonly fcMatchCommand?: string;
}

/**
 * Resolves a readable font file path, or `null` when none is found (labels are then skipped).
 * Never throws: a missing or failing `fc-match` only moves on to the known paths.
 */
export async function findFontFile(options: FontSearchOptions = {}): Promise<string | null> {
  if (options.preferred && isReadable(options.preferred)) return options.preferred;
  const command = options.fcMatchCommand ?? 'fc-match';
  const matched = await fcMatch(command, options.pattern ?? 'sans-serif:style=Bold', options.timeoutMs ?? 2000);
  if (matched && /\.(ttf|otf|ttc)$/i.test(matched) && isReadable(matched)) return matched;
  for (const candidate of [...(options.fallbacks ?? []), ...(options.knownPaths ?? KNOWN_FONT_PATHS)]) {
    if (isReadable(candidate)) return candidate;
  }
  return null;
}

function fcMatch(command: string, pattern: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, ['-f', '%{file}', pattern], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout) => {
      // fc-match missing (ENOENT) or failing is an expected outcome: fall back to the known paths.
      resolve(err ? undefined : stdout.trim() || undefined);
    });
  });
}

function isReadable(file: string): boolean {
  try {
    accessSync(file, fsConstants.R_OK);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) return false;
    throw err;
  }
}
