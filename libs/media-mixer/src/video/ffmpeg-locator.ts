/**
 * Finds the ffmpeg binary the MCU runs, in the order the product defines:
 *
 *   1. the `FFMPEG_PATH` environment variable (an operator's explicit choice);
 *   2. the `ffmpeg-static` package, an optional dependency that may be installed without its
 *      binary (its download is skipped or fails on machines without internet access);
 *   3. the first `ffmpeg` on `PATH` (Debian's `ffmpeg` package installs `/usr/bin/ffmpeg`).
 *
 * A candidate counts only when `<candidate> -version` exits 0 within a bounded time and prints an
 * ffmpeg banner. Also probes, once per binary, which encoders, decoders and filters the build has
 * (`-hide_banner -encoders|-decoders|-filters`), because distribution and static builds differ.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import * as path from 'node:path';
import { FfmpegCandidateFailure, FfmpegNotFoundError, FfmpegProbeError } from './video-errors';

/** Where a located ffmpeg came from. */
export type FfmpegSource = FfmpegCandidateFailure['source'];

/** A verified ffmpeg binary. */
export interface LocatedFfmpeg {
  /** Absolute or operator-given path of the binary. */
  readonly path: string;
  /** Which of the three places gave it. */
  readonly source: FfmpegSource;
  /** Version string from the banner (`ffmpeg version <this> …`), e.g. `5.1.6-0+deb12u1`. */
  readonly version: string;
}

/** What a build can do, from its `-encoders`, `-decoders` and `-filters` lists. */
export interface FfmpegCapabilities {
  /** Encoder names (`libx264`, `libvpx`, `h263p`, …). */
  readonly encoders: ReadonlySet<string>;
  /** Decoder names (`h264`, `vp8`, `h263`, …). */
  readonly decoders: ReadonlySet<string>;
  /** Filter names (`drawtext`, `overlay`, `xstack`, …). */
  readonly filters: ReadonlySet<string>;
  /** The video encoders the MCU can offer, one flag each. */
  readonly videoEncoders: {
    readonly libx264: boolean;
    readonly libvpx: boolean;
    readonly h263: boolean;
    readonly h263p: boolean;
    readonly h261: boolean;
  };
  /** `drawtext` is present (ffmpeg built with libfreetype): tiles can carry names. */
  readonly drawtext: boolean;
}

/** Options of an `FfmpegLocator`. */
export interface FfmpegLocatorOptions {
  /** Environment read for `FFMPEG_PATH` and `PATH`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Returns what `require('ffmpeg-static')` exports (a path string or null); may throw when the
   * package is not installed. Default: that very require.
   */
  resolveFfmpegStatic?: () => unknown;
  /** Time limit of each spawned probe in ms (`-version`, `-encoders`, …); default 5000. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const MAX_PROBE_OUTPUT_OCTETS = 4 * 1024 * 1024;
const VERSION_BANNER = /^ffmpeg version (\S+)/;

/**
 * Locates ffmpeg once and probes its capabilities once; both results are cached on success (a
 * failed attempt is retried on the next call, so installing ffmpeg later is picked up).
 */
export class FfmpegLocator {
  private readonly env: NodeJS.ProcessEnv;
  private readonly resolveFfmpegStatic: () => unknown;
  private readonly timeoutMs: number;
  private located: Promise<LocatedFfmpeg> | undefined;
  private readonly capabilitiesByPath = new Map<string, Promise<FfmpegCapabilities>>();

  constructor(options: FfmpegLocatorOptions = {}) {
    this.env = options.env ?? process.env;
    this.resolveFfmpegStatic = options.resolveFfmpegStatic ?? requireFfmpegStatic;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Resolves the binary: `FFMPEG_PATH`, then `ffmpeg-static`, then `PATH`; the first candidate that
   * answers `-version` wins.
   * @throws FfmpegNotFoundError naming all three places and why each failed.
   */
  locate(): Promise<LocatedFfmpeg> {
    if (!this.located) {
      this.located = this.search();
      this.located.catch(() => {
        this.located = undefined;
      });
    }
    return this.located;
  }

  /**
   * Lists the encoders, decoders and filters of the located binary (three spawns, once).
   * @throws FfmpegNotFoundError from `locate()`; FfmpegProbeError when a listing fails.
   */
  async capabilities(): Promise<FfmpegCapabilities> {
    const { path: binary } = await this.locate();
    let probe = this.capabilitiesByPath.get(binary);
    if (!probe) {
      probe = this.probe(binary);
      this.capabilitiesByPath.set(binary, probe);
      probe.catch(() => this.capabilitiesByPath.delete(binary));
    }
    return probe;
  }

  private async search(): Promise<LocatedFfmpeg> {
    const failures: FfmpegCandidateFailure[] = [];

    const fromEnv = this.env.FFMPEG_PATH;
    if (fromEnv === undefined || fromEnv === '') {
      failures.push({ source: 'FFMPEG_PATH', path: undefined, reason: 'not set' });
    } else {
      const found = await this.tryCandidate('FFMPEG_PATH', fromEnv, failures);
      if (found) return found;
    }

    const fromPackage = this.staticPackagePath(failures);
    if (fromPackage !== undefined) {
      const found = await this.tryCandidate('ffmpeg-static', fromPackage, failures);
      if (found) return found;
    }

    const onPath = executablesOnPath('ffmpeg', this.env.PATH ?? '');
    if (onPath.length === 0) {
      failures.push({ source: 'PATH', path: undefined, reason: `no executable ffmpeg in PATH=${this.env.PATH ?? ''}` });
    }
    for (const candidate of onPath) {
      const found = await this.tryCandidate('PATH', candidate, failures);
      if (found) return found;
    }
    throw new FfmpegNotFoundError(failures);
  }

  private staticPackagePath(failures: FfmpegCandidateFailure[]): string | undefined {
    let exported: unknown;
    try {
      exported = this.resolveFfmpegStatic();
    } catch (err) {
      failures.push({ source: 'ffmpeg-static', path: undefined, reason: `package not loadable (${errorText(err)})` });
      return undefined;
    }
    if (typeof exported !== 'string' || exported === '') {
      failures.push({ source: 'ffmpeg-static', path: undefined, reason: 'package has no binary for this platform' });
      return undefined;
    }
    return exported;
  }

  private async tryCandidate(
    source: FfmpegSource,
    candidate: string,
    failures: FfmpegCandidateFailure[],
  ): Promise<LocatedFfmpeg | undefined> {
    const missing = whyNotExecutable(candidate);
    if (missing) {
      failures.push({ source, path: candidate, reason: missing });
      return undefined;
    }
    try {
      const banner = await run(candidate, ['-version'], this.timeoutMs);
      const match = VERSION_BANNER.exec(banner);
      if (!match) {
        failures.push({ source, path: candidate, reason: 'does not print an ffmpeg version banner' });
        return undefined;
      }
      return { path: candidate, source, version: match[1] };
    } catch (err) {
      failures.push({ source, path: candidate, reason: `-version failed (${errorText(err)})` });
      return undefined;
    }
  }

  private async probe(binary: string): Promise<FfmpegCapabilities> {
    const list = async (flag: string): Promise<string> => {
      try {
        return await run(binary, ['-hide_banner', flag], this.timeoutMs);
      } catch (err) {
        throw new FfmpegProbeError(binary, `${flag}: ${errorText(err)}`);
      }
    };
    const [encoderText, decoderText, filterText] = await Promise.all([
      list('-encoders'),
      list('-decoders'),
      list('-filters'),
    ]);
    const encoders = parseCodecList(encoderText);
    const filters = parseFilterList(filterText);
    return {
      encoders,
      decoders: parseCodecList(decoderText),
      filters,
      videoEncoders: {
        libx264: encoders.has('libx264'),
        libvpx: encoders.has('libvpx'),
        h263: encoders.has('h263'),
        h263p: encoders.has('h263p'),
        h261: encoders.has('h261'),
      },
      drawtext: filters.has('drawtext'),
    };
  }
}

/**
 * Names from `ffmpeg -encoders` or `-decoders` output: the lines after the ` ------` separator,
 * each `<6 capability flags> <name> <description>`.
 */
export function parseCodecList(text: string): Set<string> {
  const names = new Set<string>();
  let inList = false;
  for (const line of text.split('\n')) {
    if (!inList) {
      inList = /^\s*-{6}\s*$/.test(line);
      continue;
    }
    const match = /^\s*[A-Z.]{6}\s+(\S+)/.exec(line);
    if (match) names.add(match[1]);
  }
  return names;
}

/**
 * Names from `ffmpeg -filters` output: lines `<3 flags> <name> <in>-><out> <description>`
 * (flags from `T`, `S`, `C` or `.`; the legend lines have no `->` column and are skipped).
 */
export function parseFilterList(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^\s*[TSC.|]{3}\s+(\S+)\s+\S*->\S*\s/.exec(line);
    if (match) names.add(match[1]);
  }
  return names;
}

/** `require('ffmpeg-static')`, kept in a function so a missing optional package is a catchable error. */
function requireFfmpegStatic(): unknown {
  return require('ffmpeg-static') as unknown;
}

/** Every `<dir>/<name>` on a PATH string that is an executable regular file, in PATH order. */
function executablesOnPath(name: string, pathVariable: string): string[] {
  const found: string[] = [];
  for (const dir of pathVariable.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (whyNotExecutable(candidate) === undefined && !found.includes(candidate)) found.push(candidate);
  }
  return found;
}

/** `undefined` when `file` is an executable regular file, else the reason in words. */
function whyNotExecutable(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return 'not a regular file';
    accessSync(file, fsConstants.X_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'file does not exist';
    if (code === 'EACCES') return 'not executable';
    return errorText(err);
  }
}

/** Runs a binary with a time limit (SIGKILL when exceeded) and returns its stdout. */
function run(binary: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_PROBE_OUTPUT_OCTETS, windowsHide: true },
      (err, stdout) => {
        if (err) reject(err);
        else resolve(stdout);
      },
    );
  });
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { killed?: boolean; signal?: string | null; code?: unknown; message?: string };
    if (e.killed && e.signal) return `timed out, killed with ${e.signal}`;
    if (typeof e.code === 'number') return `exit status ${e.code}`;
    if (typeof e.message === 'string') return e.message.split('\n')[0];
  }
  return String(err);
}
