/**
 * The built MCU (`node dist/apps/mcu/src/main.js`) as a child process for end-to-end tests.
 *
 * Every instance gets its own loopback ports (HTTP, SIP on UDP+TCP, an RTP range), its own Redis key
 * prefix, and a log file under `test/.artifacts/`. `start()` resolves once `GET /health` answers 200;
 * `stop()` sends SIGTERM and reports the exit code (graceful shutdown must exit 0); `dispose()` is the
 * safety net for afterAll: it kills whatever is still running and deletes the prefix's Redis keys.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { artifactPath, tailOfFile } from './artifacts';
import { trackChild } from './child-registry';
import { freeTcpPort, freeUdpPortRange, freeUdpTcpPort, LOOPBACK, PortRange, releasePortRange } from './ports';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from './redis-keys';

/** Repository root (two levels above this file). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The entry point `npm run build` emits. */
export const MCU_ENTRY = path.join(REPO_ROOT, 'dist', 'apps', 'mcu', 'src', 'main.js');

/** Options for {@link McuProcess.start}. */
export interface McuStartOptions {
  /** Short name for the log file, e.g. the spec's name. */
  label: string;
  /** Redis key prefix; default a fresh `tessera-test-<hex>:`. Pass the previous one to restart. */
  redisPrefix?: string;
  /** pino level; default `debug` so that failures can be diagnosed from the log. */
  logLevel?: string;
  /** Number of RTP ports to reserve (default 200). */
  rtpPortCount?: number;
  /** Ports of that range that may already be in use (the MCU skips them); default 0. */
  rtpPortsBusyAllowed?: number;
  /** Extra environment variables (win over the defaults). */
  env?: Record<string, string>;
  /** How long to wait for `GET /health` → 200, in ms (default 30 000). */
  startTimeoutMs?: number;
}

/** Exit status of the child: `code` when it exited, `signal` when a signal ended it. */
export interface McuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A fresh, unique Redis key prefix for one test run. */
export function uniqueRedisPrefix(): string {
  return `tessera-test-${randomBytes(6).toString('hex')}:`;
}

/** A started MCU child process and the addresses it serves. */
export class McuProcess {
  private exitStatus: McuExit | null = null;
  private readonly exited: Promise<McuExit>;

  private constructor(
    private readonly child: ChildProcess,
    /** Redis key prefix this instance uses (`MCU_REDIS_PREFIX`). */
    readonly redisPrefix: string,
    /** HTTP (REST) port on 127.0.0.1. */
    readonly httpPort: number,
    /** SIP port on 127.0.0.1, UDP and TCP. */
    readonly sipPort: number,
    /** RTP port range handed to the MCU. */
    readonly rtpPorts: PortRange,
    /** File receiving the child's stdout and stderr. */
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
  }

  /** `http://127.0.0.1:<httpPort>` */
  get baseUrl(): string {
    return `http://${LOOPBACK}:${this.httpPort}`;
  }

  /** `127.0.0.1:<sipPort>`, the address SIPp and baresip dial. */
  get sipAddress(): string {
    return `${LOOPBACK}:${this.sipPort}`;
  }

  /** Process id of the child. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True while the child has not exited. */
  get running(): boolean {
    return this.exitStatus === null;
  }

  /**
   * Starts the built MCU on free loopback ports and waits until `GET /health` answers 200.
   *
   * @throws Error when `dist/apps/mcu/src/main.js` is missing (run `npm run build`), when the child
   *   exits during start-up, or when health does not answer 200 within `startTimeoutMs`; the error
   *   message carries the tail of the MCU log. The child is killed before throwing.
   */
  static async start(options: McuStartOptions): Promise<McuProcess> {
    if (!fs.existsSync(MCU_ENTRY)) {
      throw new Error(`${MCU_ENTRY} does not exist: run \`npm run build\` first`);
    }
    const redisPrefix = options.redisPrefix ?? uniqueRedisPrefix();
    const httpPort = await freeTcpPort();
    let sipPort = await freeUdpTcpPort();
    while (sipPort === httpPort) sipPort = await freeUdpTcpPort();
    const rtpPorts = await freeUdpPortRange({
      count: options.rtpPortCount ?? 200,
      maxBusy: options.rtpPortsBusyAllowed ?? 0,
      holdMs: Infinity,
    });
    const logFile = artifactPath(`mcu-${options.label}`, '.log');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      MCU_HTTP_HOST: LOOPBACK,
      MCU_HTTP_PORT: String(httpPort),
      MCU_SIP_HOST: LOOPBACK,
      MCU_SIP_PORT: String(sipPort),
      MCU_SIP_DOMAIN: LOOPBACK,
      MCU_H323_PORT: '0',
      MCU_PUBLIC_IP: LOOPBACK,
      MCU_RTP_PORT_MIN: String(rtpPorts.min),
      MCU_RTP_PORT_MAX: String(rtpPorts.max),
      REDIS_URL: TEST_REDIS_URL,
      MCU_REDIS_PREFIX: redisPrefix,
      LOG_LEVEL: options.logLevel ?? 'debug',
      ...options.env,
    };
    const logFd = fs.openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [MCU_ENTRY], { cwd: REPO_ROOT, env, stdio: ['ignore', logFd, logFd] });
    } finally {
      fs.closeSync(logFd);
    }
    trackChild(child);
    child.once('exit', () => releasePortRange(rtpPorts));
    child.once('error', () => releasePortRange(rtpPorts));
    const mcu = new McuProcess(child, redisPrefix, httpPort, sipPort, rtpPorts, logFile);
    child.on('error', (err) => fs.appendFileSync(logFile, `\n[harness] spawn error: ${err.message}\n`));
    try {
      await mcu.waitForHealth(options.startTimeoutMs ?? 30_000);
    } catch (err) {
      await mcu.kill();
      throw err;
    }
    return mcu;
  }

  /** Polls `GET /health` every 100 ms until it answers 200. */
  private async waitForHealth(timeoutMs: number): Promise<void> {
    const attempts = Math.ceil(timeoutMs / 100);
    let last = 'no answer';
    for (let i = 0; i < attempts; i++) {
      if (!this.running) {
        throw new Error(
          `MCU exited during start-up (${JSON.stringify(this.exitStatus)}); log ${this.logFile}:\n${this.logTail()}`,
        );
      }
      try {
        const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(1000) });
        last = `HTTP ${res.status} ${await res.text()}`;
        if (res.status === 200) return;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `MCU not healthy after ${timeoutMs} ms (last: ${last}); log ${this.logFile}:\n${this.logTail()}`,
    );
  }

  /**
   * Sends SIGTERM and waits for the child to exit (graceful shutdown: BYE to every call, sockets
   * closed). When it has not exited within `timeoutMs` it is killed with SIGKILL and an error thrown.
   *
   * @returns the exit status (a clean shutdown is `{ code: 0, signal: null }`)
   * @throws Error when the child had to be killed
   */
  async stop(timeoutMs = 15_000): Promise<McuExit> {
    if (!this.running) return this.exitStatus as McuExit;
    this.child.kill('SIGTERM');
    const status = await this.waitForExit(timeoutMs);
    if (status) return status;
    await this.kill();
    throw new Error(`MCU did not exit within ${timeoutMs} ms of SIGTERM; killed. Log ${this.logFile}:\n${this.logTail()}`);
  }

  /** SIGKILL (if still running) and wait for the exit; never throws. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.waitForExit(5000);
  }

  /**
   * Safety net for afterAll: kills the child if it still runs, then deletes the Redis keys under its
   * prefix (unless `keepKeys`, for a restart with the same prefix).
   */
  async dispose(keepKeys = false): Promise<void> {
    await this.kill();
    if (!keepKeys) await deleteKeysWithPrefix(this.redisPrefix);
  }

  /** Last lines of the MCU log, for failure messages. */
  logTail(lines = 60): string {
    return tailOfFile(this.logFile, lines);
  }

  /** Whole MCU log so far. */
  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  /** Resolves the exit status, or null when the child is still running after `timeoutMs`. */
  private async waitForExit(timeoutMs: number): Promise<McuExit | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
