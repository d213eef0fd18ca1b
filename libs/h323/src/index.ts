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
