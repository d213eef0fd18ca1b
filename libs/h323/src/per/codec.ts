import { encodeBitString, decodeBitString } from './bit-string';
import { BitReader } from './bit-reader';
import { BitWriter } from './bit-writer';
import { decodeBoolean, encodeBoolean } from './boolean';
import { decodeCharacterString, encodeCharacterString } from './character-string';
import { decodeChoice, encodeChoice } from './choice';
import type { CompiledType, PerType } from './compiled-type';
import { decodeEnumerated, encodeEnumerated } from './enumerated';
import { decodeInteger, encodeInteger } from './integer';
import { decodeNull, encodeNull } from './null';
import { decodeObjectIdentifier, encodeObjectIdentifier } from './object-identifier';
import { decodeOctetString, encodeOctetString } from './octet-string';
import { decodeOpenType, encodeOpenType } from './open-type';
import { formatPath, PerDecodeError, PerEncodeError } from './per-error';
import { decodeSequence, encodeSequence } from './sequence';
import { decodeSequenceOf, encodeSequenceOf } from './sequence-of';

/**
 * Encodes `v` as a value of `t` at the writer's position (X.691 ALIGNED variant), dispatching on the type kind.
 * @throws PerEncodeError when the value does not fit the type
 */
export function encodeValue(w: BitWriter, t: CompiledType, v: unknown): void {
  switch (t.kind) {
    case 'SEQUENCE':
      return encodeSequence(w, t, v);
    case 'CHOICE':
      return encodeChoice(w, t, v);
    case 'INTEGER':
      return encodeInteger(w, t, v);
    case 'BOOLEAN':
      return encodeBoolean(w, v);
    case 'OCTET STRING':
      return encodeOctetString(w, t, v);
    case 'SEQUENCE OF':
      return encodeSequenceOf(w, t, v);
    case 'STRING':
      return encodeCharacterString(w, t, v);
    case 'NULL':
      return encodeNull(w, v);
    case 'OBJECT IDENTIFIER':
      return encodeObjectIdentifier(w, v);
    case 'ENUMERATED':
      return encodeEnumerated(w, t, v);
    case 'BIT STRING':
      return encodeBitString(w, t, v);
    case 'OPEN TYPE':
      return encodeOpenType(w, t, v);
  }
}

/**
 * Decodes a value of `t` at the reader's position (X.691 ALIGNED variant), dispatching on the type kind.
 * @throws PerDecodeError when the input is not a valid encoding
 */
export function decodeValue(r: BitReader, t: CompiledType): unknown {
  switch (t.kind) {
    case 'SEQUENCE':
      return decodeSequence(r, t);
    case 'CHOICE':
      return decodeChoice(r, t);
    case 'INTEGER':
      return decodeInteger(r, t);
    case 'BOOLEAN':
      return decodeBoolean(r);
    case 'OCTET STRING':
      return decodeOctetString(r, t);
    case 'SEQUENCE OF':
      return decodeSequenceOf(r, t);
    case 'STRING':
      return decodeCharacterString(r, t);
    case 'NULL':
      return decodeNull();
    case 'OBJECT IDENTIFIER':
      return decodeObjectIdentifier(r);
    case 'ENUMERATED':
      return decodeEnumerated(r, t);
    case 'BIT STRING':
      return decodeBitString(r, t);
    case 'OPEN TYPE':
      return decodeOpenType(r, t);
  }
}

/**
 * Encodes a value into its complete aligned-PER encoding (X.691 §10.1: padded to an octet boundary; an empty
 * encoding is the single octet 0x00).
 * @param type a compiled type, e.g. `H225.H323_UserInformation` from the generated schema
 * @returns the encoding, a new Buffer
 * @throws PerEncodeError (with the field path) when the value does not fit the type
 */
export function encode<T>(type: PerType<T>, value: T): Buffer {
  const shared = sharedWriter;
  const w = shared ?? new BitWriter();
  sharedWriter = undefined;
  try {
    encodeValue(w, type, value);
    return w.finish();
  } catch (error) {
    if (error instanceof PerEncodeError) throw error;
    throw new PerEncodeError(`cannot encode value: ${String(error)}`, formatPath(w.path), w.bitPosition, { cause: error });
  } finally {
    if (shared !== undefined) {
      w.reset();
      sharedWriter = shared;
    }
  }
}

/** A writer reused by {@link encode} (synchronous, so one suffices; a nested call gets a fresh one). */
let sharedWriter: BitWriter | undefined = new BitWriter(4096);

/**
 * Decodes the complete aligned-PER encoding of a value of `type`. Octets after the encoding are ignored (use
 * {@link decodePrefix} to learn how many were used).
 * @throws PerDecodeError (with the field path and bit offset) for any invalid, truncated or hostile input;
 *   never any other error
 */
export function decode<T>(type: PerType<T>, data: Uint8Array): T {
  return decodePrefix(type, data).value;
}

/**
 * Decodes a value of `type` from the start of `data` and tells how many octets its encoding took (at least 1).
 * @throws PerDecodeError as {@link decode}
 */
export function decodePrefix<T>(type: PerType<T>, data: Uint8Array): { value: T; octets: number } {
  const r = new BitReader(data);
  let value: unknown;
  try {
    value = decodeValue(r, type);
  } catch (error) {
    if (error instanceof PerDecodeError) throw error;
    throw new PerDecodeError(`cannot decode: ${String(error)}`, formatPath(r.path), r.bitPosition, { cause: error });
  }
  return { value: value as T, octets: Math.max(1, (r.bitPosition + 7) >>> 3) };
}
