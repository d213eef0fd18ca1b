/**
 * Helpers shared by the app's unit specs (not built into dist: `*.fixture.ts`).
 */
import type { ConferenceLogger } from '../conference/conference-manager';

/** A logger that drops every line. */
export const silentLogger: ConferenceLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Polls `cond` every 10 ms, at most 300 times (3 s), and resolves its first truthy value.
 * @throws Error('condition not reached') when it never holds
 */
export async function until<T>(cond: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = cond();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}
