/**
 * Live loopback captures with tshark for the end-to-end tests: start a capture on `lo` with a BPF filter,
 * wait until tshark reports "Capture started", stop it with SIGINT, and read the file back with "Decode As"
 * options. Capturing needs root (CI runs as root); `captureUnavailable()` says why it cannot run here.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { trackChild } from './child-registry';
import { delay } from './wait';

const run = promisify(execFile);

/** Why no capture can run here (tshark missing, not root), or `undefined` when it can. */
export function captureUnavailable(): string | undefined {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    return `tshark is not installed (${(err as Error).message})`;
  }
  if (process.getuid?.() !== 0) return 'capturing on lo needs root';
  return undefined;
}

/** A running capture into `file`. */
export class TsharkCapture {
  private constructor(
    private readonly child: ChildProcess,
    /** The pcapng file being written. */
    readonly file: string,
  ) {}

  /**
   * Starts `tshark -i lo -f <filter> -w <file>` and resolves once it reports "Capture started" (≤ 10 s).
   * @throws Error when tshark exits first or does not start in time
   */
  static async start(filter: string, file: string): Promise<TsharkCapture> {
    const child = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    trackChild(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    for (let i = 0; i < 100 && !stderr.includes('Capture started') && child.exitCode === null; i++) await delay(100);
    if (!stderr.includes('Capture started')) {
      child.kill('SIGKILL');
      throw new Error(`tshark did not start capturing: ${stderr}`);
    }
    await delay(200);
    return new TsharkCapture(child, file);
  }

  /** Stops the capture (after 1 s, so that the last packets are written; SIGINT, SIGKILL after 10 s); safe to call twice. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    // dumpcap writes what the kernel handed it in batches; give the last packets time to reach the file.
    await delay(1000);
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * Reads a capture: `tshark -r file <decodeAs…> [-Y filter] -T fields -e …`, one array of field values per
 * packet.
 */
export async function readFields(file: string, decodeAs: readonly string[], fields: readonly string[], displayFilter?: string): Promise<string[][]> {
  const args = ['-r', file, ...decodeAs.flatMap((d) => ['-d', d]), ...(displayFilter ? ['-Y', displayFilter] : []), '-T', 'fields', '-E', 'separator=|'];
  for (const f of fields) args.push('-e', f);
  const { stdout } = await run('tshark', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('|'));
}

/** Packets of `file` (with `decodeAs`) that Wireshark finds malformed or flags with an expert error, as summary lines. */
export async function malformedPackets(file: string, decodeAs: readonly string[]): Promise<string[]> {
  const args = ['-r', file, ...decodeAs.flatMap((d) => ['-d', d]), '-Y', '_ws.malformed || _ws.expert.severity >= error'];
  const { stdout } = await run('tshark', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((line) => line.trim() !== '');
}
