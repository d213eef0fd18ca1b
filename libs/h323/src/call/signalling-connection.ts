import type { Socket } from 'node:net';
import { buildCause } from '../q931/cause';
import { element, InformationElementId } from '../q931/information-element';
import { messageTypeName, Q931MessageType } from '../q931/message-type';
import { Q931Cause, Q931Error } from '../q931/q931-error';
import { parseQ931, type CallReference } from '../q931/q931-message';
import { encodeTpkt, TpktReassembler } from '../tpkt/tpkt';
import { TpktError } from '../tpkt/tpkt-error';
import type { CallConnection, CallSettings } from './call-context';
import { bodyOf, buildH225, H225_PROTOCOL_IDENTIFIER, parseH225, type H225Message } from './h225-message';
import type { H323Call } from './h323-call';
import type { H323TransportAddress } from './media-channel';

/** What a connection asks of its endpoint. */
export interface SignallingConnectionHost {
  readonly settings: CallSettings;
  /** A valid Setup for a new call reference arrived (incoming connections). */
  onSetup(connection: SignallingConnection, message: H225Message): void;
  /** The connection closed; the endpoint forgets it. */
  onClosed(connection: SignallingConnection): void;
}

/**
 * One H.225.0 call signalling TCP connection (H.225.0 §7, H.323 §8.1): TPKT reassembly, Q.931/H.225.0 parsing,
 * routing by call reference to its {@link H323Call}s, and the answers to messages no call can take
 * (Q.931 §5.8.3.2 unknown call reference → ReleaseComplete cause 81; a Setup whose PDU does not decode →
 * ReleaseComplete cause 100). A framing error (bad TPKT) releases every call with cause 95 and closes the
 * connection. The connection closes itself when its last call is released.
 */
export class SignallingConnection implements CallConnection {
  readonly remote: H323TransportAddress;
  readonly localAddress: H323TransportAddress;
  private readonly reassembler: TpktReassembler;
  private readonly calls = new Map<string, H323Call>();
  private closed = false;
  private everHadCall = false;
  private ended = false;

  private firstSetupTimer: unknown;

  /**
   * @param incoming accepted by our listener: closed unless a Setup arrives within the `firstSetup` timer
   */
  constructor(
    private readonly socket: Socket,
    private readonly host: SignallingConnectionHost,
    incoming: boolean,
  ) {
    this.remote = { address: stripV4Mapped(socket.remoteAddress ?? '0.0.0.0'), port: socket.remotePort ?? 0 };
    this.localAddress = { address: stripV4Mapped(socket.localAddress ?? '0.0.0.0'), port: socket.localPort ?? 0 };
    this.reassembler = new TpktReassembler();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.onSocketClosed(error));
    socket.on('close', () => this.onSocketClosed());
    if (incoming) {
      const { clock, timers } = host.settings;
      this.firstSetupTimer = clock.setTimeout(() => {
        this.firstSetupTimer = undefined;
        if (this.everHadCall) return;
        this.log('warn', {}, 'no Setup on a new signalling connection; closing');
        this.close();
      }, timers.firstSetup);
    }
  }

  /** Calls on this connection. */
  get callCount(): number {
    return this.calls.size;
  }

  /** Adds a call we place or accept; keyed by call reference and which side allocated it (Q.931 §4.3). */
  attach(call: H323Call): void {
    this.calls.set(key(call.callReference, call.direction === 'outgoing'), call);
    this.everHadCall = true;
    this.stopFirstSetupTimer();
  }

  send(q931: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(encodeTpkt(q931));
  }

  detach(callReference: number): void {
    for (const [k, call] of this.calls) if (call.callReference === callReference && call.state === 'released') this.calls.delete(k);
    if (this.calls.size === 0 && this.everHadCall) this.close();
  }

  /** Ends the connection after pending writes (calls are expected to be released). Safe to call twice. */
  close(): void {
    this.stopFirstSetupTimer();
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    this.socket.destroySoon();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let payloads: Buffer[];
    try {
      payloads = this.reassembler.push(chunk);
    } catch (error) {
      if (!(error instanceof TpktError)) throw error;
      this.log('warn', { error: error.message, offset: error.offset }, 'bad TPKT; releasing the calls and closing');
      for (const call of [...this.calls.values()]) call.hangUp('invalidMessage');
      this.close();
      return;
    }
    for (const payload of payloads) {
      if (this.closed) return;
      try {
        this.onMessage(payload);
      } catch (error) {
        // A defect, not bad input (bad input is answered above): log it and end this connection's calls.
        this.log('warn', { error: (error as Error).message }, 'internal error while handling a message; closing');
        for (const call of [...this.calls.values()]) call.hangUp('invalidMessage');
        this.close();
      }
    }
  }

  private onMessage(payload: Buffer): void {
    let message: H225Message;
    try {
      message = parseH225(payload);
    } catch (error) {
      if (!(error instanceof Q931Error)) throw error;
      this.onUnparseable(payload, error);
      return;
    }
    const { callReference } = message.q931;
    const call = this.calls.get(key(callReference.value, callReference.fromDestination));
    if (call) {
      call.handle(message);
      return;
    }
    this.onUnknownCallReference(message);
  }

  /** Q.931 §5.8.1/§5.8.6: the header parsed but the content did not, or nothing parsed at all. */
  private onUnparseable(payload: Buffer, error: Q931Error): void {
    let header: ReturnType<typeof parseQ931> | undefined;
    try {
      header = parseQ931(payload);
    } catch (headerError) {
      if (!(headerError instanceof Q931Error)) throw headerError;
    }
    if (!header || header.callReference.length !== 2) {
      this.log('warn', { error: error.message, octets: payload.length }, 'unparseable Q.931 message ignored (Q.931 §5.8.1)');
      if (!this.everHadCall) this.close();
      return;
    }
    const { callReference, messageType } = header;
    const call = this.calls.get(key(callReference.value, callReference.fromDestination));
    this.log('warn', { error: error.message, type: messageTypeName(messageType), cause: error.causeValue }, 'bad H.225.0 message');
    if (call) {
      if (messageType === Q931MessageType.ReleaseComplete) call.connectionLost();
      else call.hangUp(error.causeValue === Q931Cause.InvalidIeContents ? 'invalidContents' : 'invalidMessage');
      return;
    }
    if (messageType !== Q931MessageType.ReleaseComplete) this.sendReleaseComplete(callReference, error.causeValue);
    if (!this.everHadCall) this.close();
  }

  private onUnknownCallReference(message: H225Message): void {
    const { callReference, messageType } = message.q931;
    if (messageType === Q931MessageType.Setup && !callReference.fromDestination) {
      const body = bodyOf(message);
      if (body?.tag !== 'setup' || callReference.length !== 2) {
        this.log('warn', { body: body?.tag }, 'Setup without a Setup-UUIE; ReleaseComplete cause 96');
        this.sendReleaseComplete(callReference, Q931Cause.MandatoryIeMissing);
        if (!this.everHadCall) this.close();
        return;
      }
      if (this.calls.size >= MAX_CALLS_PER_CONNECTION) {
        // H.225.0 multipleCalls: we announce false; a peer that still opens more calls is refused.
        this.log('warn', { calls: this.calls.size }, 'too many calls on one connection; ReleaseComplete cause 47');
        this.sendReleaseComplete(callReference, Q931Cause.ResourceUnavailable);
        return;
      }
      this.host.onSetup(this, message);
      return;
    }
    // Q.931 §5.8.3.2: ReleaseComplete and Status for an unknown call are ignored; anything else gets
    // ReleaseComplete with cause 81.
    this.log('info', { type: messageTypeName(messageType), callReference: callReference.value }, 'message for an unknown call reference');
    if (messageType !== Q931MessageType.ReleaseComplete && messageType !== Q931MessageType.Status) {
      this.sendReleaseComplete(callReference, Q931Cause.InvalidCallReference);
    }
  }

  private sendReleaseComplete(callReference: CallReference, causeValue: number): void {
    this.send(
      buildH225({
        messageType: Q931MessageType.ReleaseComplete,
        callReference: { ...callReference, fromDestination: !callReference.fromDestination },
        elements: [element(InformationElementId.Cause, buildCause(causeValue))],
        pdu: {
          'h323-message-body': {
            tag: 'releaseComplete',
            value: { protocolIdentifier: H225_PROTOCOL_IDENTIFIER, reason: { tag: 'undefinedReason', value: null } },
          },
        },
      }),
    );
  }

  private onSocketClosed(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    const wasClosed = this.closed;
    this.stopFirstSetupTimer();
    this.closed = true;
    if (error) this.log(wasClosed ? 'debug' : 'info', { error: error.message }, 'signalling connection error');
    for (const call of [...this.calls.values()]) call.connectionLost(error);
    this.calls.clear();
    if (!this.socket.destroyed) this.socket.destroy();
    this.host.onClosed(this);
  }

  private stopFirstSetupTimer(): void {
    if (this.firstSetupTimer === undefined) return;
    this.host.settings.clock.clearTimeout(this.firstSetupTimer);
    this.firstSetupTimer = undefined;
  }

  private log(level: 'debug' | 'info' | 'warn', obj: object, msg: string): void {
    this.host.settings.logger[level]({ peer: `${this.remote.address}:${this.remote.port}`, ...obj }, msg);
  }
}

/** Simultaneous calls accepted on one signalling connection (we announce multipleCalls false). */
export const MAX_CALLS_PER_CONNECTION = 4;

/** Calls are keyed by value and by who allocated the call reference: `fromDestination` in received messages
 * is set when the peer answers a call we originated. */
function key(value: number, ours: boolean): string {
  return `${ours ? 'o' : 'i'}:${value}`;
}

function stripV4Mapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
