/**
 * @mcu/h323 — H.323 for Tessera. This entry is the library's only public surface.
 *
 * ASN.1 and aligned PER (X.691 ALIGNED variant):
 * - `encode(type, value)` / `decode(type, bytes)` / `decodePrefix(type, bytes)` with the compiled types of the
 *   generated schema: `H225.H323_UserInformation`, `H225.RasMessage`, `H245.MultimediaSystemControlMessage`,
 *   `H245.OpenLogicalChannel`, … and their value types in the namespaces `H225Types`, `H245Types`, `H235Types`.
 * - Value representation: see per/values.ts (SEQUENCE → object, CHOICE → `{ tag, value }`, INTEGER → number,
 *   ENUMERATED → string, BIT STRING → `{ bits, length }`, OCTET STRING and open types → Buffer,
 *   OBJECT IDENTIFIER → dotted string, NULL → null).
 * - Errors: {@link PerDecodeError} (the only error decoding throws) and {@link PerEncodeError}, both with the
 *   field path and bit offset.
 * - `compileAsn1(sources)` compiles other ASN.1 text at run time (tests, tools).
 */
export { decode, decodePrefix, encode } from './per/codec';
export { PerDecodeError, PerEncodeError, PerError } from './per/per-error';
export type { CompiledType, PerType } from './per/compiled-type';
export {
  UNKNOWN_ALTERNATIVE,
  UNKNOWN_ENUMERATION_PREFIX,
  type BitStringValue,
  type ExtensionMembers,
  type UnknownAlternative,
  type UnknownEnumeration,
  type UnknownExtension,
} from './per/values';
export type { ModuleSchema, SchemaNode } from './per/schema';
export { linkSchema, SchemaLinkError, type LinkedSchema } from './per/schema-linker';
export { compileAsn1, compileModules, type Asn1Source } from './asn1/compiler';
export { Asn1CompileError } from './asn1/asn1-error';
export { H225, H235, H245, H323_SCHEMA, type H225Types, type H235Types, type H245Types } from './asn1/generated';

/**
 * RAS (H.225.0 §7): the MCU's gatekeeper client {@link RasEndpoint} (discovery, registration of the rooms'
 * aliases, keep-alive, URQ on stop, ARQ/DRQ for incoming calls) and a small {@link TestGatekeeper} for tests.
 */
export {
  RasEndpoint,
  GATEKEEPER_DISCOVERY_ADDRESS,
  DEFAULT_GATEKEEPER_RAS_PORT,
  TESSERA_VENDOR,
  type RasEndpointOptions,
  type AdmitIncomingCall,
  type AdmissionOutcome,
} from './ras/ras-endpoint';
export type { RasEndpointState } from './ras/ras-endpoint-state';
export { dialedDigitsAlias, h323IdAlias, aliasKey } from './ras/ras-alias';
export { RasError, RasStateError, RasTimeoutError } from './ras/ras-errors';
export { DEFAULT_RAS_TIMERS, rasTimerSettings, keepAliveDelay, systemRasClock, type RasClock, type RasTimerHandle, type RasTimerSettings } from './ras/ras-timers';
export type { RasLogger } from './ras/ras-logger';
export type { RasChannelStats } from './ras/ras-channel';
export type { RasCall, DisengageReasonTag } from './ras/ras-messages';
export { toTransportAddress, fromTransportAddress, type IpTransportAddress } from './ras/transport-address';
export { ManualRasClock } from './ras/manual-ras-clock';
export { TestGatekeeper, type TestGatekeeperOptions, type ReceivedRas, type RasValue } from './ras/test-gatekeeper';

/**
 * TPKT (RFC 1006), Q.931 and H.225.0 call signalling:
 * - {@link H323Endpoint}: `new H323Endpoint(delegate, options)`, `listen()` (TCP 1720 by default), `call(target,
 *   options)` to originate, `close()`; the delegate's `onSetup(call)` answers with `call.accept({ localMedia })` or
 *   `call.reject(reason)`.
 * - {@link H323Call} events: `state`, `proceeding`, `alerting`, `connected`, `media` ({@link H323MediaChannel}),
 *   `mediaClosed`, `video` ({@link H323VideoChannel}: H.263/H.264 on the video port pair), `videoClosed`,
 *   `userInput`, `videoFastUpdate(channelNumber)`, `released`; `hangUp(reason)`, `sendUserInput(digit)`,
 *   `requestVideoFastUpdate()`. Video needs `localMedia.videoRtpPort` and `videoCapabilities` in
 *   {@link h245SessionPorts}; Fast Connect video through `fastStartVideo` (accept and call options).
 * - H.245 per call through an {@link H245PortFactory}; {@link h245SessionPorts} backs it with the H245Session.
 */
export { encodeTpkt, TpktReassembler, TPKT_VERSION, TPKT_HEADER_LENGTH, TPKT_MAX_PACKET_LENGTH, type TpktReassemblerOptions } from './tpkt/tpkt';
export { TpktError } from './tpkt/tpkt-error';
export { parseQ931, serializeQ931, Q931_PROTOCOL_DISCRIMINATOR, type Q931Message, type CallReference } from './q931/q931-message';
export { Q931MessageType, messageTypeName, type Q931MessageTypeValue } from './q931/message-type';
export { Q931Error, Q931Cause } from './q931/q931-error';
export {
  InformationElementId,
  parseInformationElements,
  serializeInformationElements,
  findElement,
  element as informationElement,
  type InformationElement,
  type SingleOctetElement,
  type VariableLengthElement,
} from './q931/information-element';
export { parseCause, buildCause, type CauseElement } from './q931/cause';
export { parsePartyNumber, buildPartyNumber, NUMBERING_PLAN_E164, type PartyNumber } from './q931/party-number';
export { parseBearerCapability, buildBearerCapability, type BearerCapability } from './q931/bearer-capability';
export { parseDisplay, buildDisplay, parseProgressIndicator, buildProgressIndicator, parseSignal, parseCallState, buildCallState, SignalValue, type ProgressIndicator } from './q931/simple-elements';
export { parseUserUser, buildUserUser, USER_USER_PROTOCOL_X208, type UserUser } from './q931/user-user';
export { H323Endpoint, H225_CALL_SIGNALLING_PORT, type H323EndpointOptions, type H323EndpointDelegate, type H323EndpointEventMap } from './call/call-signalling';
export { H323Call, type H323CallEventMap, type H323ReleaseInfo } from './call/h323-call';
export { IncomingCall, type H323AcceptOptions } from './call/incoming-call';
export { OutgoingCall, type H323CallOptions } from './call/outgoing-call';
export { H323CallState, CallStateError } from './call/call-state';
export type { H323ReleaseReason } from './call/release-reason';
export type { H323SetupInfo, H323Alias } from './call/setup-info';
export type { H323MediaChannel, H323VideoChannel, H323LocalMedia, H323AudioCodec, H323TransportAddress } from './call/media-channel';
export { DEFAULT_CALL_TIMERS, callTimers, systemCallClock, type CallTimers, type CallClock, type CallTimerHandle } from './call/call-timers';
export { silentCallLogger, type CallLogger } from './call/call-logger';
export { DEFAULT_ENDPOINT_IDENTITY, type EndpointIdentity } from './call/endpoint-identity';
export type { H245Port, H245PortEvents, H245PortContext, H245PortFactory } from './call/h245-port';
export { h245SessionPorts, h264PictureSize, videoChannelOf, type H245SessionPortOptions } from './call/h245-session-port';
export { parseH225, buildH225, H225_PROTOCOL_IDENTIFIER, type H225Message, type H225MessageParts } from './call/h225-message';

/**
 * H.245 (H.245 clause 5 and Annex C procedures; H.323 §8.1.7 Fast Connect), transport-agnostic: {@link H245Session} takes received
 * MultimediaSystemControlMessages and emits what to send; the capability, OpenLogicalChannel and Fast Connect
 * helpers build and read the PDUs the way deployed H323Plus endpoints do. See h245/index.ts.
 */
export * from './h245';
