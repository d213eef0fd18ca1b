/**
 * Reading SIPp's results: the statistics CSV written with `-trace_stat -stf <file>` (semicolon
 * separated; a header line, then one line per dump; `(C)` columns are cumulative) and, as a fallback,
 * the "Statistics Screen" SIPp prints when it ends.
 */
import * as fs from 'node:fs';

/** Cumulative counters of one SIPp run. */
export interface SippCounters {
  /** Calls that reached the end of the scenario. */
  successful: number;
  /** Calls that failed (unexpected message, timeout, transport error, …). */
  failed: number;
  /** Calls SIPp created as UAC (`OutgoingCall(C)`). */
  outgoing: number;
  /** Calls SIPp created as UAS (`IncomingCall(C)`). */
  incoming: number;
  /** Messages SIPp had to retransmit (`Retransmissions(C)`). */
  retransmissions: number;
  /** Calls that failed on a receive timeout (`FailedTimeoutOnRecv(C)`). */
  failedTimeoutOnRecv: number;
  /** Calls that failed on an unexpected message (`FailedUnexpectedMessage(C)`). */
  failedUnexpectedMessage: number;
}

/**
 * Counters from the last line of a SIPp statistics CSV.
 *
 * @returns null when the file is missing or holds no data line
 */
export function parseStatFile(file: string): SippCounters | null {
  if (!fs.existsSync(file)) return null;
  const lines = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0);
  if (lines.length < 2) return null;
  const header = lines[0].split(';');
  const last = lines[lines.length - 1].split(';');
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) return 0;
    const value = Number.parseInt(last[index] ?? '', 10);
    return Number.isFinite(value) ? value : 0;
  };
  return {
    successful: column('SuccessfulCall(C)'),
    failed: column('FailedCall(C)'),
    outgoing: column('OutgoingCall(C)'),
    incoming: column('IncomingCall(C)'),
    retransmissions: column('Retransmissions(C)'),
    failedTimeoutOnRecv: column('FailedTimeoutOnRecv(C)'),
    failedUnexpectedMessage: column('FailedUnexpectedMessage(C)'),
  };
}

/**
 * Successful/failed call counts from the last "Statistics Screen" in SIPp's standard output
 * (rows `Successful call | <periodic> | <cumulative>`).
 *
 * @returns null when the output holds no such screen
 */
export function parseScreen(output: string): Pick<SippCounters, 'successful' | 'failed'> | null {
  const pick = (label: string): number | null => {
    const re = new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'g');
    let value: number | null = null;
    for (let m = re.exec(output); m !== null; m = re.exec(output)) value = Number(m[1]);
    return value;
  };
  const successful = pick('Successful call');
  const failed = pick('Failed call');
  return successful === null || failed === null ? null : { successful, failed };
}
