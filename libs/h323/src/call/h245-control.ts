import type { CallLogger } from './call-logger';
import type { FastConnectChannel, FastConnectVideoChannel } from './fast-connect';
import { H245Channel } from './h245-channel';
import type { H245Port, H245PortEvents, H245PortFactory } from './h245-port';
import type { H323LocalMedia, H323TransportAddress } from './media-channel';

/** Where the H.245 PDUs of a call travel (H.323 §8.2). */
export type H245Transport = 'tunnelled' | 'separate';

/** What {@link H245Control} needs from its call. */
export interface H245ControlHost {
  readonly label: string;
  readonly logger: CallLogger;
  /** Sends tunnelled PDUs in an H.225.0 message (a Facility with the empty body when none is pending). */
  sendTunnelled(pdus: Buffer[]): void;
  /** Events for the owner, minus `send`. */
  readonly events: Omit<H245PortEvents, 'send'>;
  /** A separate H.245 connection is being set up (listening or connecting). */
  onTransportPending(): void;
  /** The separate H.245 connection is up. */
  onTransportConnected(): void;
  /** The separate H.245 connection failed or closed before the call ended. */
  onTransportClosed(error?: Error): void;
}

/**
 * The H.245 control channel of one call: the H.245 session ({@link H245Port}) and how its PDUs travel —
 * tunnelled in H.225.0 messages (H.323 §8.2.1) or on a separate TCP connection (H.323 §8.2). PDUs the session
 * emits while {@link batch} runs are collected and sent together (one Facility, or attached to the H.225.0
 * message being built), as deployed endpoints do.
 */
export class H245Control {
  private port: H245Port | undefined;
  private channel: H245Channel | undefined;
  private transport: H245Transport | undefined;
  private readonly pendingIn: Buffer[] = [];
  private batchDepth = 0;
  private batched: Buffer[] = [];
  private closed = false;

  constructor(
    private readonly host: H245ControlHost,
    private readonly factory: H245PortFactory | undefined,
  ) {}

  /** Whether an H.245 session exists. */
  get started(): boolean {
    return this.port !== undefined;
  }

  /** The transport in use, once chosen. */
  get transportKind(): H245Transport | undefined {
    return this.transport;
  }

  /** Whether H.245 can run at all (a session factory was configured). */
  get available(): boolean {
    return this.factory !== undefined;
  }

  /** Tunnelled PDUs from the peer (h245Control, parallelH245Control); kept until the session exists. */
  receiveTunnelled(pdus: readonly Buffer[]): void {
    if (this.closed || pdus.length === 0) return;
    if (!this.port) {
      this.pendingIn.push(...pdus);
      return;
    }
    this.batch(() => {
      for (const pdu of pdus) this.port?.receive(pdu);
    });
  }

  /**
   * Creates the session on the given transport and starts it (TCS, MSD). PDUs received before are fed first.
   * For 'separate', call {@link listen} or {@link connect} first.
   */
  start(
    transport: H245Transport,
    localMedia: H323LocalMedia,
    fastStartChannels: readonly FastConnectChannel[],
    fastStartVideoChannels: readonly FastConnectVideoChannel[] = [],
  ): void {
    if (this.closed || this.port || !this.factory) return;
    this.transport = transport;
    const events: H245PortEvents = { ...this.host.events, send: (pdu) => this.send(pdu) };
    this.port = this.factory({ localMedia, fastStartChannels, fastStartVideoChannels, label: this.host.label, events });
    this.batch(() => {
      for (const pdu of this.pendingIn.splice(0)) this.port?.receive(pdu);
      this.port?.start();
    });
  }

  /** Opens our H.245 listener (H.323 §8.2, we announce h245Address). */
  async listen(host: string): Promise<H323TransportAddress> {
    this.transport = 'separate';
    this.channel = this.newChannel();
    this.host.onTransportPending();
    return this.channel.listen(host);
  }

  /** Connects to the peer's h245Address. */
  connect(address: H323TransportAddress): void {
    this.transport = 'separate';
    this.channel = this.newChannel();
    this.host.onTransportPending();
    this.channel.connect(address);
  }

  /** Whether a separate channel was opened or asked for. */
  get hasChannel(): boolean {
    return this.channel !== undefined;
  }

  /**
   * Runs `fn` and returns the PDUs the session emitted meanwhile (tunnelled transport), so the caller can attach
   * them to the message it is building. On the separate transport they are written at once and [] is returned.
   */
  collect(fn: () => void): Buffer[] {
    this.batchDepth += 1;
    try {
      fn();
    } finally {
      this.batchDepth -= 1;
    }
    if (this.batchDepth > 0) return [];
    return this.batched.splice(0);
  }

  /** Sends user input (DTMF) on the session, if it runs; returns whether it did. */
  sendUserInput(digit: string): boolean {
    if (this.closed || !this.port) return false;
    this.batch(() => this.port?.sendUserInput(digit));
    return true;
  }

  /** Asks the peer for an intra picture on its video channel (videoFastUpdatePicture); whether one was sent. */
  requestVideoFastUpdate(): boolean {
    if (this.closed || !this.port) return false;
    let sent = false;
    this.batch(() => {
      sent = this.port?.requestVideoFastUpdate() ?? false;
    });
    return sent;
  }

  /** Ends the session: EndSessionCommand (collected like {@link collect}); then {@link close}. */
  endSession(): Buffer[] {
    return this.collect(() => this.port?.endSession());
  }

  /** Stops the session and closes the separate connection. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port?.close();
    this.channel?.close();
    this.batched = [];
  }

  private batch(fn: () => void): void {
    const pdus = this.collect(fn);
    if (pdus.length > 0) this.host.sendTunnelled(pdus);
  }

  private send(pdu: Buffer): void {
    if (this.closed) return;
    if (this.transport === 'separate') {
      this.channel?.send(pdu);
    } else if (this.batchDepth > 0) {
      this.batched.push(pdu);
    } else {
      this.host.sendTunnelled([pdu]);
    }
  }

  private newChannel(): H245Channel {
    return new H245Channel({
      onPdu: (pdu) => {
        if (this.closed) return;
        if (!this.port) this.pendingIn.push(pdu);
        else this.port.receive(pdu);
      },
      onConnected: () => {
        this.host.logger.debug({ call: this.host.label }, 'H.245 connection up');
        if (!this.closed) this.host.onTransportConnected();
      },
      onClosed: (error) => {
        if (!this.closed) this.host.onTransportClosed(error);
      },
    });
  }
}
