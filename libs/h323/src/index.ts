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
