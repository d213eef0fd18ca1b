import type { DefaultValue, KnownMultiplierStringType, StringType } from './schema';

/**
 * The compiled schema graph the codec walks: one object per type with everything the aligned-PER encoding needs
 * computed once (bit widths, alignment decisions, lookup maps). References are direct object links, so
 * recursive types are cycles in the graph. Built by {@link linkSchema}; never mutated afterwards.
 */
export type CompiledType =
  | BooleanType
  | NullType
  | IntegerType
  | EnumeratedType
  | BitStringType
  | OctetStringType
  | ObjectIdentifierType
  | CharacterStringType
  | SequenceType
  | SequenceOfType
  | ChoiceType
  | OpenType;

interface Named {
  /** The ASN.1 type reference this type was assigned to (`Module.Type`), when it has one. */
  name: string | undefined;
}

/**
 * Effective SIZE constraint of a string or SEQUENCE OF (X.691 §9.3.7 …): root bounds, extension marker and
 * whether the size is fixed (lb = ub < 64K: no length determinant is encoded).
 */
export interface SizePlan {
  readonly lb: number;
  /** Upper bound of the root; undefined when there is none. */
  readonly ub: number | undefined;
  readonly extensible: boolean;
  readonly fixed: boolean;
  /** ub < 64K: the length is a constrained whole number (X.691 §10.9.3.3); else an unconstrained one. */
  readonly constrainedLength: boolean;
}

export interface BooleanType extends Named {
  readonly kind: 'BOOLEAN';
}

export interface NullType extends Named {
  readonly kind: 'NULL';
}

/** INTEGER (X.691 §12): how the root value is encoded follows from which bounds exist. */
export interface IntegerType extends Named {
  readonly kind: 'INTEGER';
  readonly lb: number | undefined;
  readonly ub: number | undefined;
  readonly extensible: boolean;
}

/** ENUMERATED (X.691 §13): root items in index order, then the extension additions. */
export interface EnumeratedType extends Named {
  readonly kind: 'ENUMERATED';
  readonly root: readonly string[];
  readonly additions: readonly string[];
  readonly extensible: boolean;
  /** name → root index, or `-(1 + addition index)` for extension additions. */
  readonly indexOf: ReadonlyMap<string, number>;
}

export interface BitStringType extends Named {
  readonly kind: 'BIT STRING';
  readonly size: SizePlan | undefined;
}

export interface OctetStringType extends Named {
  readonly kind: 'OCTET STRING';
  readonly size: SizePlan | undefined;
}

export interface ObjectIdentifierType extends Named {
  readonly kind: 'OBJECT IDENTIFIER';
}

/**
 * Character strings. Known-multiplier types (X.691 §27) carry the bits per character `b` of the ALIGNED variant
 * and, when the characters are re-indexed (their codes do not fit in b bits, §27.5.4), the effective alphabet.
 * The other string types (X.691 §28) are length-prefixed octets in `octetEncoding`.
 */
export interface CharacterStringType extends Named {
  readonly kind: 'STRING';
  readonly stringType: StringType;
  readonly knownMultiplier: boolean;
  readonly size: SizePlan | undefined;
  /** Effective permitted alphabet (FROM constraint) in ascending order; undefined when unconstrained. */
  readonly permittedAlphabet: string | undefined;
  /** Bits per character (ALIGNED variant, §27.5.2); 8 for octet-based types. */
  readonly bitsPerChar: number;
  /** Effective permitted alphabet in canonical (ascending) order when characters are encoded by index. */
  readonly indexAlphabet: string | undefined;
  /** code → index for indexed alphabets. */
  readonly indexOfCode: ReadonlyMap<number, number> | undefined;
  /** Whether the characters field is octet-aligned (§27.5.7) when the size is fixed / variable and bounded. */
  readonly alignFixed: boolean;
  readonly alignVariable: boolean;
  readonly octetEncoding: 'latin1' | 'utf8';
  readonly knownType: KnownMultiplierStringType | undefined;
}

export interface CompiledComponent {
  readonly name: string;
  readonly type: CompiledType;
  readonly optional: boolean;
  readonly default: DefaultValue | undefined;
}

/** One position of the extension-addition bitmap: a single component, or a group `[[ ]]` (X.691 §18.9). */
export interface CompiledAddition {
  readonly group: boolean;
  readonly components: readonly CompiledComponent[];
  /** Number of OPTIONAL/DEFAULT components of a group (its own presence bitmap). */
  readonly optionalCount: number;
}

/** SEQUENCE and SET (X.691 §18, §20); SET components are already in canonical tag order. */
export interface SequenceType extends Named {
  readonly kind: 'SEQUENCE';
  readonly set: boolean;
  readonly root: readonly CompiledComponent[];
  readonly optionalCount: number;
  readonly extensible: boolean;
  readonly additions: readonly CompiledAddition[];
}

export interface SequenceOfType extends Named {
  readonly kind: 'SEQUENCE OF';
  readonly set: boolean;
  readonly item: CompiledType;
  readonly size: SizePlan | undefined;
  /**
   * Lower bound of the bits per item, computed on first decode (-1 until then); bounds the item count a decoder
   * accepts from a hostile length.
   */
  itemMinimumBits: number;
}

export interface CompiledAlternative {
  readonly name: string;
  readonly type: CompiledType;
  /** Index among the root alternatives, or among the extension additions when `extension`. */
  readonly index: number;
  readonly extension: boolean;
}

/** CHOICE (X.691 §22). */
export interface ChoiceType extends Named {
  readonly kind: 'CHOICE';
  readonly root: readonly CompiledAlternative[];
  readonly additions: readonly CompiledAlternative[];
  readonly extensible: boolean;
  readonly byName: ReadonlyMap<string, CompiledAlternative>;
}

/** Open type (X.691 §10.2): the value is the contained encoding, kept as octets. */
export interface OpenType extends Named {
  readonly kind: 'OPEN TYPE';
  /** The type the contents are constrained to (e.g. ClearToken for `TYPE-IDENTIFIER.&Type (ClearToken)`). */
  readonly contains: CompiledType | undefined;
}

declare const valueType: unique symbol;

/**
 * A compiled type whose values have the TypeScript type `T`; what the generated schema exports and what
 * {@link encode}/{@link decode} take.
 */
export type PerType<T> = CompiledType & { readonly [valueType]?: T };
