/**
 * Benchmark 6(b): the highest call rate the MCU sustains, against SIPp's own UAS on the same machine.
 *
 * A call is INVITE/100/180?/200/ACK, held 3 s, BYE/200 (`test/sipp/call.xml`, SIPp over UDP on
 * loopback). A rate R "is sustained" when a run of R calls/s for 30 s (`-r R -m 30R -d 3000`)
 * completes every call with none failed, within 30 s + 3 s + 5 s of slack (SIPp throttles when calls
 * pile up, so a target that falls behind takes longer). The search doubles R from 50 until a run fails,
 * then bisects between the last sustained and the first failed rate until they are within 10 % (or
 * the time budget is spent); the UAS search starts at the MCU's result. Each run gets a fresh target:
 * a new MCU process (LOG_LEVEL=warn, its own Redis prefix, rooms of 1000 seats, RTP ports for three
 * times the simultaneous calls) or a new `sipp -sn uas`. Above ≈100 calls/s
 * the load is split over several SIPp clients, each calling its own room (seats for three times the
 * simultaneous calls), so room size is not the limit; the UAS gets the same clients.
 *
 * Run alone: `node -r @swc-node/register bench/sip-load.bench.ts` (after `npm run build`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARTIFACTS_DIR } from '../test/support/artifacts';
import { McuProcess, MCU_ENTRY } from '../test/support/mcu-process';
import { McuRestClient } from '../test/support/rest-client';
import { SippProcess, SippResult, startSipp } from '../test/support/sipp';

/** Tunables; the defaults are the benchmark as specified. */
export interface SipLoadBenchOptions {
  /** How long each rate is held, in s (default 30). */
  holdSeconds?: number;
  /** Call length, in ms (default 3000). */
  callMs?: number;
  /** First rate tried, in calls/s (default 50). */
  startRate?: number;
  /** Highest rate tried, in calls/s (default 25 600). */
  maxRate?: number;
  /** Time budget per target for the search, in ms (default 280 000). */
  budgetMsPerTarget?: number;
}

/** Outcome of holding one rate. */
export interface RateStep {
  rate: number;
  sustained: boolean;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Wall-clock length of the run, in ms. */
  elapsedMs: number;
  /** Why the rate was not sustained. */
  reason?: string;
}

/** A system under test that can be (re)started for one run. */
export interface CallTarget {
  name: string;
  /** Starts the target for `rooms` rooms; resolves where to call and how to stop it (returns a problem, if any). */
  start(rooms: number, concurrentCalls: number): Promise<{ remote: string; services: string[]; stop(): Promise<string | undefined> }>;
}

/** Most calls one MCU room takes (the REST API's maximum for maxParticipants). */
const ROOM_SEATS = 1000;

/** Most SIPp clients run at once (one per room). */
const MAX_CLIENTS = 64;

/** Largest RTP range handed to the MCU (its region, PORT_REGIONS.mcuRtp, holds 40 000 ports). */
const MAX_RTP_PORTS = 28_000;

/** The built MCU, restarted for every run. */
export const mcuTarget: CallTarget = {
  name: 'Tessera MCU',
  async start(rooms, concurrentCalls) {
    // Two ports (RTP + RTCP) per call, three times over: a target that lags a little holds more calls
    // at once (and unacknowledged ones for 32 s), and running out of ports must not be what ends a run.
    const rtpPortCount = Math.min(MAX_RTP_PORTS, Math.max(200, 6 * concurrentCalls));
    const mcu = await McuProcess.start({
      label: 'bench-sip-load',
      logLevel: 'warn',
      rtpPortCount,
      rtpPortsBusyAllowed: Math.floor(rtpPortCount / 100),
    });
    try {
      const rest = new McuRestClient(mcu.baseUrl);
      const services: string[] = [];
      for (let i = 0; i < rooms; i++) {
        const room = await rest.createRoom({ name: `bench ${i}`, number: String(9000 + i), maxParticipants: ROOM_SEATS });
        services.push(room.number);
      }
      return {
        remote: mcu.sipAddress,
        services,
        stop: async () => {
          try {
            const exit = await mcu.stop();
            return exit.code === 0 ? undefined : `MCU exited with ${JSON.stringify(exit)} (log ${mcu.logFile})`;
          } finally {
            await mcu.dispose();
          }
        },
      };
    } catch (err) {
      await mcu.dispose();
      throw err;
    }
  },
};

/** SIPp's built-in UAS, restarted for every run: the reference point. */
export const sippUasTarget: CallTarget = {
  name: 'SIPp UAS (sipp -sn uas)',
  async start(rooms) {
    const uas = await startSipp({
      label: 'bench-uas',
      scenario: { builtin: 'uas' },
      calls: 10_000_000,
      timeoutMs: 600_000,
    });
    return {
      remote: `127.0.0.1:${uas.localPort}`,
      services: Array.from({ length: rooms }, (_, i) => String(9000 + i)),
      stop: async () => {
        const result = await uas.stop();
        return result.timedOut ? 'SIPp UAS had to be killed' : undefined;
      },
    };
  },
};

/** Splits `total` into `parts` integers that differ by at most one. */
function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** Holds `rate` calls/s against a fresh `target` for `holdSeconds`. */
async function holdRate(target: CallTarget, rate: number, holdSeconds: number, callMs: number): Promise<RateStep> {
  const concurrent = Math.ceil((rate * callMs) / 1000);
  // Seats for three times the nominal number of simultaneous calls, so that a target that lags (and
  // so holds more calls at once) is not stopped by full rooms before its own limit.
  const rooms = Math.min(MAX_CLIENTS, Math.max(1, Math.ceil((concurrent * 3) / ROOM_SEATS)));
  // Every call started on time ends by hold + call length; a target that falls behind makes SIPp throttle.
  const allowedMs = (holdSeconds + callMs / 1000 + 5) * 1000;
  const system = await target.start(rooms, concurrent);
  const clients: Array<{ sipp: SippProcess; startedAt: number }> = [];
  let runs: Array<{ result: SippResult; ms: number }> = [];
  let stopProblem: string | undefined;
  try {
    // Started one after the other (each takes milliseconds), then awaited together; if one cannot
    // start, the finally block ends those already running.
    const shares = split(rate, rooms);
    for (let i = 0; i < shares.length; i++) {
      const sipp = await startSipp({
        label: `bench-uac-${rate}cps-${i}`,
        scenario: 'call.xml',
        remote: system.remote,
        service: system.services[i],
        calls: shares[i] * holdSeconds,
        rate: shares[i],
        callLimit: Math.max(10, 2 * Math.ceil((shares[i] * callMs) / 1000)),
        callDurationMs: callMs,
        recvTimeoutMs: 5000,
        timeoutMs: allowedMs + 10_000,
      });
      clients.push({ sipp, startedAt: Date.now() });
    }
    runs = await Promise.all(
      clients.map(async ({ sipp, startedAt }) => {
        const result = await sipp.wait();
        return { result, ms: Date.now() - startedAt };
      }),
    );
  } finally {
    await Promise.all(clients.map(({ sipp }) => sipp.stop()));
    stopProblem = await system.stop();
  }
  const results = runs.map((r) => r.result);
  const elapsedMs = Math.max(...runs.map((r) => r.ms));
  const successful = results.reduce((n, r) => n + r.successful, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const retransmissions = results.reduce((n, r) => n + r.retransmissions, 0);
  let reason: string | undefined;
  // Exit codes 0 and 1 are "all calls succeeded" and "some failed"; anything else is SIPp itself failing.
  const broken = results.find((r) => r.exitCode !== 0 && r.exitCode !== 1);
  if (broken) reason = `a SIPp client ended with ${broken.exitCode ?? broken.signal}: ${firstEvent(broken)}`;
  else if (failed > 0) reason = `${failed} failed calls${failureSample(results)}`;
  else if (successful < rate * holdSeconds) reason = `${successful} of ${rate * holdSeconds} calls completed`;
  else if (results.some((r) => r.exitCode !== 0)) reason = `SIPp exit codes ${results.map((r) => r.exitCode).join(',')}`;
  else if (elapsedMs > allowedMs) reason = `took ${(elapsedMs / 1000).toFixed(1)} s instead of at most ${allowedMs / 1000} s`;
  else if (stopProblem) reason = stopProblem;
  return { rate, sustained: reason === undefined, successful, failed, retransmissions, elapsedMs, reason };
}

/**
 * The most frequent reasons SIPp aborted calls, from the runs' error traces (retransmissions that
 * reach already finished calls, "dead calls", are not failures and are not counted), e.g.
 * ` (41× 503 No Media Ports, 3× receive timeout)`, or '' when there are none.
 */
function failureSample(results: SippResult[]): string {
  const counts = new Map<string, number>();
  const pattern = /Aborting call on unexpected message[^\n]*?received 'SIP\/2\.0 (\d{3} [^\r\n']*)|(receive timeout)|Aborting call on (an unexpected BYE)/g;
  for (const r of results) {
    if (!fs.existsSync(r.files.errors)) continue;
    for (const m of fs.readFileSync(r.files.errors, 'utf8').matchAll(pattern)) {
      const cause = m[1] ?? m[2] ?? m[3];
      counts.set(cause, (counts.get(cause) ?? 0) + 1);
    }
  }
  const top = [...counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3);
  return top.length === 0 ? '' : ` (${top.map(([cause, n]) => `${n}× ${cause}`).join(', ')})`;
}

/** The first event in a run's error trace (or the last line of its output), for a one-line reason. */
function firstEvent(result: SippResult): string {
  const line = /^\S+\t\S+\t\S+: (.*)$/m.exec(result.errors)?.[1];
  return (line ?? result.output.trim().split('\n').pop() ?? '').slice(0, 200);
}

/** One line per step. */
function printStep(step: RateStep): void {
  const verdict = step.sustained ? 'sustained' : `not sustained: ${step.reason}`;
  console.log(
    `  ${String(step.rate).padStart(5)} calls/s  ${String(step.successful).padStart(7)} ok ${String(step.failed).padStart(5)} failed ` +
      `${String(step.retransmissions).padStart(6)} retrans  ${(step.elapsedMs / 1000).toFixed(1).padStart(5)} s  ${verdict}`,
  );
}

/**
 * Finds the highest sustained rate for `target`: doubling from `startRate`, then bisection to 10 %.
 *
 * @returns the best sustained rate (0 when even the lowest tried failed) and whether the search was
 *   cut short by `maxRate` (`atLeast`) or by the time budget
 */
export async function findMaxCallRate(
  target: CallTarget,
  options: Required<SipLoadBenchOptions>,
): Promise<{ best: number; atLeast: boolean; steps: RateStep[] }> {
  const { holdSeconds, callMs, startRate, maxRate, budgetMsPerTarget } = options;
  const deadline = Date.now() + budgetMsPerTarget;
  const stepMs = (holdSeconds + callMs / 1000 + 8) * 1000;
  const steps: RateStep[] = [];
  const attempt = async (rate: number): Promise<boolean> => {
    const step = await holdRate(target, rate, holdSeconds, callMs);
    steps.push(step);
    printStep(step);
    return step.sustained;
  };
  console.log(`${target.name}:`);
  let lo = 0;
  let hi: number | undefined;
  for (let rate = startRate; rate <= maxRate; rate *= 2) {
    if (Date.now() + stepMs > deadline && steps.length > 0) break;
    if (await attempt(rate)) lo = rate;
    else {
      hi = rate;
      break;
    }
  }
  if (hi === undefined) return { best: lo, atLeast: true, steps };
  // Bisection: a bounded number of halvings of [lo, upper], on multiples of 5 calls/s.
  let upper: number = hi;
  for (let i = 0; i < 12 && upper - lo > Math.max(5, lo * 0.1); i++) {
    if (Date.now() + stepMs > deadline) break;
    const mid: number = Math.round((lo + upper) / 10) * 5;
    if (mid <= lo || mid >= upper) break;
    if (await attempt(mid)) lo = mid;
    else upper = mid;
  }
  return { best: lo, atLeast: false, steps };
}

/**
 * Prints the highest INVITE/200/ACK/BYE call rate (3 s calls, 30 s, zero failed calls) the MCU
 * sustains, the same for `sipp -sn uas`, and the ratio. Takes up to about 10 minutes.
 *
 * @throws Error when the MCU is not built or SIPp is missing
 */
export async function runSipLoadBench(options: SipLoadBenchOptions = {}): Promise<void> {
  const resolved: Required<SipLoadBenchOptions> = {
    holdSeconds: options.holdSeconds ?? 30,
    callMs: options.callMs ?? 3000,
    startRate: options.startRate ?? 50,
    maxRate: options.maxRate ?? 25_600,
    budgetMsPerTarget: options.budgetMsPerTarget ?? 280_000,
  };
  if (!fs.existsSync(MCU_ENTRY)) throw new Error(`${MCU_ENTRY} is missing: run \`npm run build\` first`);
  // Failing steps write large SIPp error traces: keep only this run's.
  if (fs.existsSync(ARTIFACTS_DIR)) {
    for (const name of fs.readdirSync(ARTIFACTS_DIR)) {
      if (/^(sipp-bench-|mcu-bench-)/.test(name)) fs.rmSync(path.join(ARTIFACTS_DIR, name), { force: true });
    }
  }
  console.log(
    `SIP call rate: INVITE/200/ACK/BYE, ${resolved.callMs / 1000} s calls, each rate held ${resolved.holdSeconds} s ` +
      'with zero failed calls, SIPp over UDP on loopback (Node ' + process.version + ')',
  );
  const mcu = await findMaxCallRate(mcuTarget, resolved);
  // SIPp's UAS is expected to be faster: start where the MCU stopped, so both searches fit the budget.
  const uas = await findMaxCallRate(sippUasTarget, { ...resolved, startRate: Math.max(resolved.startRate, mcu.best) });
  const show = (r: { best: number; atLeast: boolean }): string => `${r.atLeast ? '≥ ' : ''}${r.best} calls/s`;
  console.log(`highest sustained rate   MCU: ${show(mcu)}   SIPp UAS: ${show(uas)}   MCU/SIPp: ${uas.best > 0 ? (mcu.best / uas.best).toFixed(2) : 'n/a'}x`);
  console.log('(the SIPp client generating the calls shares the machine, so at high rates it bounds both figures)');
}

if (require.main === module) {
  runSipLoadBench().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
