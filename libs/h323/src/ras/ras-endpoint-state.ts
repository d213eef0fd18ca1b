/**
 * States of the RAS endpoint (H.323 §7.2 gatekeeper discovery and registration, H.225.0 §7):
 *
 * ```
 *  unregistered ──start/retry──▶ discovering ──GCF──▶ registering ──RCF──▶ registered
 *       ▲  ▲                        │   ▲  (GRQ timeout with a configured       │  │
 *       │  └─GRJ/timeout/RRJ────────┘   │   gatekeeper → registering too)       │  │ aliases changed,
 *       │                               └─RRJ discoveryRequired, keep-alive ────┘  │ RRJ fullRegistrationRequired,
 *       │                                 timeout                                  │ URQ from the gatekeeper
 *       │                                                        registering ◀─────┘
 *  any ──stop()──▶ unregistering ──UCF/URJ/timeout──▶ stopped
 * ```
 */
import { RasStateError } from './ras-errors';

/** Where the endpoint stands with its gatekeeper; `stopped` is final. */
export type RasEndpointState = 'unregistered' | 'discovering' | 'registering' | 'registered' | 'unregistering' | 'stopped';

const ALLOWED: Readonly<Record<RasEndpointState, readonly RasEndpointState[]>> = {
  unregistered: ['discovering', 'registering', 'unregistering', 'stopped'],
  discovering: ['registering', 'unregistered', 'discovering', 'unregistering', 'stopped'],
  registering: ['registered', 'discovering', 'unregistered', 'registering', 'unregistering', 'stopped'],
  registered: ['registering', 'discovering', 'unregistered', 'unregistering', 'stopped'],
  unregistering: ['stopped'],
  stopped: [],
};

/**
 * Checks a state change.
 * @throws RasStateError when `to` may not follow `from`
 */
export function checkRasTransition(from: RasEndpointState, to: RasEndpointState): void {
  if (!ALLOWED[from].includes(to)) throw new RasStateError(`RAS endpoint cannot go from ${from} to ${to}`);
}
