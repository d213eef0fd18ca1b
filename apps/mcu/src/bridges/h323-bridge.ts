/**
 * The H.323 bridge: implements the H.323 endpoint's delegate and connects calls to the conference. Each
 * Setup becomes an `H323CallLeg` (the participant's `ParticipantSignalling`).
 */
import type { H323EndpointDelegate, IncomingCall } from '@mcu/h323';
import { H323CallLeg, type LegAdmission } from './h323-call-leg';
import type { H323MediaSource } from './h323-media';
import type { LegConference, LegLogger } from './sip-call-leg';

/** Options of an `H323Bridge`. */
export interface H323BridgeOptions {
  conference: LegConference;
  media: H323MediaSource;
  /** The gatekeeper (ARQ/DRQ), when the MCU registers with one. */
  admission?: LegAdmission;
  logger: LegLogger;
  /** How long a caller has to key a room's PIN, ms (default 30 s). */
  pinEntryTimeoutMs?: number;
}

/** `H323EndpointDelegate` of the MCU. */
export class H323Bridge implements H323EndpointDelegate {
  private readonly legs = new Set<H323CallLeg>();

  constructor(private readonly options: H323BridgeOptions) {}

  /** Live legs (calls not yet released). */
  get activeLegs(): number {
    return this.legs.size;
  }

  /** The live leg of a participant, if it is an H.323 one. */
  legOf(participantId: string): H323CallLeg | undefined {
    for (const leg of this.legs) if (leg.participantId === participantId) return leg;
    return undefined;
  }

  /** The live leg of a call by its callIdentifier GUID (16 octets), e.g. for a gatekeeper's DRQ. */
  legOfCall(callIdentifier: Buffer): H323CallLeg | undefined {
    for (const leg of this.legs) if (leg.call.callIdentifier.equals(callIdentifier)) return leg;
    return undefined;
  }

  /** A Setup arrived (CallProceeding already sent): route it into a room (see `H323CallLeg`). */
  onSetup(call: IncomingCall): void {
    const leg = new H323CallLeg(call, {
      conference: this.options.conference,
      media: this.options.media,
      ...(this.options.admission ? { admission: this.options.admission } : {}),
      logger: this.options.logger,
      ...(this.options.pinEntryTimeoutMs === undefined ? {} : { pinEntryTimeoutMs: this.options.pinEntryTimeoutMs }),
      onEnded: (l) => this.legs.delete(l),
    });
    this.legs.add(leg);
    void leg.start();
  }
}
