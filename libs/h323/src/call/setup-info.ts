import type { H225Types } from '../asn1/generated';
import { findElement, InformationElementId, type InformationElement } from '../q931/information-element';
import { parsePartyNumber, type PartyNumber } from '../q931/party-number';
import { Q931Error } from '../q931/q931-error';
import { parseDisplay } from '../q931/simple-elements';
import type { H323TransportAddress } from './media-channel';

/** An alias (H.225.0 `AliasAddress`) in the forms rooms are dialled by; other forms are kept as 'other'. */
export type H323Alias =
  | { readonly type: 'dialedDigits'; readonly value: string }
  | { readonly type: 'h323-ID'; readonly value: string }
  | { readonly type: 'url'; readonly value: string }
  | { readonly type: 'e164'; readonly value: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'other'; readonly value: string };

/** What an incoming Setup says about the call (H.225.0 §7.3.10 Setup, Setup-UUIE), for the owner's decision. */
export interface H323SetupInfo {
  /** sourceAddress of the Setup-UUIE. */
  readonly callingAliases: readonly H323Alias[];
  /** destinationAddress of the Setup-UUIE. */
  readonly calledAliases: readonly H323Alias[];
  /** The Called party number IE (Q.931 §4.5.8), when present and well-formed. */
  readonly calledPartyNumber?: PartyNumber;
  /** The Calling party number IE (Q.931 §4.5.10), when present and well-formed. */
  readonly callingPartyNumber?: PartyNumber;
  /** Display IE, else the Setup-UUIE displayName, else the first h323-ID alias. */
  readonly displayName?: string;
  /** The TCP peer of the signalling connection. */
  readonly signallingAddress: H323TransportAddress;
  /** sourceCallSignalAddress, when IPv4. */
  readonly sourceCallSignalAddress?: H323TransportAddress;
  /** Number of fastStart proposals (OpenLogicalChannel encodings) in the Setup. */
  readonly fastStartProposals: number;
  readonly h245Tunnelling: boolean;
  /** The caller's H.245 address, when it offered one. */
  readonly h245Address?: H323TransportAddress;
  /** Whether H.245 messages came in parallelH245Control (H.323 §8.2). */
  readonly parallelH245Control: boolean;
  /** conferenceID and callIdentifier GUIDs, hex. */
  readonly conferenceId: string;
  readonly callId?: string;
}

/** Reads an alias; never throws. */
export function aliasOf(alias: H225Types.AliasAddress): H323Alias {
  switch (alias.tag) {
    case 'dialedDigits':
      return { type: 'dialedDigits', value: alias.value };
    case 'h323-ID':
      return { type: 'h323-ID', value: alias.value };
    case 'url-ID':
      return { type: 'url', value: alias.value };
    case 'email-ID':
      return { type: 'email', value: alias.value };
    case 'partyNumber':
      return alias.value.tag === 'e164Number'
        ? { type: 'e164', value: alias.value.value.publicNumberDigits }
        : { type: 'other', value: 'partyNumber' };
    default:
      return { type: 'other', value: String(alias.tag) };
  }
}

/** Writes an alias; 'other' cannot be written and becomes an h323-ID. */
export function aliasAddressOf(alias: H323Alias): H225Types.AliasAddress {
  switch (alias.type) {
    case 'dialedDigits':
      return { tag: 'dialedDigits', value: alias.value };
    case 'url':
      return { tag: 'url-ID', value: alias.value };
    case 'email':
      return { tag: 'email-ID', value: alias.value };
    case 'e164':
      return { tag: 'partyNumber', value: { tag: 'e164Number', value: { publicTypeOfNumber: { tag: 'unknown', value: null }, publicNumberDigits: alias.value } } };
    default:
      return { tag: 'h323-ID', value: alias.value };
  }
}

/** IPv4 H.225.0 TransportAddress → address, or undefined. */
export function transportAddressOf(address: H225Types.TransportAddress | undefined): H323TransportAddress | undefined {
  if (address?.tag !== 'ipAddress' || address.value.ip.length !== 4) return undefined;
  return { address: [...address.value.ip].join('.'), port: address.value.port };
}

/**
 * Address → IPv4 H.225.0 TransportAddress.
 * @throws RangeError when not a dotted-quad IPv4 address or the port is outside 0…65535
 */
export function ipTransportAddress(address: H323TransportAddress): H225Types.TransportAddress {
  const octets = address.address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new RangeError(`not an IPv4 address: ${address.address}`);
  }
  if (!Number.isInteger(address.port) || address.port < 0 || address.port > 65535) throw new RangeError(`port ${address.port}`);
  return { tag: 'ipAddress', value: { ip: Buffer.from(octets), port: address.port } };
}

function optionalPartyNumber(elements: readonly InformationElement[], id: number): PartyNumber | undefined {
  const found = findElement(elements, id);
  if (!found) return undefined;
  try {
    return parsePartyNumber(found.contents);
  } catch (error) {
    if (error instanceof Q931Error) return undefined;
    throw error;
  }
}

/** Collects {@link H323SetupInfo} from a Setup; never throws. */
export function setupInfoOf(
  setup: H225Types.Setup_UUIE,
  pdu: H225Types.H323_UU_PDU,
  elements: readonly InformationElement[],
  signallingAddress: H323TransportAddress,
): H323SetupInfo {
  const calling = (setup.sourceAddress ?? []).map(aliasOf);
  const display = findElement(elements, InformationElementId.Display);
  const displayName =
    (display && parseDisplay(display.contents)) ||
    setup.displayName?.[0]?.name ||
    calling.find((a) => a.type === 'h323-ID')?.value;
  const calledPartyNumber = optionalPartyNumber(elements, InformationElementId.CalledPartyNumber);
  const callingPartyNumber = optionalPartyNumber(elements, InformationElementId.CallingPartyNumber);
  const h245Address = transportAddressOf(setup.h245Address);
  const sourceCallSignalAddress = transportAddressOf(setup.sourceCallSignalAddress);
  return {
    callingAliases: calling,
    calledAliases: (setup.destinationAddress ?? []).map(aliasOf),
    ...(calledPartyNumber ? { calledPartyNumber } : {}),
    ...(callingPartyNumber ? { callingPartyNumber } : {}),
    ...(displayName ? { displayName } : {}),
    signallingAddress,
    ...(sourceCallSignalAddress ? { sourceCallSignalAddress } : {}),
    fastStartProposals: setup.fastStart?.length ?? 0,
    h245Tunnelling: pdu.h245Tunneling === true,
    ...(h245Address ? { h245Address } : {}),
    parallelH245Control: (setup.parallelH245Control?.length ?? 0) > 0,
    conferenceId: setup.conferenceID.toString('hex'),
    ...(setup.callIdentifier ? { callId: setup.callIdentifier.guid.toString('hex') } : {}),
  };
}
