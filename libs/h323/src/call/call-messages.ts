import type { H225Types } from '../asn1/generated';
import { buildBearerCapability } from '../q931/bearer-capability';
import { buildCause } from '../q931/cause';
import { element, InformationElementId, type InformationElement } from '../q931/information-element';
import { Q931MessageType } from '../q931/message-type';
import { buildPartyNumber, type PartyNumber } from '../q931/party-number';
import { buildCallState, buildDisplay } from '../q931/simple-elements';
import type { CallReference } from '../q931/q931-message';
import { buildH225, H225_PROTOCOL_IDENTIFIER, type H225MessageBody } from './h225-message';

/**
 * Builders of the H.225.0 call signalling messages this endpoint sends (H.225.0 §7.3: which Q.931 elements and
 * which UUIE each message carries). Every builder returns the Q.931 octets (a TPKT payload).
 */

/** Fields common to the H323-UU-PDU of every message. */
export interface PduExtras {
  /** h245Tunneling flag (H.323 §8.2.1); omitted when undefined. */
  readonly h245Tunnelling?: boolean;
  /** Tunnelled H.245 PDUs (h245Control). */
  readonly h245Control?: readonly Buffer[];
}

function pdu(body: H225MessageBody, extras: PduExtras): H225Types.H323_UU_PDU {
  return {
    'h323-message-body': body,
    ...(extras.h245Tunnelling === undefined ? {} : { h245Tunneling: extras.h245Tunnelling }),
    ...(extras.h245Control && extras.h245Control.length > 0 ? { h245Control: [...extras.h245Control] } : {}),
  };
}

function displayElement(display: string | undefined): InformationElement[] {
  return display ? [element(InformationElementId.Display, buildDisplay(display))] : [];
}

/** What an outgoing Setup carries. */
export interface SetupParameters extends PduExtras {
  readonly callReference: CallReference;
  readonly uuie: H225Types.Setup_UUIE;
  readonly display?: string;
  readonly calledPartyNumber?: PartyNumber;
}

/** Setup (H.225.0 §7.3.10): Bearer capability, Display, Called party number, User-user. */
export function buildSetup(p: SetupParameters): Buffer {
  return buildH225({
    messageType: Q931MessageType.Setup,
    callReference: p.callReference,
    elements: [
      element(InformationElementId.BearerCapability, buildBearerCapability()),
      ...displayElement(p.display),
      ...(p.calledPartyNumber ? [element(InformationElementId.CalledPartyNumber, buildPartyNumber(p.calledPartyNumber))] : []),
    ],
    pdu: pdu({ tag: 'setup', value: p.uuie }, p),
  });
}

/** Alerting (H.225.0 §7.3.1), CallProceeding (§7.3.2), Connect (§7.3.3) of the called side. */
export function buildAnswer(
  messageType: typeof Q931MessageType.CallProceeding | typeof Q931MessageType.Alerting | typeof Q931MessageType.Connect,
  callReference: CallReference,
  body: H225MessageBody,
  extras: PduExtras & { readonly display?: string },
): Buffer {
  return buildH225({ messageType, callReference, elements: displayElement(extras.display), pdu: pdu(body, extras) });
}

/** ReleaseComplete (H.225.0 §7.3.9): Cause, then User-user with the ReleaseComplete-UUIE. */
export function buildReleaseComplete(
  callReference: CallReference,
  uuie: H225Types.ReleaseComplete_UUIE,
  causeValue: number,
  extras: PduExtras,
): Buffer {
  return buildH225({
    messageType: Q931MessageType.ReleaseComplete,
    callReference,
    elements: [element(InformationElementId.Cause, buildCause(causeValue))],
    pdu: pdu({ tag: 'releaseComplete', value: uuie }, extras),
  });
}

/** Facility (H.225.0 §7.4, Q.932 messages) with a Facility-UUIE, or with the `empty` body that carries only tunnelled H.245. */
export function buildFacility(callReference: CallReference, uuie: H225Types.Facility_UUIE | undefined, extras: PduExtras): Buffer {
  const body: H225MessageBody = uuie ? { tag: 'facility', value: uuie } : { tag: 'empty', value: null };
  return buildH225({ messageType: Q931MessageType.Facility, callReference, pdu: pdu(body, extras) });
}

/**
 * Status (Q.931 §5.8.11; H.225.0 §7.3): Cause and Call state elements, and a Status-UUIE.
 * @param causeValue 30 "response to STATUS ENQUIRY", or the error cause (97, 98, 100 …)
 * @param callStateValue Q.931 Table 4-12 value
 */
export function buildStatus(callReference: CallReference, callIdentifier: Buffer, causeValue: number, callStateValue: number): Buffer {
  return buildH225({
    messageType: Q931MessageType.Status,
    callReference,
    elements: [
      element(InformationElementId.Cause, buildCause(causeValue)),
      element(InformationElementId.CallState, buildCallState(callStateValue)),
    ],
    pdu: pdu({ tag: 'status', value: { protocolIdentifier: H225_PROTOCOL_IDENTIFIER, callIdentifier: { guid: callIdentifier } } }, {}),
  });
}

/** StatusEnquiry (Q.931 §5.8.10; H.225.0 §7.3) with a StatusInquiry-UUIE. */
export function buildStatusEnquiry(callReference: CallReference, callIdentifier: Buffer): Buffer {
  return buildH225({
    messageType: Q931MessageType.StatusEnquiry,
    callReference,
    pdu: pdu({ tag: 'statusInquiry', value: { protocolIdentifier: H225_PROTOCOL_IDENTIFIER, callIdentifier: { guid: callIdentifier } } }, {}),
  });
}

/** Q.850 cause 30, "response to STATUS ENQUIRY". */
export const CAUSE_RESPONSE_TO_STATUS_ENQUIRY = 30;
