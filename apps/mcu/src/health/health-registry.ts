import { errorFields } from '../logging/logger';

/** What one component reports: `status` plus any details (listener addresses, counters…). */
export interface ComponentHealth {
  readonly status: 'up' | 'down';
  readonly [detail: string]: unknown;
}

/** A component's status callback; may be async, must answer within `PROBE_TIMEOUT_MS`. */
export type HealthProbe = () => ComponentHealth | Promise<ComponentHealth>;

/** How long one probe may take before it counts as down, ms. */
export const PROBE_TIMEOUT_MS = 1000;

/**
 * Components report their status here for `GET /health`. The SIP module registers its listeners:
 *
 * ```ts
 * constructor(health: HealthRegistry) {
 *   health.register('sip', () => ({ status: 'up', udp: '0.0.0.0:5060', tcp: '0.0.0.0:5060' }));
 * }
 * ```
 *
 * Framework-free; provided (globally) by `HealthModule` under its own class as token.
 */
export class HealthRegistry {
  private readonly probes = new Map<string, HealthProbe>();

  /**
   * Adds (or replaces) the probe of component `name` (e.g. `'sip'`; `'status'` and `'redis'` are
   * reserved). Returns a function that removes it.
   *
   * @throws Error when `name` is reserved.
   */
  register(name: string, probe: HealthProbe): () => void {
    if (name === 'status' || name === 'redis') throw new Error(`health component name "${name}" is reserved`);
    this.probes.set(name, probe);
    return () => {
      if (this.probes.get(name) === probe) this.probes.delete(name);
    };
  }

  /**
   * Runs every probe. A probe that throws, rejects or takes longer than `PROBE_TIMEOUT_MS` is
   * reported as `{ status: 'down', error }`. Never throws.
   */
  async report(): Promise<Record<string, ComponentHealth>> {
    const entries = await Promise.all([...this.probes].map(async ([name, probe]) => [name, await runProbe(probe)] as const));
    return Object.fromEntries(entries);
  }
}

async function runProbe(probe: HealthProbe): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<ComponentHealth>((resolve) => {
      timer = setTimeout(() => resolve({ status: 'down', error: `no answer within ${PROBE_TIMEOUT_MS} ms` }), PROBE_TIMEOUT_MS);
    });
    return await Promise.race([Promise.resolve().then(probe), timeout]);
  } catch (err) {
    return { status: 'down', error: errorFields(err).err };
  } finally {
    clearTimeout(timer);
  }
}
