import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { errorFields } from '../logging/logger';
import { probeRedis } from './redis-probe';

/** The logging calls the embedded server makes (a `McuLogger` fits). */
export interface EmbeddedRedisLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of `EmbeddedRedis.start()`. */
export interface EmbeddedRedisOptions {
  /** Path or name (searched in `PATH`) of the server binary. Default `redis-server`. */
  readonly executable?: string;
  /** How long to wait for the server to answer PING, in ms. Default 10 000. */
  readonly startTimeoutMs?: number;
  /** Where to log the start, stop and an unexpected exit. */
  readonly logger?: EmbeddedRedisLogger;
}

/** No `redis-server` binary could be found (the message says how to get one). */
export class RedisServerNotFoundError extends Error {
  constructor(executable: string) {
    super(`"${executable}" was not found in PATH. Install Redis (Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL.`);
    this.name = 'RedisServerNotFoundError';
  }
}

/** The server process exited or did not answer before it was ready. `output` is its last lines. */
export class EmbeddedRedisStartError extends Error {
  constructor(message: string, readonly output: string) {
    super(output === '' ? message : `${message}; redis-server said: ${output}`);
    this.name = 'EmbeddedRedisStartError';
  }
}

/** Lines of server output kept for error messages. */
const OUTPUT_TAIL_LINES = 20;
/** Interval between readiness PINGs while starting, ms. */
const READY_POLL_MS = 50;
/** Grace period between SIGTERM and SIGKILL when stopping, ms. */
const STOP_GRACE_MS = 3000;
/** Start attempts (a new free port each time: another process may take the probed port first). */
const START_ATTEMPTS = 3;

/**
 * A private, non-persistent `redis-server` child process on a free loopback port — the MCU's
 * default store when `REDIS_URL` is unset and no Redis answers at 127.0.0.1:6379.
 *
 * The server runs with `--save "" --appendonly no` (nothing written to disk; its data lives as long
 * as the process), bound to 127.0.0.1 only, in its own process group so a terminal's Ctrl-C reaches
 * the MCU first and the MCU stops it after its own graceful shutdown. A process `exit` listener kills
 * it on every other way out (uncaught exception, `process.exit`). Only a SIGKILL of the MCU itself
 * can orphan it.
 */
export class EmbeddedRedis {
  private stopping: Promise<void> | undefined;
  /** Set once the server answered PING; an exit after that and before `stop()` is unexpected. */
  private ready = false;
  private readonly killOnExit = (): void => {
    this.child.kill('SIGKILL');
  };

  private constructor(
    private readonly child: ChildProcess,
    /** The TCP port the server listens on (127.0.0.1). */
    readonly port: number,
    private readonly dataDir: string,
    private readonly logger: EmbeddedRedisLogger | undefined,
  ) {
    process.on('exit', this.killOnExit);
    child.once('exit', (code, signal) => {
      this.release();
      if (this.ready && this.stopping === undefined) {
        this.logger?.error({ code, signal, port }, 'embedded redis-server exited unexpectedly');
      }
    });
  }

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Whether the child process is still running. */
  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Drops the process `exit` listener and the scratch directory (idempotent). */
  private release(): void {
    process.removeListener('exit', this.killOnExit);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /**
   * Starts the server and resolves once it answers PING.
   *
   * @throws RedisServerNotFoundError when the executable is not in PATH.
   * @throws EmbeddedRedisStartError when it exits or stays silent for `startTimeoutMs` (after
   *   `START_ATTEMPTS` tries on fresh ports).
   */
  static async start(options: EmbeddedRedisOptions = {}): Promise<EmbeddedRedis> {
    const executable = options.executable ?? 'redis-server';
    const resolved = findExecutable(executable);
    if (resolved === undefined) throw new RedisServerNotFoundError(executable);
    let lastError: EmbeddedRedisStartError | undefined;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        const server = await EmbeddedRedis.startOnce(resolved, options);
        options.logger?.info({ port: server.port, pid: server.child.pid }, 'started an embedded redis-server (no persistence: data ends with the MCU)');
        return server;
      } catch (err) {
        if (!(err instanceof EmbeddedRedisStartError)) throw err;
        lastError = err;
        options.logger?.warn({ attempt, ...errorFields(err) }, 'embedded redis-server did not start');
      }
    }
    throw lastError ?? new EmbeddedRedisStartError('redis-server did not start', '');
  }

  private static async startOnce(executable: string, options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
    const port = await findFreeLoopbackPort();
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-redis-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir, '--daemonize', 'no', '--protected-mode', 'yes'];
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const tail: string[] = [];
    const collect = (chunk: Buffer): void => {
      tail.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== ''));
      tail.splice(0, Math.max(0, tail.length - OUTPUT_TAIL_LINES));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const server = new EmbeddedRedis(child, port, dataDir, options.logger);

    const exited = new Promise<'exited'>((resolve) => child.once('exit', () => resolve('exited')));
    const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    while (Date.now() < deadline) {
      const outcome = await Promise.race([
        probeRedis('127.0.0.1', port, 200).then((up) => (up ? 'ready' : 'waiting')),
        exited,
        spawnFailed,
      ]);
      if (outcome === 'ready') {
        server.ready = true;
        return server;
      }
      if (outcome instanceof Error) {
        await server.stop();
        throw new EmbeddedRedisStartError(`cannot run ${executable}: ${outcome.message}`, '');
      }
      if (outcome === 'exited') {
        await server.stop();
        throw new EmbeddedRedisStartError(`redis-server exited during start (port ${port})`, tail.join(' | '));
      }
      await new Promise((r) => setTimeout(r, READY_POLL_MS));
    }
    await server.stop();
    throw new EmbeddedRedisStartError(`redis-server did not answer PING within ${options.startTimeoutMs ?? 10_000} ms`, tail.join(' | '));
  }

  /**
   * Stops the server: SIGTERM, then SIGKILL after 3 s. Resolves when the process has exited.
   * Safe to call twice and after the process died on its own.
   */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      if (!this.running) {
        this.release();
        resolve();
        return;
      }
      const force = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      this.child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      this.child.kill('SIGTERM');
    }).then(() => this.logger?.info({ port: this.port }, 'embedded redis-server stopped'));
    return this.stopping;
  }
}

/**
 * The absolute path of `name` found in `PATH` (or `name` itself when it contains a `/` and is
 * executable), `undefined` when there is none.
 */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).filter((d) => d !== '').map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here (ENOENT) or not executable (EACCES): try the next PATH entry.
      continue;
    }
  }
  return undefined;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close). */
export function findFreeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
