/**
 * Builders of the RAS messages the endpoint sends (H.225.0 §7), filled as deployed endpoints fill them
 * (compare the H323Plus PDUs of the gatekeeper capture in ras-messages.spec.ts).
 */
import type { H225Types } from '../asn1/generated';
import { toTransportAddress, type IpTransportAddress } from './transport-address';

/** H.225.0 version 7 protocol identifier, as H323Plus 1.28 and GnuGk 5 send it (H.225.0 §7, protocolIdentifier). */
export const H225_PROTOCOL_IDENTIFIER = '0.0.8.2250.0.7';

/** What the endpoint says about itself in every request. */
export interface RasIdentity {
  /** Where calls reach us (the Q.931 listener, H.225.0 callSignalAddress). */
  readonly callSignalAddress: IpTransportAddress;
  /** Our RAS address (the bound UDP socket). */
  readonly rasAddress: IpTransportAddress;
  /** EndpointType (H.225.0 §7, EndpointType): for an MCU `{ mcu: {}, mc: true, undefinedNode: false }`. */
  readonly endpointType: H225Types.EndpointType;
  /** endpointVendor. */
  readonly vendor: H225Types.VendorIdentifier;
  /** Our aliases (RRQ terminalAlias, URQ endpointAlias). */
  readonly aliases: readonly H225Types.AliasAddress[];
}

/** What the gatekeeper told us: its identifier (GCF/RCF) and our endpointIdentifier (RCF). */
export interface RasRegistration {
  readonly gatekeeperIdentifier?: string;
  readonly endpointIdentifier: string;
}

/** GRQ (H.225.0 §7, GatekeeperRequest; H.323 §7.2.1 gatekeeper discovery). */
export function gatekeeperRequest(seq: number, me: RasIdentity, gatekeeperIdentifier?: string): H225Types.RasMessage {
  return {
    tag: 'gatekeeperRequest',
    value: {
      requestSeqNum: seq,
      protocolIdentifier: H225_PROTOCOL_IDENTIFIER,
      rasAddress: toTransportAddress(me.rasAddress),
      endpointType: me.endpointType,
      ...(gatekeeperIdentifier !== undefined ? { gatekeeperIdentifier } : {}),
      ...(me.aliases.length > 0 ? { endpointAlias: [...me.aliases] } : {}),
    },
  };
}

/** Options of an RRQ beyond the identity. */
export interface RegistrationRequestOptions {
  /** A GCF preceded this RRQ (discoveryComplete). */
  readonly discoveryComplete: boolean;
  readonly gatekeeperIdentifier?: string;
  /** Desired timeToLive, s (1..4294967295); the gatekeeper decides. */
  readonly timeToLive?: number;
}

/**
 * Full RRQ registering every alias (H.225.0 §7, RegistrationRequest; H.323 §7.2.2). `multipleCalls` is true:
 * an MCU takes many calls at once.
 */
export function registrationRequest(seq: number, me: RasIdentity, options: RegistrationRequestOptions): H225Types.RasMessage {
  return {
    tag: 'registrationRequest',
    value: {
      ...rrqBase(seq, me, options),
      ...(me.aliases.length > 0 ? { terminalAlias: [...me.aliases] } : {}),
      ...(options.gatekeeperIdentifier !== undefined ? { gatekeeperIdentifier: options.gatekeeperIdentifier } : {}),
      endpointVendor: me.vendor,
      ...(options.timeToLive !== undefined ? { timeToLive: options.timeToLive } : {}),
      keepAlive: false,
      willSupplyUUIEs: false,
      maintainConnection: false,
      multipleCalls: true,
    },
  };
}

/**
 * Lightweight (keep-alive) RRQ: keepAlive TRUE with the endpointIdentifier and no aliases (H.323 §7.2.2,
 * H.225.0 §7 RegistrationRequest keepAlive), sent before the RCF's timeToLive runs out.
 */
export function keepAliveRequest(
  seq: number,
  me: RasIdentity,
  registration: RasRegistration,
  discoveryComplete: boolean,
  timeToLive?: number,
): H225Types.RasMessage {
  return {
    tag: 'registrationRequest',
    value: {
      ...rrqBase(seq, me, { discoveryComplete }),
      ...(registration.gatekeeperIdentifier !== undefined ? { gatekeeperIdentifier: registration.gatekeeperIdentifier } : {}),
      endpointVendor: me.vendor,
      ...(timeToLive !== undefined ? { timeToLive } : {}),
      keepAlive: true,
      endpointIdentifier: registration.endpointIdentifier,
      willSupplyUUIEs: false,
      maintainConnection: false,
    },
  };
}

function rrqBase(seq: number, me: RasIdentity, options: { discoveryComplete: boolean }): H225Types.RegistrationRequest {
  return {
    requestSeqNum: seq,
    protocolIdentifier: H225_PROTOCOL_IDENTIFIER,
    discoveryComplete: options.discoveryComplete,
    callSignalAddress: [toTransportAddress(me.callSignalAddress)],
    rasAddress: [toTransportAddress(me.rasAddress)],
    terminalType: me.endpointType,
    endpointVendor: me.vendor,
  };
}

/** URQ for the whole registration (H.225.0 §7, UnregistrationRequest; H.323 §7.2.2.2). */
export function unregistrationRequest(seq: number, me: RasIdentity, registration: RasRegistration): H225Types.RasMessage {
  return {
    tag: 'unregistrationRequest',
    value: {
      requestSeqNum: seq,
      callSignalAddress: [toTransportAddress(me.callSignalAddress)],
      ...(me.aliases.length > 0 ? { endpointAlias: [...me.aliases] } : {}),
      endpointIdentifier: registration.endpointIdentifier,
      ...(registration.gatekeeperIdentifier !== undefined ? { gatekeeperIdentifier: registration.gatekeeperIdentifier } : {}),
    },
  };
}

/** An incoming call as the ARQ and DRQ describe it. */
export interface RasCall {
  /** CallIdentifier guid, 16 octets. */
  readonly callIdentifier: Buffer;
  /** ConferenceIdentifier, 16 octets. */
  readonly conferenceID: Buffer;
  /** Q.931 call reference value, 0..65535. */
  readonly callReferenceValue: number;
  /** The caller's aliases (Setup sourceAddress). */
  readonly srcInfo: readonly H225Types.AliasAddress[];
  /** The called aliases (Setup destinationAddress), e.g. the room's number. */
  readonly destinationInfo: readonly H225Types.AliasAddress[];
  /** The caller's call signalling address, when known. */
  readonly srcCallSignalAddress?: IpTransportAddress;
  /** Requested bandwidth in units of 100 bit/s (H.225.0 BandWidth), both directions. */
  readonly bandwidth: number;
}

/** ARQ for answering a call (answerCall TRUE; H.225.0 §7, AdmissionRequest; H.323 §8.1.3). */
export function admissionRequest(
  seq: number,
  me: RasIdentity,
  registration: RasRegistration,
  call: RasCall,
): H225Types.RasMessage {
  return {
    tag: 'admissionRequest',
    value: {
      requestSeqNum: seq,
      callType: { tag: 'pointToPoint', value: null },
      callModel: { tag: 'direct', value: null },
      endpointIdentifier: registration.endpointIdentifier,
      ...(call.destinationInfo.length > 0 ? { destinationInfo: [...call.destinationInfo] } : {}),
      destCallSignalAddress: toTransportAddress(me.callSignalAddress),
      srcInfo: [...call.srcInfo],
      ...(call.srcCallSignalAddress ? { srcCallSignalAddress: toTransportAddress(call.srcCallSignalAddress) } : {}),
      bandWidth: call.bandwidth,
      callReferenceValue: call.callReferenceValue,
      conferenceID: call.conferenceID,
      activeMC: me.endpointType.mc,
      answerCall: true,
      canMapAlias: false,
      callIdentifier: { guid: call.callIdentifier },
      ...(registration.gatekeeperIdentifier !== undefined ? { gatekeeperIdentifier: registration.gatekeeperIdentifier } : {}),
      willSupplyUUIEs: false,
    },
  };
}

/** Reasons a DRQ gives (H.225.0 DisengageReason). */
export type DisengageReasonTag = 'forcedDrop' | 'normalDrop' | 'undefinedReason';

/** DRQ when an admitted call ends (H.225.0 §7, DisengageRequest; H.323 §8.5). */
export function disengageRequest(
  seq: number,
  registration: RasRegistration,
  call: Pick<RasCall, 'callIdentifier' | 'conferenceID' | 'callReferenceValue'>,
  reason: DisengageReasonTag,
): H225Types.RasMessage {
  return {
    tag: 'disengageRequest',
    value: {
      requestSeqNum: seq,
      endpointIdentifier: registration.endpointIdentifier,
      conferenceID: call.conferenceID,
      callReferenceValue: call.callReferenceValue,
      disengageReason: { tag: reason, value: null },
      callIdentifier: { guid: call.callIdentifier },
      ...(registration.gatekeeperIdentifier !== undefined ? { gatekeeperIdentifier: registration.gatekeeperIdentifier } : {}),
      answeredCall: true,
    },
  };
}

/** BRQ for an admitted call (H.225.0 §7, BandwidthRequest; H.323 §8.3.1); `bandwidth` in 100 bit/s. */
export function bandwidthRequest(
  seq: number,
  registration: RasRegistration,
  call: Pick<RasCall, 'callIdentifier' | 'conferenceID' | 'callReferenceValue'>,
  bandwidth: number,
): H225Types.RasMessage {
  return {
    tag: 'bandwidthRequest',
    value: {
      requestSeqNum: seq,
      endpointIdentifier: registration.endpointIdentifier,
      conferenceID: call.conferenceID,
      callReferenceValue: call.callReferenceValue,
      callType: { tag: 'pointToPoint', value: null },
      bandWidth: bandwidth,
      callIdentifier: { guid: call.callIdentifier },
      ...(registration.gatekeeperIdentifier !== undefined ? { gatekeeperIdentifier: registration.gatekeeperIdentifier } : {}),
      answeredCall: true,
    },
  };
}

/**
 * IRR answering an IRQ (H.225.0 §7, InfoRequestResponse): our registration and one perCallInfo per admitted
 * call the IRQ asks about (callReferenceValue 0 = all calls); `invalidCall` when it names a call we do not have.
 */
export function infoRequestResponse(
  seq: number,
  me: RasIdentity,
  registration: RasRegistration,
  calls: readonly (Pick<RasCall, 'callIdentifier' | 'conferenceID' | 'callReferenceValue' | 'bandwidth'>)[],
  status: 'complete' | 'invalidCall',
): H225Types.RasMessage {
  const csa = toTransportAddress(me.callSignalAddress);
  return {
    tag: 'infoRequestResponse',
    value: {
      requestSeqNum: seq,
      endpointType: me.endpointType,
      endpointIdentifier: registration.endpointIdentifier,
      rasAddress: toTransportAddress(me.rasAddress),
      callSignalAddress: [csa],
      ...(me.aliases.length > 0 ? { endpointAlias: [...me.aliases] } : {}),
      ...(calls.length > 0
        ? {
            perCallInfo: calls.map((call) => ({
              callReferenceValue: call.callReferenceValue,
              conferenceID: call.conferenceID,
              originator: false,
              h245: {},
              callSignaling: { recvAddress: csa },
              callType: { tag: 'pointToPoint', value: null },
              bandWidth: call.bandwidth,
              callModel: { tag: 'direct', value: null },
              callIdentifier: { guid: call.callIdentifier },
            })),
          }
        : {}),
      needResponse: false,
      irrStatus: { tag: status, value: null },
      unsolicited: false,
    },
  };
}

/** Builds the confirm of a gatekeeper-initiated request whose confirm carries only requestSeqNum (UCF, DCF). */
export function unregistrationConfirm(seq: number): H225Types.RasMessage {
  return { tag: 'unregistrationConfirm', value: { requestSeqNum: seq } };
}

/** DCF (H.225.0 §7, DisengageConfirm). */
export function disengageConfirm(seq: number): H225Types.RasMessage {
  return { tag: 'disengageConfirm', value: { requestSeqNum: seq } };
}

/** BCF granting `bandwidth` (100 bit/s units; H.225.0 §7, BandwidthConfirm). */
export function bandwidthConfirm(seq: number, bandwidth: number): H225Types.RasMessage {
  return { tag: 'bandwidthConfirm', value: { requestSeqNum: seq, bandWidth: bandwidth } };
}

/** XRS for a message we do not handle (H.225.0 §7, UnknownMessageResponse). */
export function unknownMessageResponse(seq: number, message: Buffer): H225Types.RasMessage {
  return { tag: 'unknownMessageResponse', value: { requestSeqNum: seq, messageNotUnderstood: message } };
}
