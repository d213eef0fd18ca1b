/**
 * A supervised ffmpeg child process of the video pipeline (docs/video-pipeline.md, "Supervision"):
 * spawned without a shell, fed on stdin, read on stdout, its stderr read line by line for errors,
 * restarted with exponential backoff when it dies unexpectedly, and never outliving the MCU.
 *
 * Writes never throw: after the child exited, on EPIPE, or while the child's stdin buffer is above
 * the limit (video must stay live, so a late picture is dropped rather than queued), the write is
 * dropped and counted.
 *
 * No child outlives the MCU: every live child is in a module-level set killed with SIGKILL on the
 * process's 'exit' event, and a child of an MCU killed outright sees its stdin close and ends.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { errorFields, MediaLogger } from '../../media-logger';

/** Every live child of every `FfmpegProcess`; killed with SIGKILL when the Node process exits. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Number of ffmpeg children alive in this Node process (all owners), for tests and stats. */
export function liveFfmpegChildCount(): number {
  return liveChildren.size;
}

/** How one child ended. */
export interface FfmpegExitInfo {
  /** Exit status, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** It ended within `earlyExitMs` of its spawn without writing anything to stdout. */
  readonly early: boolean;
  /** `stop()` asked for it. */
  readonly expected: boolean;
  /** Its last stderr lines (up to 5), for the log. */
  readonly lastStderr: readonly string[];
}

/** Options of an `FfmpegProcess`. */
export interface FfmpegProcessOptions {
  /** The ffmpeg binary (from `FfmpegLocator`). */
  readonly ffmpegPath: string;
  /** Arguments after the binary (`decoderArgs`, `encoderArgs`, …). */
  readonly args: readonly string[];
  /** Name used in log lines, e.g. `decoder alice` or `encoder h264 640x360`. */
  readonly name: string;
  readonly logger: MediaLogger;
  /** Each chunk the current child writes to stdout (chunks of an earlier child are never delivered). */
  readonly onStdout: (chunk: Buffer) => void;
  /** Each non-empty stderr line (at `-loglevel error` every line reports an error). */
  readonly onStderrLine?: (line: string) => void;
  /**
   * A replacement child was spawned after an unexpected death; called before any of its stdout is
   * delivered, so the owner can reset its parsers and, for a decoder, ask its sender for a key frame.
   */
  readonly onRestart?: () => void;
  /** A child ended (expected or not), after the log line and before any restart is scheduled. */
  readonly onExit?: (info: FfmpegExitInfo) => void;
  /** Restart on unexpected death; default true. */
  readonly restart?: boolean;
  /** First restart delay in ms; default 250. Doubles after each early exit, reset after a run that was not early. */
  readonly initialBackoffMs?: number;
  /** Longest restart delay in ms; default 8000. */
  readonly maxBackoffMs?: number;
  /** A death within this many ms of spawn, before any stdout, counts as an early exit; default 1000. */
  readonly earlyExitMs?: number;
  /** Writes are dropped while more than this many octets wait in stdin's buffer; default 4 MiB. */
  readonly maxStdinBufferOctets?: number;
  /** At most one stderr log line per this many ms (the rest are counted); default 5000. */
  readonly errorLogIntervalMs?: number;
  /** Time between SIGTERM and SIGKILL in `stop()`, ms; default 1000. */
  readonly killTimeoutMs?: number;
}

/** Counters of an `FfmpegProcess`. */
export interface FfmpegProcessStats {
  /** Children spawned (the first one included). */
  spawns: number;
  /** Replacement children spawned after unexpected deaths. */
  restarts: number;
  /** Unexpected deaths, early ones included. */
  deaths: number;
  /** Early exits among them (bad arguments, missing encoder, unusable input). */
  earlyExits: number;
  /** Non-empty stderr lines. */
  errorLines: number;
  /** Writes accepted into stdin. */
  writes: number;
  /** Writes dropped because no child was running, stdin was closed or the pipe broke (EPIPE). */
  droppedClosed: number;
  /** Writes dropped because stdin's buffer was over `maxStdinBufferOctets`. */
  droppedBackpressure: number;
}

/**
 * One supervised ffmpeg child: `spawn(ffmpegPath, args)` with stdin/stdout pipes and no shell.
 * Construction spawns the first child; a spawn failure (ENOENT, EACCES) counts as an early exit and
 * is retried with backoff like any death. Never throws after construction.
 */
export class FfmpegProcess {
  /** Counters since construction. */
  readonly stats: FfmpegProcessStats = {
    spawns: 0,
    restarts: 0,
    deaths: 0,
    earlyExits: 0,
    errorLines: 0,
    writes: 0,
    droppedClosed: 0,
    droppedBackpressure: 0,
  };
  private child: ChildProcess | undefined;
  private stopped = false;
  private stopPromise: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private lastErrorLogAt = Number.NEGATIVE_INFINITY;
  private suppressedErrorLines = 0;
  private lastStderr: string[] = [];
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly earlyExitMs: number;
  private readonly maxStdinBufferOctets: number;
  private readonly errorLogIntervalMs: number;
  private readonly killTimeoutMs: number;

  constructor(private readonly options: FfmpegProcessOptions) {
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 8000;
    this.earlyExitMs = options.earlyExitMs ?? 1000;
    this.maxStdinBufferOctets = options.maxStdinBufferOctets ?? 4 * 1024 * 1024;
    this.errorLogIntervalMs = options.errorLogIntervalMs ?? 5000;
    this.killTimeoutMs = options.killTimeoutMs ?? 1000;
    this.backoffMs = this.initialBackoffMs;
    installExitHook();
    this.spawnChild(false);
  }

  /** Pid of the running child, or undefined between a death and its restart and after `stop()`. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A child is running and accepts writes. */
  get running(): boolean {
    return this.child !== undefined && this.child.stdin !== null && this.child.stdin.writable;
  }

  /** Octets waiting in the child's stdin buffer (0 when none runs). */
  get stdinBufferedOctets(): number {
    return this.child?.stdin?.writableLength ?? 0;
  }

  /**
   * Writes `data` to the child's stdin.
   * @returns true when accepted; false when dropped (no child, stdin closed or broken, or the
   *   buffer over its limit), which is counted in `stats`.
   */
  write(data: Buffer): boolean {
    const stdin = this.child?.stdin;
    if (this.stopped || !stdin || !stdin.writable || stdin.destroyed) {
      this.stats.droppedClosed++;
      return false;
    }
    if (stdin.writableLength > this.maxStdinBufferOctets) {
      this.stats.droppedBackpressure++;
      return false;
    }
    try {
      stdin.write(data);
    } catch {
      this.stats.droppedClosed++;
      return false;
    }
    this.stats.writes++;
    return true;
  }

  /**
   * Stops supervision and ends the child: stdin closed and SIGTERM, SIGKILL after `killTimeoutMs`.
   * Resolves when the child has exited (at once when none runs). Idempotent; never rejects.
   */
  stop(): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      this.stopPromise = Promise.resolve();
      return this.stopPromise;
    }
    this.stopPromise = new Promise<void>((resolve) => {
      const killTimer = setTimeout(() => {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }, this.killTimeoutMs);
      child.once('exit', () => {
        clearTimeout(killTimer);
        resolve();
      });
      try {
        child.stdin?.end();
        child.kill('SIGTERM');
      } catch {
        // already gone: 'exit' follows or has been emitted
      }
    });
    return this.stopPromise;
  }

  private spawnChild(isRestart: boolean): void {
    if (this.stopped) return;
    const { ffmpegPath, args, name, logger } = this.options;
    const startedAt = performance.now();
    let producedOutput = false;
    let ended = false;
    let child: ChildProcess;
    this.stats.spawns++;
    if (isRestart) this.stats.restarts++;
    try {
      child = spawn(ffmpegPath, [...args], { stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
    } catch (err) {
      logger.error({ name, ffmpegPath, ...errorFields(err) }, 'ffmpeg could not be spawned');
      this.onChildEnd(null, null, true, []);
      return;
    }
    this.child = child;
    this.lastStderr = [];
    if (child.pid !== undefined) liveChildren.add(child);
    if (isRestart) this.options.onRestart?.();

    child.stdin?.on('error', (err: NodeJS.ErrnoException) => {
      // EPIPE / ECONNRESET when the child died with data in flight: the exit handler reports it.
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET' && err.code !== 'EOF') logger.debug({ name, ...errorFields(err) }, 'ffmpeg stdin error');
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.child !== child) return;
      producedOutput = true;
      this.options.onStdout(chunk);
    });
    child.stdout?.on('error', () => undefined);
    let partial = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      const lines = (partial + text).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      if (partial.length > 4096) partial = partial.slice(0, 4096);
      for (const line of lines) this.stderrLine(child, line);
    });
    child.stderr?.on('error', () => undefined);

    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (ended) return;
      ended = true;
      liveChildren.delete(child);
      if (partial) this.stderrLine(child, partial);
      partial = '';
      const early = !producedOutput && performance.now() - startedAt < this.earlyExitMs;
      this.onChildEnd(code, signal, early, this.lastStderr, child);
    };
    child.on('error', (err) => {
      // Spawn failure (ENOENT, EACCES): no 'exit' follows when no pid was assigned.
      logger.error({ name, ffmpegPath, ...errorFields(err) }, 'ffmpeg failed');
      if (child.pid === undefined) finish(null, null);
    });
    child.on('exit', (code, signal) => finish(code, signal));
  }

  private stderrLine(child: ChildProcess, raw: string): void {
    const line = raw.trim();
    if (!line) return;
    if (this.child === child) {
      this.lastStderr.push(line);
      if (this.lastStderr.length > 5) this.lastStderr.shift();
    }
    this.stats.errorLines++;
    this.options.onStderrLine?.(line);
    const now = performance.now();
    if (now - this.lastErrorLogAt >= this.errorLogIntervalMs) {
      this.options.logger.warn({ name: this.options.name, line, suppressed: this.suppressedErrorLines }, 'ffmpeg reported an error');
      this.lastErrorLogAt = now;
      this.suppressedErrorLines = 0;
    } else {
      this.suppressedErrorLines++;
    }
  }

  private onChildEnd(code: number | null, signal: NodeJS.Signals | null, early: boolean, lastStderr: readonly string[], child?: ChildProcess): void {
    if (child !== undefined && this.child !== child) return;
    this.child = undefined;
    const expected = this.stopped;
    const { name, logger } = this.options;
    const info: FfmpegExitInfo = { code, signal, early, expected, lastStderr: [...lastStderr] };
    if (!expected) {
      this.stats.deaths++;
      if (early) {
        this.stats.earlyExits++;
        logger.error({ name, code, signal, stderr: lastStderr }, 'ffmpeg exited right after its start');
      } else {
        logger.warn({ name, code, signal, stderr: lastStderr }, 'ffmpeg died');
        this.backoffMs = this.initialBackoffMs;
      }
    }
    try {
      this.options.onExit?.(info);
    } catch (err) {
      logger.error({ name, ...errorFields(err) }, 'ffmpeg exit handler failed');
    }
    if (expected || this.stopped || this.options.restart === false) return;
    const delay = this.backoffMs;
    if (early) this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
    logger.info({ name, delayMs: delay }, 'ffmpeg restart scheduled');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.spawnChild(true);
    }, delay);
    this.restartTimer.unref?.();
  }
}
