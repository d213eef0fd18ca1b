/**
 * The declarative schema the ASN.1 compiler produces and `asn1/generated/` holds: one plain, serializable node per
 * type, carrying only what aligned PER needs — the effective PER-visible constraints (X.691 §9.3), extension
 * markers, component order — with references between named types left as `REF` nodes. {@link linkSchema}
 * (schema-linker.ts) turns a set of modules into the compiled graph the codec walks.
 *
 * Conventions: SET components are already in the canonical tag order (X.691 §20), CHOICE root alternatives in
 * the canonical tag order (X.691 §22), ENUMERATED root items in ascending value order (X.691 §13);
 * extension-addition groups of a CHOICE are flattened (X.691 §22.5).
 */

/** Effective PER-visible SIZE constraint: the root range lb..ub (ub absent = no upper bound) and its marker. */
export interface SizeConstraint {
  readonly lb: number;
  readonly ub?: number;
  readonly extensible?: boolean;
}

/** Restricted character string types with a fixed number of bits per character (X.691 §27). */
export type KnownMultiplierStringType =
  | 'IA5String'
  | 'NumericString'
  | 'PrintableString'
  | 'VisibleString'
  | 'BMPString'
  | 'UniversalString';

/** Character string types encoded as a length-prefixed octet string (X.691 §28 and §27 for UTF8String). */
export type OctetStringBasedStringType =
  | 'GeneralString'
  | 'GraphicString'
  | 'TeletexString'
  | 'VideotexString'
  | 'ObjectDescriptor'
  | 'UTF8String'
  | 'GeneralizedTime'
  | 'UTCTime';

export type StringType = KnownMultiplierStringType | OctetStringBasedStringType;

/** A component of a SEQUENCE or SET. DEFAULT components are optional in the encoding (X.691 §18.2). */
export interface ComponentNode {
  readonly name: string;
  readonly type: SchemaNode;
  readonly optional?: boolean;
  /** The DEFAULT value, when one is given (informational; the codec encodes what is present). */
  readonly default?: DefaultValue;
}

/** An extension addition of a SEQUENCE or SET: one component or an extension addition group `[[ ]]`. */
export type AdditionNode = ComponentNode | { readonly group: readonly ComponentNode[] };

/** An alternative of a CHOICE. */
export interface AlternativeNode {
  readonly name: string;
  readonly type: SchemaNode;
}

/** DEFAULT values as the compiler understood them. */
export type DefaultValue = number | boolean | string | null | readonly DefaultValue[];

export type SchemaNode =
  | { readonly kind: 'BOOLEAN' }
  | { readonly kind: 'NULL' }
  | { readonly kind: 'INTEGER'; readonly lb?: number; readonly ub?: number; readonly extensible?: boolean }
  | {
      readonly kind: 'ENUMERATED';
      readonly root: readonly string[];
      readonly additions?: readonly string[];
      readonly extensible?: boolean;
    }
  | { readonly kind: 'BIT STRING'; readonly size?: SizeConstraint }
  | { readonly kind: 'OCTET STRING'; readonly size?: SizeConstraint }
  | { readonly kind: 'OBJECT IDENTIFIER' }
  | {
      readonly kind: 'STRING';
      readonly stringType: StringType;
      readonly size?: SizeConstraint;
      /** Effective permitted alphabet (FROM constraint), characters in ascending code order. */
      readonly alphabet?: string;
    }
  | {
      readonly kind: 'SEQUENCE';
      readonly set?: boolean;
      readonly root: readonly ComponentNode[];
      readonly extensible?: boolean;
      readonly additions?: readonly AdditionNode[];
    }
  | { readonly kind: 'SEQUENCE OF'; readonly set?: boolean; readonly item: SchemaNode; readonly size?: SizeConstraint }
  | {
      readonly kind: 'CHOICE';
      readonly root: readonly AlternativeNode[];
      readonly extensible?: boolean;
      readonly additions?: readonly AlternativeNode[];
    }
  /** An open type (X.691 §10.2), e.g. `TYPE-IDENTIFIER.&Type (T)`; `contains` names the constraining type T. */
  | { readonly kind: 'OPEN TYPE'; readonly contains?: SchemaNode }
  | { readonly kind: 'REF'; readonly module: string; readonly name: string };

/** One ASN.1 module: its name and its (non-parameterized) type assignments. */
export interface ModuleSchema {
  readonly name: string;
  readonly types: Readonly<Record<string, SchemaNode>>;
}
