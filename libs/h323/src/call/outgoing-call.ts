import type { H225Types } from '../asn1/generated';
import { Q931MessageType } from '../q931/message-type';
import type { PartyNumber } from '../q931/party-number';
import type { CallConnection, CallSettings } from './call-context';
import { buildFacility, buildSetup } from './call-messages';
import { H323CallState } from './call-state';
import { endpointType } from './endpoint-identity';
import { proposeFastConnect, proposeFastConnectVideo, readFastConnectAnswer, readFastConnectVideoAnswer, type FastConnectChannel } from './fast-connect';
import type { VideoCapabilityDescription } from '../h245/video-capabilities';
import { bodyOf, H225_PROTOCOL_IDENTIFIER, type H225Message } from './h225-message';
import { H323Call, newGuid } from './h323-call';
import type { H323LocalMedia, H323TransportAddress } from './media-channel';
import { aliasAddressOf, ipTransportAddress, transportAddressOf, type H323Alias } from './setup-info';

/** How to place a call (H.225.0 §7.3.10 Setup). */
export interface H323CallOptions {
  /** Where we receive RTP (RTCP on rtpPort + 1). */
  readonly localMedia: H323LocalMedia;
  /** Propose Fast Connect (H.323 §8.1.7) in the Setup (default true). */
  readonly fastStart?: boolean;
  /** Offer H.245 tunnelling (H.323 §8.2.1) (default true). */
  readonly tunnelling?: boolean;
  /** destinationAddress aliases (room number as dialedDigits, room id as h323-ID …). */
  readonly destination?: readonly H323Alias[];
  /** Called party number element (Q.931 §4.5.8). */
  readonly calledPartyNumber?: PartyNumber;
  /** sourceAddress aliases; default an h323-ID of the display name. */
  readonly source?: readonly H323Alias[];
  /** Display element; default the endpoint's display name. */
  readonly displayName?: string;
  /**
   * Video to propose in Fast Connect (H.323 §8.1.7.1, on `localMedia.videoRtpPort`), preference order; default
   * none (video then goes through H.245).
   */
  readonly fastStartVideo?: readonly VideoCapabilityDescription[];
}

/**
 * The calling side (H.225.0 §7.3, H.323 §8.1): Setup → CallProceeding (T303 stopped, T310 started) →
 * Alerting (T301) → Connect. Fast Connect answers are taken from the first of CallProceeding, Alerting, Progress,
 * Facility or Connect that carries fastStart. H.245: tunnelled when the callee agreed; otherwise we connect to the
 * callee's h245Address, or — when it gave none — open our listener and send Facility(startH245) (H.323 §8.2).
 */
export class OutgoingCall extends H323Call {
  private fastStartAnswered = false;
  private offeredTunnelling: boolean;

  constructor(
    callReference: number,
    readonly target: H323TransportAddress,
    private readonly options: H323CallOptions,
    connection: CallConnection,
    settings: CallSettings,
  ) {
    super('outgoing', callReference, newGuid(), newGuid(), connection, settings);
    this.localMedia = options.localMedia;
    this.offeredTunnelling = (options.tunnelling ?? true) && this.h245.available;
  }

  /**
   * Sends the Setup and starts T303.
   * @throws RangeError when an address is not IPv4
   */
  start(): void {
    const display = this.options.displayName ?? this.settings.displayName;
    const source = this.options.source ?? (display ? [{ type: 'h323-ID', value: display } as const] : []);
    const uuie: H225Types.Setup_UUIE = {
      protocolIdentifier: H225_PROTOCOL_IDENTIFIER,
      ...(source.length ? { sourceAddress: source.map(aliasAddressOf) } : {}),
      sourceInfo: endpointType(this.settings.identity),
      ...(this.options.destination?.length ? { destinationAddress: this.options.destination.map(aliasAddressOf) } : {}),
      destCallSignalAddress: ipTransportAddress(this.target),
      activeMC: this.settings.identity.kind === 'mcu',
      conferenceID: this.conferenceId,
      conferenceGoal: { tag: 'create', value: null },
      callType: { tag: 'pointToPoint', value: null },
      sourceCallSignalAddress: ipTransportAddress(this.connection.localAddress),
      callIdentifier: { guid: this.callIdentifier },
      ...((this.options.fastStart ?? true)
        ? { fastStart: [...proposeFastConnect(this.settings.codecs, this.options.localMedia), ...proposeFastConnectVideo(this.options.fastStartVideo ?? [], this.options.localMedia)] }
        : {}),
      mediaWaitForConnect: false,
      canOverlapSend: false,
      multipleCalls: false,
      maintainConnection: false,
    };
    this.transition(H323CallState.CallInitiated);
    this.connection.send(
      buildSetup({
        callReference: this.ownCallReference,
        uuie,
        ...(display ? { display } : {}),
        ...(this.options.calledPartyNumber ? { calledPartyNumber: this.options.calledPartyNumber } : {}),
        h245Tunnelling: this.offeredTunnelling,
      }),
    );
    this.startTimer('T303');
  }

  protected dispatchSpecific(message: H225Message): boolean {
    const pdu = message.userInformation!['h323-uu-pdu'];
    const body = bodyOf(message);
    switch (message.q931.messageType) {
      case Q931MessageType.CallProceeding:
        if (this.state !== H323CallState.CallInitiated) return true;
        this.noteTunnelling(pdu);
        this.stopTimer('T303');
        this.transition(H323CallState.OutgoingCallProceeding);
        this.startTimer('T310');
        this.fire('proceeding');
        this.takeFastStart(body);
        this.takeTunnelled(pdu);
        this.connectEarlyH245(body);
        return true;
      case Q931MessageType.Alerting:
        if (this.state !== H323CallState.CallInitiated && this.state !== H323CallState.OutgoingCallProceeding) return true;
        this.noteTunnelling(pdu);
        this.stopTimer('T303');
        this.stopTimer('T310');
        this.transition(H323CallState.CallDelivered);
        this.startTimer('T301', 'noAnswer');
        this.fire('alerting');
        this.takeFastStart(body);
        this.takeTunnelled(pdu);
        this.connectEarlyH245(body);
        return true;
      case Q931MessageType.Connect:
        if (this.state === H323CallState.Active) return true;
        this.onConnect(message);
        return true;
      case Q931MessageType.Progress:
      case Q931MessageType.Facility:
        this.takeFastStart(body);
        return false;
      default:
        return false;
    }
  }

  private onConnect(message: H225Message): void {
    const pdu = message.userInformation!['h323-uu-pdu'];
    const body = bodyOf(message);
    this.noteTunnelling(pdu);
    this.stopTimer('T303');
    this.stopTimer('T310');
    this.stopTimer('T301');
    this.transition(H323CallState.Active);
    this.fire('connected');
    this.takeFastStart(body);
    const localMedia = this.options.localMedia;
    const fastMedia = this.fastStartChannels;
    if (this.tunnelling) {
      this.takeTunnelled(pdu);
      this.h245.start('tunnelled', localMedia, fastMedia, this.fastStartVideo);
      return;
    }
    if (!this.h245.available || this.h245.started) return;
    const h245Address = body?.tag === 'connect' ? transportAddressOf(body.value.h245Address) : undefined;
    if (h245Address) {
      this.h245.connect(h245Address);
      this.h245.start('separate', localMedia, fastMedia, this.fastStartVideo);
      return;
    }
    void this.offerH245Address(localMedia, fastMedia);
  }

  /** H.323 §8.2: neither tunnelling nor an h245Address — we listen and send Facility(startH245). */
  private async offerH245Address(localMedia: H323LocalMedia, fastMedia: readonly FastConnectChannel[]): Promise<void> {
    try {
      const address = await this.h245.listen(this.connection.localAddress.address);
      if (this.state !== H323CallState.Active) return;
      this.connection.send(
        buildFacility(
          this.ownCallReference,
          {
            protocolIdentifier: H225_PROTOCOL_IDENTIFIER,
            reason: { tag: 'startH245', value: null },
            callIdentifier: { guid: this.callIdentifier },
            h245Address: ipTransportAddress(address),
          },
          { h245Tunnelling: false },
        ),
      );
      this.h245.start('separate', localMedia, fastMedia, this.fastStartVideo);
    } catch (error) {
      this.log('error', { error: (error as Error).message }, 'cannot open the H.245 listener');
      this.release('resourceUnavailable', 'local');
    }
  }

  /**
   * An h245Address in CallProceeding or Alerting of a callee that does not tunnel: H.245 starts before Connect
   * (H.323 §8.2, early H.245).
   */
  private connectEarlyH245(body: ReturnType<typeof bodyOf>): void {
    if (this.tunnelling || !this.h245.available || this.h245.started || !body) return;
    if (body.tag !== 'callProceeding' && body.tag !== 'alerting') return;
    const address = transportAddressOf(body.value.h245Address);
    if (!address) return;
    this.h245.connect(address);
    this.h245.start('separate', this.options.localMedia, this.fastStartChannels, this.fastStartVideo);
  }

  /** The callee's h245Tunneling in its first answer decides (H.323 §8.2.1). */
  private noteTunnelling(pdu: H225Types.H323_UU_PDU): void {
    if (this.state === H323CallState.CallInitiated || this.state === H323CallState.OutgoingCallProceeding || this.state === H323CallState.CallDelivered) {
      this.tunnelling = this.offeredTunnelling && pdu.h245Tunneling === true;
    }
  }

  private takeFastStart(body: ReturnType<typeof bodyOf>): void {
    if (this.fastStartAnswered || !body) return;
    const value = body.value as { fastStart?: Buffer[]; fastConnectRefused?: null } | null;
    if (!value || typeof value !== 'object') return;
    if (value.fastConnectRefused === null) {
      this.fastStartAnswered = true;
      this.log('info', {}, 'Fast Connect refused by the callee');
      return;
    }
    if (!value.fastStart?.length) return;
    this.fastStartAnswered = true;
    for (const opened of readFastConnectAnswer(value.fastStart, this.options.localMedia)) this.addFastStartChannel(opened);
    const video = (this.options.fastStartVideo ?? []).map((v) => v.codec);
    for (const opened of readFastConnectVideoAnswer(value.fastStart, this.options.localMedia, video)) {
      this.fastStartVideo.push(opened);
      this.addVideo(opened.channel);
    }
  }
}
