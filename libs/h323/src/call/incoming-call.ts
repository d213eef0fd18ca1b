import type { H225Types } from '../asn1/generated';
import { Q931MessageType } from '../q931/message-type';
import type { CallConnection, CallSettings } from './call-context';
import { buildAnswer } from './call-messages';
import { H323CallState } from './call-state';
import { endpointType } from './endpoint-identity';
import { answerFastConnect } from './fast-connect';
import { bodyOf, H225_PROTOCOL_IDENTIFIER, type H225Message, type H225MessageBody } from './h225-message';
import { H323Call } from './h323-call';
import type { H323LocalMedia } from './media-channel';
import type { VideoCodecName } from '../h245/video-capabilities';
import type { H323ReleaseReason } from './release-reason';
import { ipTransportAddress, setupInfoOf, type H323SetupInfo } from './setup-info';

/** How the owner answers an incoming call. */
export interface H323AcceptOptions {
  /** Where we receive RTP for this call (RTCP on rtpPort + 1). */
  readonly localMedia: H323LocalMedia;
  /** Send Alerting before Connect (default false). */
  readonly alerting?: boolean;
  /** Display name in our Connect (default: the endpoint's). */
  readonly displayName?: string;
  /**
   * Video codecs to accept in the caller's Fast Connect proposals (H.323 §8.1.7.1; needs `localMedia.videoRtpPort`);
   * default none: video then goes through H.245 only.
   */
  readonly fastStartVideo?: readonly VideoCodecName[];
}

/**
 * The called side of a call (H.225.0 §7.3, H.323 §8.1): Setup received → CallProceeding at once → (Alerting) →
 * Connect when the owner accepts, or ReleaseComplete when it rejects. Fast Connect proposals are answered in
 * Connect (H.323 §8.1.7.1); H.245 is tunnelled when the caller offered it (H.323 §8.2.1), else it runs on a
 * separate connection — to the caller's h245Address, or to ours announced in Connect (H.323 §8.2).
 */
export class IncomingCall extends H323Call {
  /** What the Setup said, for the owner's decision. */
  readonly setup: H323SetupInfo;
  private readonly setupUuie: H225Types.Setup_UUIE;
  private readonly parallelH245: readonly Buffer[];
  private answering = false;

  /**
   * @param message the Setup (its body must be `setup`)
   * @throws TypeError when the message body is not a Setup-UUIE (the connection checks first)
   */
  constructor(message: H225Message, connection: CallConnection, settings: CallSettings) {
    const body = bodyOf(message);
    if (body?.tag !== 'setup') throw new TypeError('IncomingCall needs a Setup');
    const pdu = message.userInformation!['h323-uu-pdu'];
    super(
      'incoming',
      message.q931.callReference.value,
      body.value.conferenceID,
      body.value.callIdentifier?.guid ?? body.value.conferenceID,
      connection,
      settings,
    );
    this.setupUuie = body.value;
    this.setup = setupInfoOf(body.value, pdu, message.q931.informationElements, connection.remote);
    this.tunnelling = this.setup.h245Tunnelling && settings.acceptTunnelling && this.h245.available;
    this.parallelH245 = this.tunnelling ? (body.value.parallelH245Control ?? []) : [];
    this.transition(H323CallState.CallPresent);
  }

  /** Sends CallProceeding (H.225.0 §7.3.2) and starts the answer timer; called by the endpoint after Setup. */
  proceed(): void {
    this.sendAnswer(Q931MessageType.CallProceeding, { tag: 'callProceeding', value: this.answerUuie() }, []);
    this.transition(H323CallState.IncomingCallProceeding);
    this.startTimer('answer');
  }

  /**
   * Accepts the call: (Alerting) then Connect with the Fast Connect answer and the H.245 arrangement. Media
   * channels opened by Fast Connect are announced (`media`) right after Connect is sent.
   * @throws Error when the call is not waiting for an answer; RangeError when localMedia is not IPv4
   */
  async accept(options: H323AcceptOptions): Promise<void> {
    if (!this.waitingForAnswer || this.answering) {
      throw new Error(`call ${this.label} cannot be accepted in state ${this.state}`);
    }
    ipTransportAddress({ address: options.localMedia.address, port: options.localMedia.rtpPort + 1 }); // RangeError early
    this.answering = true;
    this.localMedia = options.localMedia;
    const display = options.displayName ?? this.settings.displayName;
    const fast = this.setupUuie.fastStart?.length
      ? answerFastConnect(this.setupUuie.fastStart, this.settings.codecs, options.localMedia, options.fastStartVideo)
      : undefined;
    this.fastStartVideo.push(...(fast?.videoChannels ?? []));
    if (fast?.undecodable) this.log('warn', { count: fast.undecodable }, 'fastStart proposals that do not decode were ignored');
    let h245Address: H225Types.TransportAddress | undefined;
    if (!this.tunnelling && this.h245.available) {
      if (this.setup.h245Address) {
        this.h245.connect(this.setup.h245Address);
      } else {
        try {
          h245Address = ipTransportAddress(await this.h245.listen(this.connection.localAddress.address));
        } catch (error) {
          this.log('error', { error: (error as Error).message }, 'cannot open the H.245 listener');
          this.release('resourceUnavailable', 'local');
          return;
        }
        if (!this.waitingForAnswer) return; // released while listening
      }
    }
    this.stopTimer('answer');
    if (options.alerting && this.state === H323CallState.IncomingCallProceeding) this.alert(display);
    const connect: H225Types.Connect_UUIE = {
      ...this.answerUuie(),
      conferenceID: this.conferenceId,
      ...(h245Address ? { h245Address } : {}),
      ...(fast ? { fastStart: fast.fastStart } : this.setupUuie.fastStart?.length ? { fastConnectRefused: null } : {}),
    };
    // Tunnelled H.245 of the caller (parallelH245Control) is answered inside Connect, like H323Plus does.
    const h245Control = this.tunnelling
      ? this.h245.collect(() => {
          this.h245.receiveTunnelled(this.parallelH245);
          this.h245.start('tunnelled', options.localMedia, fast?.channels ?? [], this.fastStartVideo);
        })
      : [];
    this.sendAnswer(Q931MessageType.Connect, { tag: 'connect', value: connect }, h245Control, display);
    this.transition(H323CallState.Active);
    if (!this.tunnelling && this.h245.hasChannel) this.h245.start('separate', options.localMedia, fast?.channels ?? [], this.fastStartVideo);
    this.fire('connected');
    for (const opened of fast?.channels ?? []) this.addFastStartChannel(opened);
    for (const opened of this.fastStartVideo) this.addVideo(opened.channel);
  }

  /**
   * Sends Alerting (H.225.0 §7.3.1; state U7) — the owner may alert before it accepts. The answer timer keeps
   * running. No-op unless the call is in IncomingCallProceeding.
   * @param displayName Display element; default the endpoint's display name
   */
  alert(displayName?: string): void {
    if (this.state !== H323CallState.IncomingCallProceeding) return;
    const display = displayName ?? this.settings.displayName;
    this.sendAnswer(Q931MessageType.Alerting, { tag: 'alerting', value: this.answerUuie() }, [], display);
    this.transition(H323CallState.CallReceived);
  }

  private get waitingForAnswer(): boolean {
    return this.state === H323CallState.IncomingCallProceeding || this.state === H323CallState.CallReceived;
  }

  /**
   * Refuses the call with ReleaseComplete: 'unknownDestination' → unreachableDestination / cause 1,
   * 'busy' or 'rejected' → destinationRejection / cause 21, … (./release-reason.ts). No-op once released.
   */
  reject(reason: H323ReleaseReason): void {
    this.release(reason, 'local');
  }

  protected dispatchSpecific(message: H225Message): boolean {
    const type = message.q931.messageType;
    if (type === Q931MessageType.Setup) {
      this.log('warn', {}, 'second Setup for an existing call reference ignored (Q.931 §5.8.3.2)');
      return true;
    }
    return false;
  }

  private answerUuie(): H225Types.CallProceeding_UUIE & H225Types.Alerting_UUIE {
    return {
      protocolIdentifier: H225_PROTOCOL_IDENTIFIER,
      destinationInfo: endpointType(this.settings.identity),
      callIdentifier: { guid: this.callIdentifier },
      multipleCalls: false,
      maintainConnection: false,
    };
  }

  private sendAnswer(
    type: typeof Q931MessageType.CallProceeding | typeof Q931MessageType.Alerting | typeof Q931MessageType.Connect,
    body: H225MessageBody,
    h245Control: Buffer[],
    display?: string,
  ): void {
    this.connection.send(
      buildAnswer(type, this.ownCallReference, body, {
        h245Tunnelling: this.tunnelling,
        h245Control,
        ...(display ? { display } : {}),
      }),
    );
  }
}
