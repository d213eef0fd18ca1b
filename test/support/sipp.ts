/**
 * Running SIPp (Debian package `sip-tester`, binary `sipp`) from tests and benchmarks.
 *
 * Every run binds its own free loopback port (`-i 127.0.0.1 -bind_local -p <port>`), never reads
 * stdin (`-nostdin`), writes its statistics CSV and error trace to `test/.artifacts/`, and is
 * bounded twice: SIPp's own `-timeout` (with `-timeout_error`) and a SIGKILL a few seconds later.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { artifactPath, tailOfFile } from './artifacts';
import { trackChild } from './child-registry';
import { freeUdpPort, freeUdpPortRange, freeUdpTcpPort, LOOPBACK, PORT_REGIONS } from './ports';
import { parseScreen, parseStatFile, SippCounters } from './sipp-stats';

/** Folder holding the scenario XML files. */
export const SIPP_SCENARIO_DIR = path.resolve(__dirname, '..', 'sipp');

/** SIPp transport modes: UDP or TCP, one socket (`1`) or one per call (`n`). */
export type SippTransport = 'u1' | 'un' | 't1' | 'tn';

/** What to run and how hard. */
export interface SippOptions {
  /** Short name for the artifact files. */
  label: string;
  /** A file in `test/sipp/` (e.g. `options.xml`), an absolute path, or a built-in (`-sn uac|uas`). */
  scenario: string | { builtin: 'uac' | 'uas' };
  /** `host:port` to send to (omitted for a UAS). */
  remote?: string;
  /** Default `u1`. */
  transport?: SippTransport;
  /** Request-URI user part (`-s`), e.g. a room number or `1234*0000`. */
  service?: string;
  /** Stop after this many calls (`-m`). */
  calls: number;
  /** New calls per second (`-r`), default 10. */
  rate?: number;
  /** Limit of simultaneous calls (`-l`). */
  callLimit?: number;
  /** Length of the scenario's `<pause/>` without a `milliseconds` attribute (`-d`), in ms. */
  callDurationMs?: number;
  /** Digest credentials for `[authentication]` (`-au`, `-ap`). */
  auth?: { username: string; password: string };
  /** Scenario variables (`-set name value`, read as `[$name]`). */
  vars?: Record<string, string>;
  /** Default receive timeout for `<recv>` without its own `timeout`, in ms (`-recv_timeout`, default 10 000). */
  recvTimeoutMs?: number;
  /** Hard limit for the whole run, in ms. */
  timeoutMs: number;
  /** Also trace every SIP message to an artifact file (`-trace_msg`); keep off for load runs. */
  traceMessages?: boolean;
  /** Working folder of SIPp (where `play_pcap_audio` files are looked up); default the current one. */
  cwd?: string;
  /** Further raw arguments. */
  extraArgs?: string[];
}

/** Outcome of one SIPp run. */
export interface SippResult extends SippCounters {
  /** SIPp's exit code: 0 = every call succeeded, 1 = some failed, 97/99/255 = see SIPp's manual. */
  exitCode: number | null;
  /** Set when a signal ended SIPp (e.g. the hard timeout's SIGKILL). */
  signal: NodeJS.Signals | null;
  /** True when the hard timeout fired. */
  timedOut: boolean;
  /** Local SIP port SIPp used. */
  localPort: number;
  /** Arguments SIPp was started with. */
  args: string[];
  /** Last 64 KiB of standard output and standard error. */
  output: string;
  /** Content of SIPp's error trace (first 16 KiB). */
  errors: string;
  /** Artifact files of this run. */
  files: { stat: string; errors: string; messages?: string };
}

const OUTPUT_KEEP = 64 * 1024;

/** Builds the command line for `options` on `localPort` (exported for the benchmark's UAS runs). */
export async function sippArgs(
  options: SippOptions,
  localPort: number,
  files: SippResult['files'],
): Promise<string[]> {
  const args: string[] = [];
  if (typeof options.scenario === 'string') {
    const file = path.isAbsolute(options.scenario) ? options.scenario : path.join(SIPP_SCENARIO_DIR, options.scenario);
    if (!fs.existsSync(file)) throw new Error(`SIPp scenario ${file} does not exist`);
    args.push('-sf', file);
  } else {
    args.push('-sn', options.scenario.builtin);
  }
  if (options.remote) args.push(options.remote);
  args.push('-i', LOOPBACK, '-bind_local', '-p', String(localPort));
  // SIPp's remote-control socket: otherwise 0.0.0.0:8888 (or the next free one), shared by every run.
  args.push('-ci', LOOPBACK, '-cp', String(await freeUdpPort()));
  args.push('-t', options.transport ?? 'u1');
  args.push('-m', String(options.calls));
  args.push('-r', String(options.rate ?? 10));
  if (options.callLimit !== undefined) args.push('-l', String(options.callLimit));
  if (options.callDurationMs !== undefined) args.push('-d', String(options.callDurationMs));
  if (options.service !== undefined) args.push('-s', options.service);
  if (options.auth) args.push('-au', options.auth.username, '-ap', options.auth.password);
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push('-set', name, value);
  // SIPp always binds its RTP echo sockets (media port and media port + 2; 6000 by default): give
  // every run its own, on loopback. The SDP offers of the scenarios announce this port.
  const media = await freeUdpPortRange({ count: 4, region: PORT_REGIONS.peers });
  args.push('-mi', LOOPBACK, '-mp', String(media.min));
  args.push('-recv_timeout', String(options.recvTimeoutMs ?? 10_000));
  args.push('-timeout', `${Math.max(1, Math.ceil(options.timeoutMs / 1000))}s`, '-timeout_error');
  args.push('-nostdin');
  args.push('-trace_stat', '-stf', files.stat, '-fd', '1');
  args.push('-trace_err', '-error_file', files.errors);
  if (files.messages) args.push('-trace_msg', '-message_file', files.messages);
  args.push(...(options.extraArgs ?? []));
  return args;
}

/** A SIPp process started with {@link startSipp}. */
export class SippProcess {
  private output = '';
  private timedOut = false;
  private readonly done: Promise<SippResult>;

  constructor(
    private readonly child: ChildProcess,
    readonly localPort: number,
    private readonly args: string[],
    private readonly files: SippResult['files'],
    timeoutMs: number,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // SIPp's own -timeout fires first; this SIGKILL only catches a SIPp that hangs anyway.
    const killer = setTimeout(() => {
      this.timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs + 5000);
    this.done = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        clearTimeout(killer);
        resolve(this.result(code, signal));
      };
      child.once('error', (err) => {
        this.output += `\n[harness] cannot start sipp: ${err.message}`;
        finish(null, null);
      });
      child.once('close', finish);
    });
  }

  /** Resolves when SIPp has exited, with its counters. Never rejects. */
  wait(): Promise<SippResult> {
    return this.done;
  }

  /** Asks SIPp to end (SIGTERM, then SIGKILL after 5 s) and waits for it. */
  async stop(): Promise<SippResult> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const escalate = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      try {
        return await this.done;
      } finally {
        clearTimeout(escalate);
      }
    }
    return this.done;
  }

  private result(code: number | null, signal: NodeJS.Signals | null): SippResult {
    const counters = parseStatFile(this.files.stat) ?? {
      successful: 0,
      failed: 0,
      outgoing: 0,
      incoming: 0,
      retransmissions: 0,
      failedTimeoutOnRecv: 0,
      failedUnexpectedMessage: 0,
      ...(parseScreen(this.output) ?? {}),
    };
    const errors = fs.existsSync(this.files.errors) ? fs.readFileSync(this.files.errors, 'utf8').slice(0, 16_384) : '';
    return {
      ...counters,
      exitCode: code,
      signal,
      timedOut: this.timedOut,
      localPort: this.localPort,
      args: this.args,
      output: this.output,
      errors,
      files: this.files,
    };
  }
}

/**
 * Starts SIPp without waiting for it (a UAS, or a UAC run observed while it runs).
 *
 * @throws Error when the scenario file does not exist or no free port was found
 */
export async function startSipp(options: SippOptions): Promise<SippProcess> {
  const localPort = await freeUdpTcpPort();
  const files: SippResult['files'] = {
    stat: artifactPath(`sipp-${options.label}`, '.stat.csv'),
    errors: artifactPath(`sipp-${options.label}`, '.errors.log'),
    messages: options.traceMessages ? artifactPath(`sipp-${options.label}`, '.messages.log') : undefined,
  };
  const args = await sippArgs(options, localPort, files);
  const child = spawn('sipp', args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  return new SippProcess(child, localPort, args, files, options.timeoutMs);
}

/** Runs SIPp to the end and returns its result (never rejects for a failed run: assert on the result). */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  return (await startSipp(options)).wait();
}

/** A readable summary of a run for assertion messages: counters, exit code, error trace, message trace tail. */
export function describeSippRun(result: SippResult): string {
  const parts = [
    `sipp ${result.args.join(' ')}`,
    `exit ${result.exitCode}${result.signal ? ` (signal ${result.signal})` : ''}${result.timedOut ? ' [hard timeout]' : ''}`,
    `successful ${result.successful}, failed ${result.failed} (timeout on recv ${result.failedTimeoutOnRecv}, unexpected message ${result.failedUnexpectedMessage}), retransmissions ${result.retransmissions}`,
  ];
  if (result.errors) parts.push(`error trace:\n${result.errors.slice(0, 4000)}`);
  if (result.files.messages) parts.push(`message trace (tail):\n${tailOfFile(result.files.messages, 60)}`);
  if (!result.errors && result.exitCode !== 0) parts.push(`output (tail):\n${result.output.slice(-3000)}`);
  return parts.join('\n');
}
