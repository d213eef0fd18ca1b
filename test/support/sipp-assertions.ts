/**
 * Assertions on SIPp runs whose failure messages carry what is needed to diagnose them: SIPp's
 * counters and error trace, the message trace tail, and the tail of the MCU log.
 */
import { McuProcess } from './mcu-process';
import { describeSippRun, SippResult } from './sipp';

/**
 * Asserts that SIPp exited 0 with exactly `calls` successful and no failed calls.
 *
 * @throws Error describing the run (and the MCU log tail when `mcu` is given) otherwise
 */
export function expectCallsSucceeded(result: SippResult, calls: number, mcu?: McuProcess): void {
  if (result.exitCode === 0 && result.successful === calls && result.failed === 0 && !result.timedOut) return;
  throw new Error(
    `expected SIPp to exit 0 with ${calls} successful and 0 failed calls, got exit ${result.exitCode}, ` +
      `${result.successful} successful, ${result.failed} failed\n${describeSippRun(result)}` +
      (mcu ? `\n--- MCU log (${mcu.logFile}) tail:\n${mcu.logTail(80)}` : ''),
  );
}
