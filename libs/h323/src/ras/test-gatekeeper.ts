/**
 * A tiny gatekeeper for tests (H.225.0 §7 from the gatekeeper's side), on 127.0.0.1 and an ephemeral port:
 * GRQ → GCF, full RRQ → RCF (endpointIdentifier assigned, timeToLive configurable), keep-alive RRQ → RCF or,
 * after {@link TestGatekeeper.restart}, RRJ fullRegistrationRequired; URQ → UCF; ARQ → ACF (or ARJ when
 * configured); DRQ → DCF; BRQ → BCF. It records every message it receives and can send URQ/IRQ/DRQ/BRQ of its own.
 * `silent` makes it drop everything (retransmission tests). Framework-free; used by unit and e2e tests.
 */
import type { H225Types } from '../asn1/generated';
import { RasChannel, type RasIncoming } from './ras-channel';
import { H225_PROTOCOL_IDENTIFIER } from './ras-messages';
import { toTransportAddress, fromTransportAddress, type IpTransportAddress } from './transport-address';

/** Options of {@link TestGatekeeper.start}. */
export interface TestGatekeeperOptions {
  /** Bind address (default 127.0.0.1). */
  readonly address?: string;
  /** Bind port (default 0: ephemeral). */
  readonly port?: number;
  /** timeToLive in RCF, s (default 60; `null`: not sent). */
  readonly timeToLive?: number | null;
  /** gatekeeperIdentifier in GCF/RCF (default `TestGK`). */
  readonly gatekeeperIdentifier?: string;
  /** ARJ reason for every ARQ (default: ACF). */
  readonly admissionReject?: H225Types.AdmissionRejectReason['tag'];
}

/** The value type of the RasMessage alternative `T`. */
export type RasValue<T extends H225Types.RasMessage['tag']> = Extract<H225Types.RasMessage, { tag: T }>['value'];

/** One received message. */
export interface ReceivedRas {
  readonly message: H225Types.RasMessage;
  readonly bytes: Buffer;
  readonly from: IpTransportAddress;
}

interface Registration {
  readonly endpointIdentifier: string;
  readonly callSignalAddress?: IpTransportAddress;
  readonly rasAddress?: IpTransportAddress;
  aliases: H225Types.AliasAddress[];
}

/** See the file comment. */
export class TestGatekeeper {
  /** Every message received (also while silent), oldest first. */
  readonly received: ReceivedRas[] = [];
  /** Drop everything instead of answering. */
  silent = false;
  /** Answer keep-alive RRQs with this RRJ reason. */
  rejectKeepAlive: 'fullRegistrationRequired' | 'discoveryRequired' | undefined;
  /** Registrations by endpointIdentifier. */
  readonly registrations = new Map<string, Registration>();
  private readonly waiters: Array<{ match: (r: ReceivedRas) => boolean; resolve: (r: ReceivedRas) => void }> = [];
  private channel!: RasChannel;
  private nextId = 1;
  private seq = 100;

  private constructor(private readonly options: TestGatekeeperOptions) {}

  /** Binds and starts answering. @throws the bind error */
  static async start(options: TestGatekeeperOptions = {}): Promise<TestGatekeeper> {
    const gk = new TestGatekeeper(options);
    gk.channel = await RasChannel.open({
      address: options.address ?? '127.0.0.1',
      port: options.port ?? 0,
      onIncoming: (incoming) => gk.onRequest(incoming),
    });
    return gk;
  }

  /** The bound RAS address. */
  get address(): IpTransportAddress {
    return this.channel.localAddress;
  }

  /** Datagrams that did not decode. */
  get malformed(): number {
    return this.channel.stats.malformed;
  }

  /** Forgets all registrations, as a restarted gatekeeper does (keep-alives then get RRJ fullRegistrationRequired). */
  restart(): void {
    this.registrations.clear();
  }

  /** Received messages with this RasMessage alternative. */
  messages<T extends H225Types.RasMessage['tag']>(tag: T): Array<RasValue<T>> {
    const values: Array<RasValue<T>> = [];
    for (const r of this.received) if (r.message.tag === tag) values.push(r.message.value as RasValue<T>);
    return values;
  }

  /**
   * Resolves with the first message received from now on (or already received after index `since`) that
   * matches; rejects after `timeoutMs` (real time).
   */
  waitFor(match: (r: ReceivedRas) => boolean, timeoutMs = 2000, since = this.received.length): Promise<ReceivedRas> {
    const earlier = this.received.slice(since).find(match);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (r: ReceivedRas) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`test gatekeeper: nothing matching within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Sends a gatekeeper-initiated request (URQ, IRQ, DRQ, BRQ …) and resolves with the endpoint's answer. */
  request(message: H225Types.RasMessage, to: IpTransportAddress): Promise<H225Types.RasMessage> {
    return this.channel.request(message, to, { timeout: 1000, retries: 1 });
  }

  /** A fresh requestSeqNum for {@link request}. */
  nextSeq(): number {
    this.seq = this.seq >= 65535 ? 1 : this.seq + 1;
    return this.seq;
  }

  /** Closes the socket. Safe to call twice. */
  async close(): Promise<void> {
    await this.channel.close();
  }

  private onRequest(incoming: RasIncoming): void {
    const record: ReceivedRas = { message: incoming.message, bytes: incoming.bytes, from: incoming.from };
    this.received.push(record);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(record)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    }
    if (this.silent) return;
    const answer = this.answer(incoming.message);
    if (answer) this.channel.send(answer, incoming.from);
  }

  private answer(message: H225Types.RasMessage): H225Types.RasMessage | undefined {
    const gatekeeperIdentifier = this.options.gatekeeperIdentifier ?? 'TestGK';
    const ttl = this.options.timeToLive === undefined ? 60 : this.options.timeToLive;
    switch (message.tag) {
      case 'gatekeeperRequest':
        return {
          tag: 'gatekeeperConfirm',
          value: {
            requestSeqNum: message.value.requestSeqNum,
            protocolIdentifier: H225_PROTOCOL_IDENTIFIER,
            gatekeeperIdentifier,
            rasAddress: toTransportAddress(this.address),
          },
        };
      case 'registrationRequest': {
        const rrq = message.value;
        const seq = rrq.requestSeqNum;
        let registration: Registration | undefined;
        if (rrq.keepAlive === true) {
          if (this.rejectKeepAlive) return rrj(seq, this.rejectKeepAlive);
          registration = rrq.endpointIdentifier === undefined ? undefined : this.registrations.get(rrq.endpointIdentifier);
          if (!registration) return rrj(seq, 'fullRegistrationRequired');
        } else {
          const csa = rrq.callSignalAddress[0] && fromTransportAddress(rrq.callSignalAddress[0]);
          registration = [...this.registrations.values()].find((r) => csa && r.callSignalAddress?.address === csa.address && r.callSignalAddress.port === csa.port);
          if (!registration) {
            registration = { endpointIdentifier: `${this.nextId++}_endp`, callSignalAddress: csa, rasAddress: rrq.rasAddress[0] && fromTransportAddress(rrq.rasAddress[0]), aliases: [] };
            this.registrations.set(registration.endpointIdentifier, registration);
          }
          registration.aliases = rrq.terminalAlias ?? [];
        }
        return {
          tag: 'registrationConfirm',
          value: {
            requestSeqNum: seq,
            protocolIdentifier: H225_PROTOCOL_IDENTIFIER,
            callSignalAddress: [],
            ...(registration.aliases.length > 0 ? { terminalAlias: registration.aliases } : {}),
            gatekeeperIdentifier,
            endpointIdentifier: registration.endpointIdentifier,
            ...(ttl !== null ? { timeToLive: ttl } : {}),
            willRespondToIRR: false,
            maintainConnection: false,
          },
        };
      }
      case 'unregistrationRequest': {
        const id = message.value.endpointIdentifier;
        if (id === undefined || !this.registrations.delete(id)) {
          return { tag: 'unregistrationReject', value: { requestSeqNum: message.value.requestSeqNum, rejectReason: { tag: 'notCurrentlyRegistered', value: null } } };
        }
        return { tag: 'unregistrationConfirm', value: { requestSeqNum: message.value.requestSeqNum } };
      }
      case 'admissionRequest': {
        const arq = message.value;
        const registered = this.registrations.get(arq.endpointIdentifier);
        const reason = registered ? this.options.admissionReject : 'callerNotRegistered';
        if (reason) return { tag: 'admissionReject', value: { requestSeqNum: arq.requestSeqNum, rejectReason: { tag: reason, value: null } as H225Types.AdmissionRejectReason } };
        return {
          tag: 'admissionConfirm',
          value: {
            requestSeqNum: arq.requestSeqNum,
            bandWidth: arq.bandWidth,
            callModel: { tag: 'direct', value: null },
            destCallSignalAddress: arq.destCallSignalAddress ?? toTransportAddress(registered?.callSignalAddress ?? this.address),
            irrFrequency: 120,
            willRespondToIRR: false,
          },
        };
      }
      case 'disengageRequest':
        return { tag: 'disengageConfirm', value: { requestSeqNum: message.value.requestSeqNum } };
      case 'bandwidthRequest':
        return { tag: 'bandwidthConfirm', value: { requestSeqNum: message.value.requestSeqNum, bandWidth: message.value.bandWidth } };
      default:
        return undefined;
    }
  }
}

function rrj(seq: number, reason: 'fullRegistrationRequired' | 'discoveryRequired'): H225Types.RasMessage {
  return {
    tag: 'registrationReject',
    value: { requestSeqNum: seq, protocolIdentifier: H225_PROTOCOL_IDENTIFIER, rejectReason: { tag: reason, value: null } },
  };
}
