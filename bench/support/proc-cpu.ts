/**
 * CPU time of a process tree on Linux, read from /proc (proc(5)): for every process of the tree,
 * `utime + stime` (its own threads) plus `cutime + cstime` (children it has already waited for),
 * in clock ticks (`getconf CLK_TCK`, 100 on Linux). The sum over the tree at two instants gives
 * the CPU the tree spent in between, including children that started or ended in between: a child
 * that exits is reaped by its parent, and its whole time moves into the parent's `cutime/cstime`.
 *
 * A meter also samples the tree periodically and keeps the last value seen of every process, so
 * that the breakdown by command still lists processes that ended before the last sample.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

/** One process as /proc/<pid>/stat shows it. */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** Command name (`comm`, at most 15 characters). */
  readonly comm: string;
  /** utime + stime of the process itself, clock ticks. */
  readonly ownTicks: number;
  /** cutime + cstime: children waited for, clock ticks. */
  readonly reapedChildTicks: number;
}

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`; 100 when getconf is missing). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Parses the text of /proc/<pid>/stat; undefined when it is not in the expected form. */
export function parseProcStat(text: string): ProcStat | undefined {
  // comm is in parentheses and may itself contain spaces or parentheses: fields follow the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  const field = (n: number): number => Number(rest[n - 3]);
  const values = [field(4), field(14), field(15), field(16), field(17)];
  if (values.some((v) => !Number.isFinite(v))) return undefined;
  return {
    pid: Number(text.slice(0, open).trim()),
    ppid: values[0],
    comm: text.slice(open + 1, close),
    ownTicks: values[1] + values[2],
    reapedChildTicks: values[3] + values[4],
  };
}

/** Every process visible in /proc right now (processes that vanish while reading are skipped). */
export function allProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = parseProcStat(fs.readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (stat) out.push(stat);
    } catch {
      // The process ended between readdir and read.
    }
  }
  return out;
}

/** `root` and all its descendants, from one reading of /proc; empty when `root` is gone. */
export function processTree(root: number, processes: readonly ProcStat[] = allProcesses()): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  let rootStat: ProcStat | undefined;
  for (const p of processes) {
    if (p.pid === root) rootStat = p;
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  if (!rootStat) return [];
  const tree: ProcStat[] = [];
  const queue = [rootStat];
  // Bounded by the number of processes read: each is visited once.
  for (let i = 0; i < queue.length && i < processes.length; i++) {
    tree.push(queue[i]);
    for (const child of children.get(queue[i].pid) ?? []) if (child.pid !== queue[i].pid) queue.push(child);
  }
  return tree;
}

/** CPU of a tree over a window. */
export interface TreeCpu {
  /** CPU seconds the tree spent in the window (own + reaped children). */
  readonly cpuSeconds: number;
  /** Length of the window, s. */
  readonly wallSeconds: number;
  /** cpuSeconds / wallSeconds × 100: percent of one core. */
  readonly percentOfCore: number;
  /** CPU seconds in the window by group (command name unless classified), own time of each process. */
  readonly byCommand: ReadonlyMap<string, { cpuSeconds: number; processes: number; runningAtEnd: number }>;
}

function treeTicks(tree: readonly ProcStat[]): number {
  return tree.reduce((n, p) => n + p.ownTicks + p.reapedChildTicks, 0);
}

/**
 * Measures the CPU of the tree under `root` between `begin()` and `end()`, sampling it every
 * `intervalMs` in between for the per-command breakdown.
 */
export class TreeCpuMeter {
  private startTicks = 0;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** First and last own ticks of each process seen in the window. */
  private readonly seen = new Map<number, { comm: string; first: number; last: number }>();

  /**
   * @param classify names the group a process's CPU is listed under in `byCommand` (called once per
   *   process, when first seen); default its command name.
   */
  constructor(
    private readonly root: number,
    private readonly intervalMs = 500,
    private readonly classify: (p: ProcStat) => string = (p) => p.comm,
  ) {}

  /** Starts the window. @throws Error when the root process does not exist. */
  begin(): void {
    const tree = processTree(this.root);
    if (tree.length === 0) throw new Error(`process ${this.root} is not running`);
    this.startTicks = treeTicks(tree);
    this.startedAt = performance.now();
    this.seen.clear();
    this.record(tree, true);
    this.timer = setInterval(() => this.record(processTree(this.root), false), this.intervalMs);
    this.timer.unref();
  }

  /**
   * Ends the window (call it while the tree still runs).
   * @throws Error when the root process is gone (its reaped children's time is lost with it).
   */
  end(): TreeCpu {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const tree = processTree(this.root);
    if (tree.length === 0) throw new Error(`process ${this.root} ended before the measure`);
    this.record(tree, false);
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const hz = ticksPerSecond();
    const cpuSeconds = (treeTicks(tree) - this.startTicks) / hz;
    const running = new Set(tree.map((p) => p.pid));
    const byCommand = new Map<string, { cpuSeconds: number; processes: number; runningAtEnd: number }>();
    for (const [pid, { comm, first, last }] of this.seen.entries()) {
      const entry = byCommand.get(comm) ?? { cpuSeconds: 0, processes: 0, runningAtEnd: 0 };
      entry.cpuSeconds += (last - first) / hz;
      entry.processes++;
      if (running.has(pid)) entry.runningAtEnd++;
      byCommand.set(comm, entry);
    }
    return { cpuSeconds, wallSeconds, percentOfCore: (100 * cpuSeconds) / wallSeconds, byCommand };
  }

  private record(tree: readonly ProcStat[], atStart: boolean): void {
    for (const p of tree) {
      const known = this.seen.get(p.pid);
      // A process born inside the window counts from zero.
      if (!known) this.seen.set(p.pid, { comm: this.classify(p), first: atStart ? p.ownTicks : 0, last: p.ownTicks });
      else known.last = p.ownTicks;
    }
  }
}

/** The arguments a process was started with (/proc/<pid>/cmdline), or undefined when it is gone. */
export function commandLine(pid: number): string[] | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
  } catch {
    return undefined;
  }
}
