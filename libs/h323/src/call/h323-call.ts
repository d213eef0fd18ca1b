import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { H225Types } from '../asn1/generated';
import { parseCause } from '../q931/cause';
import { findElement, InformationElementId } from '../q931/information-element';
import { isKnownMessageType, messageTypeName, Q931MessageType } from '../q931/message-type';
import { Q931Cause, Q931Error } from '../q931/q931-error';
import type { CallReference } from '../q931/q931-message';
import { parseCallState } from '../q931/simple-elements';
import { Q931_CALL_STATE_VALUE, CallStateError, H323CallState, isAllowedTransition } from './call-state';
import type { CallConnection, CallSettings } from './call-context';
import { buildFacility, buildReleaseComplete, buildStatus, CAUSE_RESPONSE_TO_STATUS_ENQUIRY } from './call-messages';
import type { CallTimerHandle, CallTimers } from './call-timers';
import type { FastConnectChannel, FastConnectVideoChannel } from './fast-connect';
import { bodyOf, H225_PROTOCOL_IDENTIFIER, type H225Message } from './h225-message';
import { H245Control } from './h245-control';
import type { H323LocalMedia, H323MediaChannel, H323VideoChannel } from './media-channel';
import { RELEASE_ENCODING, releaseReasonFromWire, type H323ReleaseReason } from './release-reason';
import { transportAddressOf } from './setup-info';

/** How a call ended, for the `released` event. */
export interface H323ReleaseInfo {
  readonly reason: H323ReleaseReason;
  /** Q.850 cause sent or received, when known. */
  readonly causeValue?: number;
  /** 'local': we sent ReleaseComplete (or gave up); 'remote': the peer did or the connection dropped. */
  readonly by: 'local' | 'remote';
}

/** Events of an {@link H323Call}. Exceptions thrown by listeners are caught and logged. */
export interface H323CallEventMap {
  /** State machine moved (Q.931 §2.1.1 states). */
  state: [state: H323CallState];
  /** Outgoing: CallProceeding received. */
  proceeding: [];
  /** Outgoing: Alerting received. */
  alerting: [];
  /** Connect sent (incoming) or received (outgoing). */
  connected: [];
  /** An audio channel opened (Fast Connect or H.245). */
  media: [channel: H323MediaChannel];
  /** An audio channel closed by H.245. */
  mediaClosed: [channelNumber: number, direction: 'send' | 'receive'];
  /** DTMF/user input (H.245 UserInputIndication, or a Keypad facility element). */
  userInput: [input: string];
  /** A video channel opened (H.245, session 2). */
  video: [channel: H323VideoChannel];
  /** A video channel closed by H.245. */
  videoClosed: [channelNumber: number, direction: 'send' | 'receive'];
  /** H.245 videoFastUpdatePicture (or GOB/MB) from the peer for our video channel `channelNumber`. */
  videoFastUpdate: [channelNumber: number];
  /** Final: ReleaseComplete sent or received, or the connection was lost. */
  released: [info: H323ReleaseInfo];
}

/** Timer names of a call (see ./call-timers.ts). */
type CallTimerName = keyof CallTimers;

/**
 * One H.323 call on a signalling connection (H.225.0 §7.3–§7.4; Q.931 §5 as profiled by H.225.0), as an explicit
 * state machine ({@link H323CallState}); the incoming and outgoing procedures live in ./incoming-call.ts and
 * ./outgoing-call.ts. Owns its timers, its H.245 control channel and its media description; {@link dispose}
 * (via release) is safe to call twice.
 */
export abstract class H323Call extends EventEmitter<H323CallEventMap> {
  private currentState = H323CallState.Null;
  private readonly timers = new Map<CallTimerName, CallTimerHandle>();
  /** H.245 of the call, tunnelled or separate. */
  protected readonly h245: H245Control;
  /** Whether both sides agreed to tunnel H.245 (H.323 §8.2.1). */
  protected tunnelling = false;
  /** Channels opened so far (owner's view). */
  private readonly channels: H323MediaChannel[] = [];
  private readonly videoList: H323VideoChannel[] = [];
  /** Channels opened by Fast Connect, with their OLCs (handed to H.245 to adopt). */
  protected readonly fastStartChannels: FastConnectChannel[] = [];
  /** Video channels opened by Fast Connect, likewise. */
  protected readonly fastStartVideo: FastConnectVideoChannel[] = [];
  /** Where we receive RTP, once known. */
  protected localMedia: H323LocalMedia | undefined;

  protected constructor(
    readonly direction: 'incoming' | 'outgoing',
    readonly callReference: number,
    /** conferenceID (GUID, 16 octets). */
    readonly conferenceId: Buffer,
    /** callIdentifier (GUID, 16 octets). */
    readonly callIdentifier: Buffer,
    protected readonly connection: CallConnection,
    protected readonly settings: CallSettings,
  ) {
    super();
    this.h245 = new H245Control(
      {
        label: this.label,
        logger: settings.logger,
        sendTunnelled: (pdus) => this.sendTunnelledH245(pdus),
        events: {
          media: (channel) => this.addMedia(channel),
          mediaClosed: (number, dir) => this.fire('mediaClosed', number, dir),
          userInput: (input) => this.fire('userInput', input),
          video: (channel) => this.addVideo(channel),
          videoClosed: (number, dir) => this.fire('videoClosed', number, dir),
          videoFastUpdate: (number) => this.fire('videoFastUpdate', number),
          // H.323 §8.5: EndSessionCommand from the peer ends the call; answer with ours and ReleaseComplete.
          endSession: () => this.release('normal', 'remote'),
          failed: (reason) => {
            this.log('warn', { reason }, 'H.245 failed; releasing the call');
            this.release('noCommonCapability', 'local');
          },
        },
        // Without Fast Connect media the call cannot work without H.245; with it, callers that never open the
        // H.245 connection (Fast Connect only, as in the faststart-alerting capture) keep their call.
        onTransportPending: () =>
          this.startTimer('h245Connect', () => {
            if (this.fastStartChannels.length === 0) this.release('timeout', 'local');
            else this.log('info', {}, 'no H.245 connection; the call continues with its Fast Connect media');
          }),
        onTransportConnected: () => this.stopTimer('h245Connect'),
        onTransportClosed: (error) => {
          if (this.state === H323CallState.Released) return;
          this.log('info', { error: error?.message }, 'H.245 connection closed; releasing the call');
          this.release('normal', 'local');
        },
      },
      settings.h245,
    );
  }

  /** Current state. */
  get state(): H323CallState {
    return this.currentState;
  }

  /** The audio channels open so far. */
  get mediaChannels(): readonly H323MediaChannel[] {
    return this.channels;
  }

  /** The video channels opened so far (closed ones included). */
  get videoChannels(): readonly H323VideoChannel[] {
    return this.videoList;
  }

  /** Label for log lines: call reference and peer. */
  get label(): string {
    return `${this.direction === 'incoming' ? 'in' : 'out'}:${this.callReference}@${this.connection.remote.address}:${this.connection.remote.port}`;
  }

  /** The H.245 transport in use, if any. */
  get h245Transport(): 'tunnelled' | 'separate' | undefined {
    return this.h245.transportKind;
  }

  /**
   * Ends the call with ReleaseComplete (H.225.0 §7.3.9, H.323 §8.5): EndSessionCommand first when H.245 runs
   * (tunnelled in the ReleaseComplete itself), then ReleaseComplete with the reason and Q.931 cause. No-op once
   * released.
   * @param reason the neutral reason, mapped by ./release-reason.ts
   */
  hangUp(reason: H323ReleaseReason = 'normal'): void {
    this.release(reason, 'local');
  }

  /**
   * Sends one DTMF digit ('0'–'9', '*', '#', 'A'–'D') or '!' (hook flash) as an H.245 UserInputIndication
   * (H.245 §6.2.11). Returns false when no H.245 session runs (yet) or the call is released.
   */
  sendUserInput(digit: string): boolean {
    if (this.state === H323CallState.Released) return false;
    return this.h245.sendUserInput(digit);
  }

  /**
   * Asks the peer for an intra picture (H.245 MiscellaneousCommand videoFastUpdatePicture, H.245 §6.2.16) on the
   * video channel it transmits on. False when no H.245 session runs, no such channel is open or the call is released.
   */
  requestVideoFastUpdate(): boolean {
    if (this.state === H323CallState.Released) return false;
    return this.h245.requestVideoFastUpdate();
  }

  /** The call reference as this side writes it (flag set on the called side, Q.931 §4.3). */
  protected get ownCallReference(): CallReference {
    return { value: this.callReference, fromDestination: this.direction === 'incoming', length: 2 };
  }

  /** Handles one message for this call (the connection routes by call reference). Never throws. */
  handle(message: H225Message): void {
    if (this.state === H323CallState.Released) return;
    try {
      this.dispatch(message);
    } catch (error) {
      this.log('error', { error: (error as Error).message }, 'error while handling a message; releasing the call');
      this.release(error instanceof Q931Error ? 'invalidContents' : 'normal', 'local');
    }
  }

  /** The TCP connection dropped: released without sending anything. */
  connectionLost(error?: Error): void {
    if (this.state === H323CallState.Released) return;
    this.log('info', { error: error?.message }, 'signalling connection lost');
    this.release('normal', 'remote', false);
  }

  /** Message handling specific to the direction; return false when the message type is not handled there. */
  protected abstract dispatchSpecific(message: H225Message): boolean;

  private dispatch(message: H225Message): void {
    const type = message.q931.messageType;
    const pdu = message.userInformation?.['h323-uu-pdu'];
    if (!pdu) {
      // H.225.0 §7.3: every message carries the User-user element; Q.931 §5.8.7.1 mandatory element missing.
      if (type === Q931MessageType.ReleaseComplete) {
        this.releaseFromRemote(message);
        return;
      }
      this.log('warn', { type: messageTypeName(type) }, 'message without User-user; answering Status cause 96');
      this.sendStatus(Q931Cause.MandatoryIeMissing);
      return;
    }
    if (this.dispatchSpecific(message)) return;
    switch (type) {
      case Q931MessageType.ReleaseComplete:
        this.releaseFromRemote(message);
        return;
      case Q931MessageType.StatusEnquiry:
        this.takeTunnelled(pdu);
        this.sendStatus(CAUSE_RESPONSE_TO_STATUS_ENQUIRY);
        return;
      case Q931MessageType.Status:
        this.onStatus(message);
        return;
      case Q931MessageType.Facility:
        this.onFacility(message);
        return;
      case Q931MessageType.Information:
        this.onInformation(message);
        return;
      case Q931MessageType.Notify:
      case Q931MessageType.Progress:
        this.log('debug', { type: messageTypeName(type) }, 'received');
        this.takeTunnelled(pdu);
        return;
      default:
        // Q.931 §5.8.4: a message type we do not know → Status cause 97; one not expected in this state → 98.
        this.log('warn', { type: messageTypeName(type), state: this.state }, 'unexpected message; answering Status');
        this.sendStatus(isKnownMessageType(type) ? Q931Cause.MessageNotCompatibleWithCallState : Q931Cause.MessageTypeNonExistent);
    }
  }

  /**
   * Tunnelled H.245 (h245Control) of any message, once tunnelling is agreed (H.323 §8.2.1); kept until the session
   * starts. Ignored with a log line on a call that does not tunnel.
   */
  protected takeTunnelled(pdu: H225Types.H323_UU_PDU): void {
    if (!pdu.h245Control || pdu.h245Control.length === 0) return;
    if (this.tunnelling) this.h245.receiveTunnelled(pdu.h245Control);
    else this.log('warn', { count: pdu.h245Control.length }, 'h245Control on a call without tunnelling; ignored');
  }

  private onStatus(message: H225Message): void {
    const stateElement = findElement(message.q931.informationElements, InformationElementId.CallState);
    const causeElement = findElement(message.q931.informationElements, InformationElementId.Cause);
    let remoteState: number | undefined;
    let cause: number | undefined;
    try {
      remoteState = stateElement ? parseCallState(stateElement.contents) : undefined;
      cause = causeElement ? parseCause(causeElement.contents).value : undefined;
    } catch (error) {
      if (!(error instanceof Q931Error)) throw error;
    }
    this.log('info', { remoteState, cause }, 'Status received');
    // Q.931 §5.8.11: a Status reporting the Null state means the peer has no such call.
    if (remoteState === 0) this.release('normal', 'remote', false);
  }

  private onFacility(message: H225Message): void {
    const pdu = message.userInformation!['h323-uu-pdu'];
    this.takeTunnelled(pdu);
    const body = bodyOf(message);
    if (body?.tag !== 'facility') return;
    const reason = body.value.reason.tag;
    const h245Address = transportAddressOf(body.value.h245Address);
    if (reason === 'startH245' && h245Address && this.h245.available && !this.h245.started && this.localMedia) {
      // H.323 §8.2: the peer asks us to open the H.245 connection to its address.
      this.h245.connect(h245Address);
      this.h245.start('separate', this.localMedia, this.fastStartChannels, this.fastStartVideo);
      return;
    }
    this.log('debug', { reason }, 'Facility received');
  }

  private onInformation(message: H225Message): void {
    this.takeTunnelled(message.userInformation!['h323-uu-pdu']);
    const keypad = findElement(message.q931.informationElements, InformationElementId.KeypadFacility);
    if (keypad) {
      for (const digit of keypad.contents.toString('latin1')) if (/^[0-9*#A-D]$/.test(digit)) this.fire('userInput', digit);
    }
  }

  private releaseFromRemote(message: H225Message): void {
    const causeElement = findElement(message.q931.informationElements, InformationElementId.Cause);
    let causeValue: number | undefined;
    if (causeElement) {
      try {
        causeValue = parseCause(causeElement.contents).value;
      } catch (error) {
        if (!(error instanceof Q931Error)) throw error;
      }
    }
    const body = bodyOf(message);
    const reasonTag = body?.tag === 'releaseComplete' ? body.value.reason?.tag : undefined;
    // Tunnelled H.245 in a ReleaseComplete (EndSessionCommand) needs no processing: the session ends here.
    this.finish({ reason: releaseReasonFromWire(reasonTag, causeValue), ...(causeValue === undefined ? {} : { causeValue }), by: 'remote' });
  }

  /**
   * Sends ReleaseComplete (unless `send` is false) and finishes the call.
   * @param by who ended it, for the event
   */
  protected release(reason: H323ReleaseReason, by: 'local' | 'remote', send = true): void {
    if (this.state === H323CallState.Released) return;
    const encoding = RELEASE_ENCODING[reason];
    if (send) {
      // Tunnelled: the EndSessionCommand rides in the ReleaseComplete; separate: it is written on the H.245 connection.
      const h245Control = this.h245.endSession();
      this.connection.send(
        buildReleaseComplete(
          this.ownCallReference,
          { protocolIdentifier: H225_PROTOCOL_IDENTIFIER, reason: encoding.reason, callIdentifier: { guid: this.callIdentifier } },
          encoding.causeValue,
          { ...(this.tunnelling ? { h245Tunnelling: true } : {}), h245Control },
        ),
      );
    }
    this.finish({ reason, ...(send ? { causeValue: encoding.causeValue } : {}), by });
  }

  private finish(info: H323ReleaseInfo): void {
    if (this.state === H323CallState.Released) return;
    this.log('info', { reason: info.reason, cause: info.causeValue, by: info.by }, 'call released');
    this.dispose();
    this.currentState = H323CallState.Released;
    this.fire('state', H323CallState.Released);
    this.connection.detach(this.callReference);
    this.fire('released', info);
  }

  /** Stops timers and closes H.245. Safe to call twice. */
  protected dispose(): void {
    for (const handle of this.timers.values()) this.settings.clock.clearTimeout(handle);
    this.timers.clear();
    this.h245.close();
  }

  /**
   * Moves the state machine.
   * @throws CallStateError for a move the table does not allow (a programming error)
   */
  protected transition(to: H323CallState): void {
    if (!isAllowedTransition(this.currentState, to)) throw new CallStateError(this.currentState, to);
    this.currentState = to;
    this.fire('state', to);
  }

  /**
   * Starts (or restarts) a named timer; on expiry the call is released with `onExpiry` when it is a reason, or
   * `onExpiry` runs.
   */
  protected startTimer(name: CallTimerName, onExpiry: H323ReleaseReason | (() => void) = 'timeout'): void {
    this.stopTimer(name);
    const handle = this.settings.clock.setTimeout(() => {
      this.timers.delete(name);
      this.log('warn', { timer: name, state: this.state }, 'call timer expired');
      if (typeof onExpiry === 'function') onExpiry();
      else this.release(onExpiry, 'local');
    }, this.settings.timers[name]);
    this.timers.set(name, handle);
  }

  protected stopTimer(name: CallTimerName): void {
    const handle = this.timers.get(name);
    if (handle === undefined) return;
    this.settings.clock.clearTimeout(handle);
    this.timers.delete(name);
  }

  /** Status with our call state (Q.931 §5.8.10–§5.8.11). */
  protected sendStatus(causeValue: number): void {
    this.connection.send(buildStatus(this.ownCallReference, this.callIdentifier, causeValue, Q931_CALL_STATE_VALUE[this.state]));
  }

  /** Tunnelled H.245 the session emitted outside any message being built: a Facility with the empty body. */
  private sendTunnelledH245(pdus: Buffer[]): void {
    if (this.state === H323CallState.Released) return;
    this.connection.send(buildFacility(this.ownCallReference, undefined, { h245Tunnelling: true, h245Control: pdus }));
  }

  /** Records a Fast Connect channel and announces it. */
  protected addFastStartChannel(opened: FastConnectChannel): void {
    this.fastStartChannels.push(opened);
    this.addMedia(opened.channel);
  }

  /** Records and announces an open channel. */
  protected addMedia(channel: H323MediaChannel): void {
    this.channels.push(channel);
    this.fire('media', channel);
  }

  /** Records and announces an open video channel. */
  protected addVideo(channel: H323VideoChannel): void {
    this.videoList.push(channel);
    this.fire('video', channel);
  }

  /** Emits an event; a listener's exception is logged, never propagated into protocol handling. */
  protected fire<K extends keyof H323CallEventMap>(event: K, ...args: H323CallEventMap[K]): void {
    try {
      (this.emit as (e: K, ...a: H323CallEventMap[K]) => boolean)(event, ...args);
    } catch (error) {
      this.log('error', { event, error: (error as Error).message }, 'call event listener threw');
    }
  }

  protected log(level: 'debug' | 'info' | 'warn' | 'error', obj: object, msg: string): void {
    this.settings.logger[level]({ call: this.label, ...obj }, msg);
  }
}

/** A random GUID for conferenceID / callIdentifier (H.225.0 `GloballyUniqueID`, 16 octets). */
export function newGuid(): Buffer {
  return randomBytes(16);
}
