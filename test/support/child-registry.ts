/**
 * Every child process the end-to-end harness starts (MCU, SIPp, baresip) is tracked here, so that
 * (1) a spec's afterAll can end whatever a failed or timed-out test left running, and (2) if the test
 * process exits anyway, the children are killed with it instead of holding ports.
 */
import { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllSync(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch (err) {
      // Nothing else can be done while the process exits; say so on stderr.
      process.stderr.write(`could not kill child ${child.pid}: ${(err as Error).message}\n`);
    }
  }
}

/** Tracks `child` until it exits. */
export function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    process.once('exit', killAllSync);
    exitHookInstalled = true;
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
}

/** Number of tracked children still running. */
export function liveChildCount(): number {
  return live.size;
}

/**
 * Sends SIGTERM to every tracked child still running, SIGKILL to those still there after `graceMs`,
 * and resolves when all have exited (at most ≈ graceMs + 2 s).
 *
 * @returns how many children were still running when called
 */
export async function killAllChildren(graceMs = 3000): Promise<number> {
  const running = [...live];
  if (running.length === 0) return 0;
  const exits = running.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  }));
  for (const child of running) child.kill('SIGTERM');
  const all = Promise.all(exits);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = await Promise.race([
    all.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (graceOver) {
    for (const child of live) child.kill('SIGKILL');
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 2000))]);
  }
  return running.length;
}
