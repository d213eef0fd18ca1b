/**
 * The MCU's RAS client (H.225.0 §7, H.323 §7.2 and §8): gatekeeper discovery (GRQ), registration of every room
 * alias (RRQ), lightweight keep-alive RRQs before timeToLive runs out, full RRQs when the aliases change or the
 * gatekeeper forgot us, URQ on stop, ARQ/DRQ for incoming calls, and answers to the gatekeeper's URQ, IRQ, BRQ
 * and DRQ. State machine: {@link RasEndpointState}; transactions and retransmission: {@link RasChannel}.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { H225Types } from '../asn1/generated';
import { aliasKey } from './ras-alias';
import { RasChannel, type RasChannelStats, type RasIncoming } from './ras-channel';
import { checkRasTransition, type RasEndpointState } from './ras-endpoint-state';
import { RasStateError } from './ras-errors';
import { rasErrorFields, silentRasLogger, type RasLogger } from './ras-logger';
import * as msg from './ras-messages';
import { answerGatekeeperRequest } from './gatekeeper-requests';
import { RasAdmissions, type AdmissionLink, type AdmissionOutcome, type AdmitIncomingCall } from './ras-admissions';
import { keepAliveDelay, rasTimerSettings, systemRasClock, type RasClock, type RasTimerHandle, type RasTimerSettings } from './ras-timers';
import { fromTransportAddress, toTransportAddress, type IpTransportAddress } from './transport-address';

export type { AdmissionOutcome, AdmitIncomingCall } from './ras-admissions';

/** Gatekeeper discovery multicast address and port (H.323 §7.2.1; H.225.0 well-known RAS addresses). */
export const GATEKEEPER_DISCOVERY_ADDRESS: IpTransportAddress = Object.freeze({ address: '224.0.1.41', port: 1718 });
/** Default gatekeeper RAS port (H.225.0, well-known UDP port 1719). */
export const DEFAULT_GATEKEEPER_RAS_PORT = 1719;

/** Vendor identification sent in RRQ endpointVendor and EndpointType.vendor. */
export const TESSERA_VENDOR: H225Types.VendorIdentifier = {
  vendor: { t35CountryCode: 0, t35Extension: 0, manufacturerCode: 0 },
  productId: Buffer.from('Tessera MCU'),
  versionId: Buffer.from('1'),
};

/** Options of {@link RasEndpoint}. */
export interface RasEndpointOptions {
  /** The gatekeeper's RAS address (`port` defaults to 1719), or `'auto'` for multicast GRQ discovery. */
  readonly gatekeeper: { readonly host: string; readonly port?: number } | 'auto';
  /** Our Q.931 listener as callers reach it (an address literal, not 0.0.0.0). */
  readonly callSignalAddress: IpTransportAddress;
  /** Where the RAS socket binds (default 0.0.0.0, port 0 = ephemeral). A wildcard is advertised as `callSignalAddress.address`. */
  readonly rasAddress?: { readonly address?: string; readonly port?: number };
  /** The aliases to register, read at every full RRQ/URQ: each room's number (dialedDigits) and id (h323-ID). */
  readonly aliases: () => readonly H225Types.AliasAddress[];
  /** EndpointType we register as (default `'mcu'`: `mcu` present and `mc` TRUE). */
  readonly terminalType?: 'mcu' | 'terminal';
  readonly vendor?: H225Types.VendorIdentifier;
  /** timeToLive we ask for in the full RRQ, s (the gatekeeper decides; default: not sent). */
  readonly timeToLive?: number;
  /** Where `'auto'` sends GRQs (default 224.0.1.41:1718). */
  readonly discoveryAddress?: IpTransportAddress;
  readonly timers?: Partial<RasTimerSettings>;
  readonly clock?: RasClock;
  readonly logger?: RasLogger;
  /** Called after every state change; errors it throws are logged. */
  readonly onStateChange?: (state: RasEndpointState, previous: RasEndpointState) => void;
  /** The gatekeeper asked to end a call (DRQ, H.225.0 §7; answered with DCF already); errors are logged. */
  readonly onDisengageRequest?: (callIdentifier: Buffer) => void;
}

interface Registration extends msg.RasRegistration {
  readonly timeToLive?: number;
  /** The gatekeeper pre-granted ARQs for answering calls (RCF preGrantedARQ.answerCall). */
  readonly preGrantedAnswer: boolean;
}

/** See the file comment. `start()` binds and begins; `stop()` unregisters and closes. */
export class RasEndpoint {
  private stateValue: RasEndpointState = 'unregistered';
  private channel?: RasChannel;
  private readonly timers: RasTimerSettings;
  private readonly clock: RasClock;
  private readonly log: RasLogger;
  private gatekeeperRas?: IpTransportAddress;
  private gatekeeperIdentifier?: string;
  private registration?: Registration;
  private readonly admissions: RasAdmissions;
  /** Bumped whenever a procedure starts or is abandoned; answers to an older epoch are ignored. */
  private epoch = 0;
  private timer?: RasTimerHandle;
  private aliasesDirty = false;
  private seq = 1 + Math.floor(Math.random() * 65535);
  private registeredAliases = '';
  private lastAliases: readonly H225Types.AliasAddress[] = [];
  private stopping?: Promise<void>;
  /** The current gatekeeper answered our GRQ (RRQ discoveryComplete). */
  private discovered = false;

  /**
   * @throws RangeError when `callSignalAddress` is not an IP literal and port, or a timer setting is unusable
   */
  constructor(private readonly options: RasEndpointOptions) {
    toTransportAddress(options.callSignalAddress);
    this.timers = rasTimerSettings(options.timers);
    this.clock = options.clock ?? systemRasClock;
    this.log = options.logger ?? silentRasLogger;
    this.admissions = new RasAdmissions(() => this.admissionLink(), this.log);
  }

  /** Current state. */
  get state(): RasEndpointState {
    return this.stateValue;
  }

  /** The endpointIdentifier the gatekeeper assigned (RCF), while registered. */
  get endpointIdentifier(): string | undefined {
    return this.registration?.endpointIdentifier;
  }

  /** The bound RAS address (after `start()`). */
  get localAddress(): IpTransportAddress | undefined {
    return this.channel?.localAddress;
  }

  /** Datagram counters of the RAS socket (malformed, unmatched, retransmissions, …). */
  get stats(): Readonly<RasChannelStats> | undefined {
    return this.channel?.stats;
  }

  /**
   * Binds the RAS socket and starts discovery/registration in the background (follow `onStateChange`).
   * @throws the bind error; RasStateError when already started
   */
  async start(): Promise<void> {
    if (this.channel || this.stateValue === 'stopped') throw new RasStateError('RAS endpoint already started');
    this.channel = await RasChannel.open({
      address: this.options.rasAddress?.address ?? '0.0.0.0',
      port: this.options.rasAddress?.port ?? 0,
      onIncoming: (incoming) => this.incoming(incoming),
      clock: this.clock,
      logger: this.log,
    });
    if (this.stopping) {
      await this.channel.close();
      return;
    }
    this.log.info({ ras: this.channel.localAddress, gatekeeper: this.options.gatekeeper }, 'RAS endpoint started');
    this.discover();
  }

  /**
   * The aliases (rooms) changed: re-registers them with a full RRQ (H.323 §7.2.2) once the current procedure is
   * done. Does nothing before the endpoint is registered (the next RRQ reads the aliases anyway).
   */
  aliasesChanged(): void {
    if (this.stateValue === 'registered') this.registerFull();
    else if (this.stateValue === 'registering') this.aliasesDirty = true;
  }

  /**
   * Asks the gatekeeper to admit an incoming call (ARQ answerCall TRUE); see {@link RasAdmissions.admit}.
   * Never rejects.
   */
  admitIncoming(call: AdmitIncomingCall): Promise<AdmissionOutcome> {
    return this.admissions.admit(call);
  }

  /** Tells the gatekeeper an admitted call ended (DRQ); see {@link RasAdmissions.disengage}. Never rejects. */
  disengage(callIdentifier: Buffer, reason: msg.DisengageReasonTag = 'normalDrop'): Promise<void> {
    return this.admissions.disengage(callIdentifier, reason);
  }

  /** Asks for another bandwidth for an admitted call (BRQ); see {@link RasAdmissions.requestBandwidth}. Never rejects. */
  requestBandwidth(callIdentifier: Buffer, bandwidth: number): Promise<number | undefined> {
    return this.admissions.requestBandwidth(callIdentifier, bandwidth);
  }

  /**
   * Unregisters (URQ, waiting at most the RAS timers for UCF/URJ) and closes the socket. Safe to call twice;
   * never rejects.
   */
  stop(): Promise<void> {
    this.stopping ??= this.unregisterAndClose();
    return this.stopping;
  }

  private async unregisterAndClose(): Promise<void> {
    this.epoch++;
    this.cancelTimer();
    const channel = this.channel;
    const registration = this.registration;
    if (channel && registration && this.gatekeeperRas) {
      this.transition('unregistering');
      try {
        const answer = await channel.request(msg.unregistrationRequest(this.nextSeq(), this.identity(), registration), this.gatekeeperRas, this.timing());
        this.log.info({ answer: answer.tag }, 'unregistered from the gatekeeper');
      } catch (err) {
        this.log.warn(rasErrorFields(err), 'URQ unanswered');
      }
    }
    this.registration = undefined;
    this.admissions.calls.clear();
    this.transition('stopped');
    await channel?.close();
  }

  // --- discovery and registration -------------------------------------------------------------------------

  private discover(): void {
    const epoch = this.begin('discovering');
    this.runProcedure(this.runDiscovery(epoch), 'discovery');
  }

  private async runDiscovery(epoch: number): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    let to: IpTransportAddress;
    try {
      to = await this.discoveryTarget();
    } catch (err) {
      this.log.warn(rasErrorFields(err), 'gatekeeper address lookup failed');
      if (epoch === this.epoch) this.fail('unregistered');
      return;
    }
    if (epoch !== this.epoch) return;
    const timing = { timeout: this.timers.discoveryTimeout, retries: this.timers.retries };
    try {
      const answer = await channel.request(msg.gatekeeperRequest(this.nextSeq(), this.identity()), to, timing);
      if (epoch !== this.epoch) return;
      if (answer.tag === 'gatekeeperConfirm') {
        this.gatekeeperRas = fromTransportAddress(answer.value.rasAddress) ?? to;
        this.gatekeeperIdentifier = answer.value.gatekeeperIdentifier;
        this.log.info({ gatekeeper: this.gatekeeperRas, id: this.gatekeeperIdentifier }, 'GCF');
        this.discovered = true;
        this.registerFull();
        return;
      }
      this.log.warn({ tag: answer.tag, reason: answer.tag === 'gatekeeperReject' ? answer.value.rejectReason.tag : undefined }, 'gatekeeper discovery refused');
      this.fail('unregistered');
    } catch (err) {
      if (epoch !== this.epoch) return;
      this.log.warn(rasErrorFields(err), 'no GCF');
      if (this.options.gatekeeper !== 'auto') {
        // A configured gatekeeper that ignores GRQ may still take an RRQ (H.323 §7.2.2: discovery is optional).
        this.gatekeeperRas = to;
        this.discovered = false;
        this.registerFull();
      } else this.fail('unregistered');
    }
  }

  /** Procedures handle their own outcomes; anything else they throw is a defect, logged rather than left unhandled. */
  private runProcedure(procedure: Promise<void>, name: string): void {
    procedure.catch((err: unknown) => this.log.error({ ...rasErrorFields(err), procedure: name }, 'RAS procedure failed'));
  }

  private async discoveryTarget(): Promise<IpTransportAddress> {
    const gk = this.options.gatekeeper;
    if (gk === 'auto') return this.options.discoveryAddress ?? GATEKEEPER_DISCOVERY_ADDRESS;
    const address = isIP(gk.host) ? gk.host : (await lookup(gk.host, { family: 4 })).address;
    return { address, port: gk.port ?? DEFAULT_GATEKEEPER_RAS_PORT };
  }

  private registerFull(): void {
    this.aliasesDirty = false;
    const epoch = this.begin('registering');
    this.runProcedure(this.runRegistration(epoch), 'registration');
  }

  private async runRegistration(epoch: number): Promise<void> {
    const channel = this.channel;
    const to = this.gatekeeperRas;
    if (!channel || !to) return;
    const me = this.identity();
    const request = msg.registrationRequest(this.nextSeq(), me, {
      discoveryComplete: this.discovered,
      gatekeeperIdentifier: this.gatekeeperIdentifier,
      timeToLive: this.options.timeToLive,
    });
    try {
      const answer = await channel.request(request, to, this.timing());
      if (epoch !== this.epoch) return;
      if (answer.tag === 'registrationConfirm') {
        this.confirmed(answer.value, me.aliases);
        return;
      }
      this.rejected(answer, 'full');
    } catch (err) {
      if (epoch !== this.epoch) return;
      this.log.warn(rasErrorFields(err), 'no answer to RRQ');
      this.fail('unregistered');
    }
  }

  private confirmed(rcf: H225Types.RegistrationConfirm, aliases: readonly H225Types.AliasAddress[]): void {
    this.registration = {
      endpointIdentifier: rcf.endpointIdentifier,
      gatekeeperIdentifier: rcf.gatekeeperIdentifier ?? this.gatekeeperIdentifier,
      timeToLive: rcf.timeToLive,
      preGrantedAnswer: rcf.preGrantedARQ?.answerCall === true,
    };
    this.gatekeeperIdentifier = this.registration.gatekeeperIdentifier;
    this.registeredAliases = aliases.map(aliasKey).join('\n');
    this.log.info({ endpointIdentifier: rcf.endpointIdentifier, timeToLive: rcf.timeToLive, aliases: aliases.length }, 'registered (RCF)');
    this.begin('registered');
    const current = this.currentAliases().map(aliasKey).join('\n');
    if (this.aliasesDirty || current !== this.registeredAliases) {
      this.registerFull();
      return;
    }
    this.scheduleKeepAlive();
  }

  private scheduleKeepAlive(): void {
    const ttl = this.registration?.timeToLive;
    if (ttl === undefined) return;
    const epoch = this.epoch;
    this.setTimer(keepAliveDelay(ttl, this.timers), () => this.runProcedure(this.keepAlive(epoch), 'keep-alive'));
  }

  private async keepAlive(epoch: number): Promise<void> {
    const channel = this.channel;
    const registration = this.registration;
    const to = this.gatekeeperRas;
    if (epoch !== this.epoch || !channel || !registration || !to) return;
    const request = msg.keepAliveRequest(this.nextSeq(), this.identity(), registration, this.discovered, registration.timeToLive);
    try {
      const answer = await channel.request(request, to, this.timing());
      if (epoch !== this.epoch) return;
      if (answer.tag === 'registrationConfirm') {
        if (answer.value.timeToLive !== undefined) this.registration = { ...registration, timeToLive: answer.value.timeToLive };
        this.log.debug({ timeToLive: this.registration?.timeToLive }, 'keep-alive RCF');
        this.scheduleKeepAlive();
        return;
      }
      this.rejected(answer, 'keepAlive');
    } catch (err) {
      if (epoch !== this.epoch) return;
      this.log.warn(rasErrorFields(err), 'keep-alive RRQ unanswered: gatekeeper lost, discovering again');
      this.registration = undefined;
      this.discover();
    }
  }

  /** RRJ or another answer to an RRQ (H.225.0 §7, RegistrationRejectReason). */
  private rejected(answer: H225Types.RasMessage, kind: 'full' | 'keepAlive'): void {
    const reason = answer.tag === 'registrationReject' ? answer.value.rejectReason.tag : answer.tag;
    this.log.warn({ reason, kind }, 'registration rejected');
    this.registration = undefined;
    if (reason === 'discoveryRequired') this.discover();
    else if (reason === 'fullRegistrationRequired' && kind === 'keepAlive') this.registerFull();
    else this.fail('unregistered');
  }

  /** Gives up the current attempt and tries discovery again after `retryDelay`. */
  private fail(state: 'unregistered'): void {
    this.registration = undefined;
    this.begin(state);
    const epoch = this.epoch;
    this.setTimer(this.timers.retryDelay, () => {
      if (epoch === this.epoch) this.discover();
    });
  }

  // --- requests from the gatekeeper -----------------------------------------------------------------------

  private incoming(incoming: RasIncoming): void {
    const channel = this.channel;
    if (!channel || this.stateValue === 'unregistering' || this.stateValue === 'stopped') return;
    const fromGatekeeper = this.gatekeeperRas !== undefined && incoming.from.address === this.gatekeeperRas.address;
    const outcome = answerGatekeeperRequest(incoming, {
      channel,
      fromGatekeeper,
      me: this.identity(),
      registration: this.registration,
      calls: this.admissions.calls,
      log: this.log,
    });
    if (outcome === 'reregister') {
      this.registration = undefined;
      this.registerFull();
    } else if (outcome && outcome.disengaged) {
      try {
        this.options.onDisengageRequest?.(outcome.disengaged);
      } catch (err) {
        this.log.error(rasErrorFields(err), 'onDisengageRequest failed');
      }
    }
  }

  // --- plumbing ---------------------------------------------------------------------------------------------

  /** What ARQ/DRQ/BRQ need while a registration is held (not while unregistering). */
  private admissionLink(): AdmissionLink | undefined {
    const { channel, registration, gatekeeperRas } = this;
    if (!channel || !registration || !gatekeeperRas || this.stateValue === 'unregistering' || this.stateValue === 'stopped') return undefined;
    return {
      channel,
      gatekeeper: gatekeeperRas,
      registration,
      preGrantedAnswer: registration.preGrantedAnswer,
      identity: this.identity(),
      nextSeq: () => this.nextSeq(),
      timing: this.timing(),
    };
  }

  private identity(): msg.RasIdentity {
    const local = this.channel?.localAddress ?? { address: '0.0.0.0', port: 0 };
    const wildcard = local.address === '0.0.0.0' || local.address === '::';
    const mcu = (this.options.terminalType ?? 'mcu') === 'mcu';
    const vendor = this.options.vendor ?? TESSERA_VENDOR;
    return {
      callSignalAddress: this.options.callSignalAddress,
      rasAddress: wildcard ? { address: this.options.callSignalAddress.address, port: local.port } : local,
      endpointType: mcu ? { vendor, mcu: {}, mc: true, undefinedNode: false } : { vendor, terminal: {}, mc: false, undefinedNode: false },
      vendor,
      aliases: this.currentAliases(),
    };
  }

  /** The application's aliases; the last good list when its callback throws (logged). */
  private currentAliases(): readonly H225Types.AliasAddress[] {
    try {
      this.lastAliases = this.options.aliases();
    } catch (err) {
      this.log.error(rasErrorFields(err), 'aliases() failed: using the previous aliases');
    }
    return this.lastAliases;
  }

  private timing(): { timeout: number; retries: number } {
    return { timeout: this.timers.requestTimeout, retries: this.timers.retries };
  }

  /** requestSeqNum 1..65535, wrapping (H.225.0 RequestSeqNum). */
  private nextSeq(): number {
    this.seq = this.seq >= 65535 ? 1 : this.seq + 1;
    return this.seq;
  }

  /** Enters `state` for a new procedure: cancels the running timer and invalidates older answers. */
  private begin(state: RasEndpointState): number {
    this.cancelTimer();
    this.transition(state);
    return ++this.epoch;
  }

  private transition(to: RasEndpointState): void {
    const from = this.stateValue;
    checkRasTransition(from, to);
    this.stateValue = to;
    if (from === to) return;
    this.log.debug({ from, to }, 'RAS state');
    try {
      this.options.onStateChange?.(to, from);
    } catch (err) {
      this.log.error(rasErrorFields(err), 'onStateChange failed');
    }
  }

  private setTimer(ms: number, callback: () => void): void {
    this.cancelTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      callback();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
