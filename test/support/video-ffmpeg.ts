/**
 * ffmpeg children of the video end-to-end tests (the senders' cameras and the receivers' decoders):
 * Debian's /usr/bin/ffmpeg unless `FFMPEG_PATH` says otherwise, never through a shell, tracked by
 * the child registry, stderr kept in an artifact file and its tail in memory for failure messages,
 * and ended with SIGTERM then SIGKILL.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { artifactPath } from './artifacts';
import { trackChild } from './child-registry';

/** The ffmpeg the tests run (and hand to the MCU). */
export const TEST_FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';

const STDERR_KEEP = 16 * 1024;

/** Options of {@link FfmpegChild.start}. */
export interface FfmpegChildOptions {
  /** Short name for the stderr artifact file. */
  label: string;
  /** Arguments after the binary (`-hide_banner -nostdin` are not added: stdin may be a pipe). */
  args: string[];
  /** Give the child a stdin pipe (for a decoder fed by the test); default `ignore`. */
  stdinPipe?: boolean;
  /** Give the child a stdout pipe (for raw pictures out); default `ignore`. */
  stdoutPipe?: boolean;
}

/** One ffmpeg child. */
export class FfmpegChild {
  private stderrTail = '';
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcess,
    /** File holding the child's whole stderr. */
    readonly stderrFile: string,
    readonly args: readonly string[],
  ) {
    const out = fs.createWriteStream(stderrFile);
    out.write(`${TEST_FFMPEG} ${args.join(' ')}\n`);
    child.stderr?.on('data', (chunk: Buffer) => {
      out.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        this.stderrTail += `\n[harness] cannot start ffmpeg: ${err.message}`;
        this.exitStatus = { code: null, signal: null };
        out.end();
        resolve(this.exitStatus);
      });
      child.once('close', (code, signal) => {
        this.exitStatus = { code, signal };
        out.end();
        resolve(this.exitStatus);
      });
    });
  }

  /** Starts ffmpeg with `options.args` (never throws for a missing binary: see `running`/`stderr`). */
  static start(options: FfmpegChildOptions): FfmpegChild {
    const child = spawn(TEST_FFMPEG, options.args, {
      stdio: [options.stdinPipe ? 'pipe' : 'ignore', options.stdoutPipe ? 'pipe' : 'ignore', 'pipe'],
    });
    trackChild(child);
    // A decoder that exits while the test still writes must not turn EPIPE into an uncaught error.
    child.stdin?.on('error', () => undefined);
    return new FfmpegChild(child, artifactPath(`ffmpeg-${options.label}`, '.stderr.log'), options.args);
  }

  /** True until the child has exited. */
  get running(): boolean {
    return this.exitStatus === undefined;
  }

  /** Exit status once exited. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitStatus;
  }

  /** Last 16 KiB of stderr. */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Ends the child: SIGTERM, SIGKILL after `graceMs` (default 2000); resolves once it exited. Never throws. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.running) return;
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `ffmpeg … exited with …; stderr tail` for failure messages. */
  describe(lines = 15): string {
    const status = this.exitStatus ? `exited ${JSON.stringify(this.exitStatus)}` : 'running';
    const tail = this.stderrTail.split('\n').slice(-lines).join('\n');
    return `ffmpeg (${status}, stderr in ${this.stderrFile}):\n${tail}`;
  }
}
