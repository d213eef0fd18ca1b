/**
 * The MCU towards its gatekeeper (H.225.0 §7 RAS, H.323 §7.2 and §8.1.1): registers every room's number
 * (dialedDigits) and id (h323-ID) with the `RasEndpoint`, re-registers when rooms are created, renumbered or
 * deleted, asks admission (ARQ answerCall) for each incoming call before it is answered, disengages (DRQ)
 * after it ends, releases a call the gatekeeper disengages, and unregisters (URQ) on stop.
 */
import { RasEndpoint, type H225Types, type H323Alias, type IncomingCall, type RasEndpointOptions } from '@mcu/h323';
import type { ConferenceManager } from '../conference/conference-manager';
import type { LegAdmission } from '../bridges/h323-call-leg';
import { errorFields } from '../logging/logger';
import { RoomAliases } from './room-aliases';

/** The logging calls made here (pino fits). */
interface GatekeeperLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of {@link H323Gatekeeper}. */
export interface H323GatekeeperOptions {
  readonly conference: Pick<ConferenceManager, 'listRooms' | 'on'>;
  /** `MCU_H323_GATEKEEPER`. */
  readonly gatekeeper: { readonly host: string; readonly port: number } | 'auto';
  /** Our call signalling address as callers reach it (MCU_PUBLIC_IP and the bound H.225.0 port). */
  readonly callSignalAddress: { readonly address: string; readonly port: number };
  /** Where the RAS socket binds (MCU_SIP_HOST; port ephemeral). */
  readonly bindAddress: string;
  readonly logger: GatekeeperLogger;
  /** The gatekeeper ended a call (DRQ, already confirmed with DCF): release it. Errors are logged. */
  readonly onDisengageRequest?: (callIdentifier: Buffer) => void;
}

/** H.225.0 AliasAddress of a call's alias; forms RAS cannot carry back are left out. */
function aliasAddress(alias: H323Alias): H225Types.AliasAddress | undefined {
  switch (alias.type) {
    case 'dialedDigits':
      return { tag: 'dialedDigits', value: alias.value };
    case 'h323-ID':
      return { tag: 'h323-ID', value: alias.value };
    case 'url':
      return { tag: 'url-ID', value: alias.value };
    case 'email':
      return { tag: 'email-ID', value: alias.value };
    default:
      return undefined;
  }
}

function aliasAddresses(aliases: readonly H323Alias[]): H225Types.AliasAddress[] {
  return aliases.map(aliasAddress).filter((a): a is H225Types.AliasAddress => a !== undefined);
}

/** Bandwidth asked for an audio call in ARQ, in 100 bit/s units (two 64 kbit/s directions). */
const AUDIO_CALL_BANDWIDTH = 1280;

/** See the file comment. `start()` once, `stop()` on shutdown. */
export class H323Gatekeeper implements LegAdmission {
  private readonly aliases: RoomAliases;
  private readonly ras: RasEndpoint;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly pending = new Set<Promise<void>>();

  /** @throws RangeError when `callSignalAddress` is not an IP literal and port */
  constructor(private readonly options: H323GatekeeperOptions) {
    this.aliases = new RoomAliases(options.logger);
    const ras: RasEndpointOptions = {
      gatekeeper: options.gatekeeper,
      callSignalAddress: options.callSignalAddress,
      rasAddress: { address: options.bindAddress, port: 0 },
      aliases: () => this.aliases.all(),
      logger: options.logger,
      onStateChange: (state, previous) => options.logger.info({ state, previous }, 'gatekeeper registration state'),
      ...(options.onDisengageRequest ? { onDisengageRequest: options.onDisengageRequest } : {}),
    };
    this.ras = new RasEndpoint(ras);
  }

  /** Registration state (for /health). */
  get state(): RasEndpoint['state'] {
    return this.ras.state;
  }

  /**
   * Loads the rooms, follows their changes, binds the RAS socket and starts discovery/registration (in the
   * background; an unreachable gatekeeper is retried by the RAS endpoint, not fatal).
   * @throws the RAS socket's bind error
   */
  async start(): Promise<void> {
    const { conference, logger } = this.options;
    const changed = (): void => this.ras.aliasesChanged();
    this.unsubscribe.push(
      conference.on('room-created', (room) => {
        if (this.aliases.set(room)) changed();
      }),
      conference.on('room-updated', (room) => {
        if (this.aliases.set(room)) changed();
      }),
      conference.on('room-deleted', (room) => {
        if (this.aliases.delete(room.id)) changed();
      }),
    );
    for (const room of await conference.listRooms()) this.aliases.set(room);
    await this.ras.start();
    logger.info({ gatekeeper: this.options.gatekeeper, rooms: this.aliases.size }, 'registering the rooms with the gatekeeper');
  }

  /** ARQ answerCall for `call` (H.225.0 §7.8.1); `true` on ACF. Never rejects. */
  async admit(call: IncomingCall): Promise<boolean> {
    try {
      const outcome = await this.ras.admitIncoming({
        callIdentifier: call.callIdentifier,
        conferenceID: call.conferenceId,
        callReferenceValue: call.callReference,
        srcInfo: aliasAddresses(call.setup.callingAliases),
        destinationInfo: aliasAddresses(call.setup.calledAliases),
        ...(call.setup.sourceCallSignalAddress ? { srcCallSignalAddress: call.setup.sourceCallSignalAddress } : {}),
        bandwidth: AUDIO_CALL_BANDWIDTH,
      });
      if (outcome === 'admitted') return true;
      this.options.logger.info({ call: call.label, outcome }, 'gatekeeper refused admission');
      return false;
    } catch (err) {
      this.options.logger.error({ ...errorFields(err), call: call.label }, 'admission request failed');
      return false;
    }
  }

  /** DRQ for an admitted call that ended (H.225.0 §7.9). Never throws. */
  disengage(call: IncomingCall): void {
    const done = this.ras.disengage(call.callIdentifier).catch((err: unknown) => {
      this.options.logger.warn({ ...errorFields(err), call: call.label }, 'disengage request failed');
    });
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Waits for outstanding DRQs, then unregisters (URQ) and closes the RAS socket. Safe to call twice; never rejects. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await Promise.all([...this.pending]);
    await this.ras.stop();
  }
}
