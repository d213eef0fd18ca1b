/**
 * Test wiring of a {@link RasEndpoint} to a {@link TestGatekeeper} on 127.0.0.1 with a manual clock
 * (framework-free; used by the RAS specs).
 */
import type { H225Types } from '../asn1/generated';
import { dialedDigitsAlias, h323IdAlias } from './ras-alias';
import { RasEndpoint, type RasEndpointOptions } from './ras-endpoint';
import type { RasEndpointState } from './ras-endpoint-state';
import { ManualRasClock } from './manual-ras-clock';
import { TestGatekeeper, type TestGatekeeperOptions } from './test-gatekeeper';

/** Polls `predicate` every 5 ms (real time) until it holds; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A running endpoint + gatekeeper pair. */
export interface RasPair {
  readonly gk: TestGatekeeper;
  readonly ep: RasEndpoint;
  readonly clock: ManualRasClock;
  /** Every state the endpoint entered, in order. */
  readonly states: RasEndpointState[];
  /** The aliases the endpoint registers (mutable). */
  aliases: H225Types.AliasAddress[];
  /** Waits (real time, bounded) until the endpoint is in `state`. */
  reach(state: RasEndpointState, timeoutMs?: number): Promise<void>;
  /** Stops the endpoint (advancing the clock while URQ is retransmitted) and closes the gatekeeper. */
  close(): Promise<void>;
}

/**
 * Starts a gatekeeper and an endpoint registering room 1001 / `room-a` to it (`start: false` leaves
 * `ep.start()` to the caller).
 */
export async function startRasPair(
  gkOptions: TestGatekeeperOptions = {},
  epOptions: Partial<RasEndpointOptions> = {},
  { start = true }: { start?: boolean } = {},
): Promise<RasPair> {
  const gk = await TestGatekeeper.start(gkOptions);
  const clock = new ManualRasClock();
  const states: RasEndpointState[] = [];
  const pair: RasPair = {
    gk,
    clock,
    states,
    aliases: [dialedDigitsAlias('1001'), h323IdAlias('room-a')],
    ep: undefined as unknown as RasEndpoint,
    reach: (state, timeoutMs) => until(() => pair.ep.state === state, timeoutMs, `state ${state}`),
    close: async () => {
      const stopping = pair.ep.stop();
      for (let i = 0; i < 20 && pair.ep.state !== 'stopped'; i++) {
        clock.advance(5000);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await stopping;
      await gk.close();
    },
  };
  (pair as { ep: RasEndpoint }).ep = new RasEndpoint({
    gatekeeper: { host: gk.address.address, port: gk.address.port },
    callSignalAddress: { address: '127.0.0.1', port: 1720 },
    rasAddress: { address: '127.0.0.1', port: 0 },
    aliases: () => pair.aliases,
    clock,
    onStateChange: (state) => states.push(state),
    ...epOptions,
  });
  if (start) await pair.ep.start();
  return pair;
}
