/** Bounded polling for conditions the end-to-end tests observe from outside a process. */

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` every `intervalMs` until it returns something other than `undefined`, at most
 * `attempts` times (so at most ≈ attempts × intervalMs ms plus the probes' own time).
 *
 * @returns the first defined value
 * @throws Error naming `what` (and the last error the probe threw) when the value never appeared
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  attempts = 100,
  intervalMs = 100,
): Promise<T> {
  let lastError = '';
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = ` (last error: ${(err as Error).message})`;
    }
    await delay(intervalMs);
  }
  throw new Error(`timed out waiting for ${what} after ${attempts} × ${intervalMs} ms${lastError}`);
}
