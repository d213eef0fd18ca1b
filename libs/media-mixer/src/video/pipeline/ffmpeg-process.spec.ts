import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { MediaLogger } from '../../media-logger';
import { FfmpegExitInfo, FfmpegProcess, liveFfmpegChildCount } from './ffmpeg-process';

const FFMPEG = '/usr/bin/ffmpeg';

/** ffmpeg copying stdin to stdout unchanged, in 16-octet pictures (4x4 gray). */
const ECHO_ARGS = [
  '-hide_banner', '-nostdin', '-loglevel', 'error', '-probesize', '32', '-analyzeduration', '0',
  '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '4x4', '-i', 'pipe:0', '-c', 'copy', '-flush_packets', '1', '-f', 'rawvideo', 'pipe:1',
];
/** `text` padded to one 16-octet echo picture. */
const pic = (text: string): Buffer => Buffer.from(text.padEnd(16, '.'));

interface LogLine {
  level: string;
  obj: object;
  msg: string;
}

function recordingLogger(lines: LogLine[]): MediaLogger {
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function waitFor(what: string, cond: () => boolean, limitMs = 5000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited >= limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('FfmpegProcess (real ffmpeg)', () => {
  const owned: FfmpegProcess[] = [];
  afterEach(async () => {
    await Promise.all(owned.splice(0).map((p) => p.stop()));
  });

  function start(o: Partial<ConstructorParameters<typeof FfmpegProcess>[0]> & { onStdout: (c: Buffer) => void }): FfmpegProcess {
    const p = new FfmpegProcess({ ffmpegPath: FFMPEG, args: ECHO_ARGS, name: 'test', logger: recordingLogger([]), ...o });
    owned.push(p);
    return p;
  }

  it('pipes stdin to the child and its stdout back; stop() ends the child and later writes are dropped', async () => {
    const out: Buffer[] = [];
    const p = start({ onStdout: (c) => out.push(c) });
    const pid = p.pid!;
    expect(pidAlive(pid)).toBe(true);
    expect(p.write(pic('hello'))).toBe(true);
    expect(p.write(pic('ffmpeg'))).toBe(true);
    await waitFor('echo', () => Buffer.concat(out).toString() === 'hello...........ffmpeg..........');
    await p.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(p.pid).toBeUndefined();
    expect(() => p.write(Buffer.from('late'))).not.toThrow();
    expect(p.write(Buffer.from('late'))).toBe(false);
    expect(p.stats.droppedClosed).toBe(2);
    expect(p.stats.restarts).toBe(0);
    expect(liveFfmpegChildCount()).toBe(0);
  });

  it('restarts a killed child after a backoff, calls onRestart before the new child writes, and keeps working', async () => {
    const out: Buffer[] = [];
    const events: string[] = [];
    const exits: FfmpegExitInfo[] = [];
    const p = start({
      initialBackoffMs: 30,
      onStdout: (c) => {
        out.push(c);
        events.push('data');
      },
      onRestart: () => events.push('restart'),
      onExit: (info) => exits.push(info),
    });
    p.write(pic('one'));
    await waitFor('first echo', () => Buffer.concat(out).toString() === pic('one').toString());
    const firstPid = p.pid!;
    process.kill(firstPid, 'SIGKILL');
    await waitFor('restart', () => p.stats.restarts === 1 && p.running);
    expect(p.pid).not.toBe(firstPid);
    expect(pidAlive(firstPid)).toBe(false);
    expect(exits).toEqual([expect.objectContaining({ signal: 'SIGKILL', expected: false, early: false })]);
    expect(p.stats.deaths).toBe(1);
    // Writes while no child runs are dropped quietly.
    p.write(pic('two'));
    await waitFor('second echo', () => Buffer.concat(out).toString() === pic('one').toString() + pic('two').toString());
    expect(events.filter((e, i) => e !== events[i - 1])).toEqual(['data', 'restart', 'data']);
  });

  it('tells an early exit from a later death, logs its stderr, and backs off between restarts', async () => {
    const lines: LogLine[] = [];
    const exits: FfmpegExitInfo[] = [];
    const stderr: string[] = [];
    const p = start({
      args: ['-hide_banner', '-loglevel', 'error', '-f', 'no_such_format', '-i', 'pipe:0', '-f', 'null', '-'],
      logger: recordingLogger(lines),
      initialBackoffMs: 20,
      maxBackoffMs: 80,
      onStdout: () => undefined,
      onStderrLine: (l) => stderr.push(l),
      onExit: (info) => exits.push(info),
    });
    await waitFor('four early exits', () => exits.length >= 4);
    await p.stop();
    expect(exits.every((e) => e.early && !e.expected && e.code !== 0)).toBe(true);
    expect(exits[0].lastStderr.join('\n')).toMatch(/no_such_format/);
    expect(stderr.length).toBeGreaterThanOrEqual(4);
    expect(p.stats.earlyExits).toBe(exits.length);
    expect(p.stats.errorLines).toBe(stderr.length);
    expect(lines.filter((l) => l.msg === 'ffmpeg exited right after its start')).toHaveLength(exits.length);
    // Backoff doubles per early exit up to the limit: 20, 40, 80, 80 ms.
    const delays = lines.filter((l) => l.msg === 'ffmpeg restart scheduled').map((l) => (l.obj as { delayMs: number }).delayMs);
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 80]);
    // stderr lines are logged at warn with a rate limit: far fewer warn lines than error lines.
    expect(lines.filter((l) => l.level === 'warn' && l.msg === 'ffmpeg reported an error')).toHaveLength(1);
  });

  it('a child that cannot be spawned is an early exit, not an exception', async () => {
    const exits: FfmpegExitInfo[] = [];
    const p = start({ ffmpegPath: '/nonexistent/ffmpeg', onStdout: () => undefined, initialBackoffMs: 10_000, onExit: (i) => exits.push(i) });
    await waitFor('spawn failure', () => exits.length === 1);
    expect(exits[0].early).toBe(true);
    expect(p.write(Buffer.from('x'))).toBe(false);
    await p.stop();
  });

  it('drops writes while the child is behind (stdin buffer over its limit) instead of queueing them', async () => {
    // -re makes ffmpeg read one 16x16 picture per second: the pipe fills up at once.
    const p = start({
      args: ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '16x16', '-r', '1', '-i', 'pipe:0', '-f', 'null', '-'],
      maxStdinBufferOctets: 256 * 1024,
      onStdout: () => undefined,
    });
    const chunk = Buffer.alloc(128 * 1024);
    let accepted = 0;
    for (let i = 0; i < 16; i++) if (p.write(chunk)) accepted++;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(16);
    expect(p.stats.droppedBackpressure).toBe(16 - accepted);
    expect(p.stdinBufferedOctets).toBeLessThanOrEqual(256 * 1024 + chunk.length);
    const pid = p.pid!;
    await p.stop();
    expect(pidAlive(pid)).toBe(false);
  });
});

/** A Node process that loads FfmpegProcess from source (compiled on the fly with swc) and starts one child. */
const OWNER_SCRIPT = `
const fs = require('fs');
const swc = require('@swc/core');
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
const { FfmpegProcess } = require(process.argv[1]);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const p = new FfmpegProcess({ ffmpegPath: '/usr/bin/ffmpeg', args: JSON.parse(process.argv[2]), name: 'owned', logger: silent, onStdout() {} });
process.stdout.write(String(p.pid) + '\\n');
if (process.argv[3] === 'exit') setTimeout(() => process.exit(0), 200);
else setInterval(() => undefined, 1000);
`;

/** The pid is gone or a zombie (an orphan nobody reaps in a container without init is still dead). */
function pidDead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('FfmpegProcess children do not outlive their owner', () => {
  const owners: ChildProcess[] = [];
  const ffmpegPids: number[] = [];
  afterEach(() => {
    for (const o of owners.splice(0)) if (o.exitCode === null && o.signalCode === null) o.kill('SIGKILL');
    for (const pid of ffmpegPids.splice(0)) if (!pidDead(pid)) process.kill(pid, 'SIGKILL');
  });

  async function startOwner(mode: 'exit' | 'stay', args: readonly string[]): Promise<{ owner: ChildProcess; ffmpegPid: number }> {
    const owner = spawn(process.execPath, ['-e', OWNER_SCRIPT, require.resolve('./ffmpeg-process.ts'), JSON.stringify(args), mode], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    owners.push(owner);
    let out = '';
    owner.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor('the owner to report its ffmpeg pid', () => out.includes('\n'), 15000);
    const ffmpegPid = Number(out.trim());
    expect(Number.isInteger(ffmpegPid) && ffmpegPid > 0).toBe(true);
    ffmpegPids.push(ffmpegPid);
    return { owner, ffmpegPid };
  }

  it('an owner that exits kills its ffmpeg children (exit hook)', async () => {
    // This ffmpeg neither reads stdin nor writes stdout: only the exit hook can end it.
    const selfRunning = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'color=c=black:s=16x16:r=5', '-f', 'null', '-'];
    const { owner, ffmpegPid } = await startOwner('exit', selfRunning);
    await waitFor('the owner to exit', () => owner.exitCode !== null, 10000);
    expect(owner.exitCode).toBe(0);
    await waitFor('ffmpeg to be gone', () => pidDead(ffmpegPid));
  }, 30000);

  it('an owner killed outright leaves ffmpeg without stdin, and ffmpeg ends', async () => {
    const { owner, ffmpegPid } = await startOwner('stay', ECHO_ARGS);
    expect(pidDead(ffmpegPid)).toBe(false);
    owner.kill('SIGKILL');
    await waitFor('ffmpeg to be gone', () => pidDead(ffmpegPid));
  }, 30000);
});
