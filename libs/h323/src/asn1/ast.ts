/**
 * Syntax tree of the ASN.1 subset the compiler reads (X.680 type and value notation, X.682 constraints,
 * X.683 parameterization, the X.681 `TYPE-IDENTIFIER.&Type` open type). Produced by parser.ts, consumed by
 * schema-builder.ts.
 */

/** Source position for error messages. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export type TagClass = 'UNIVERSAL' | 'APPLICATION' | 'CONTEXT' | 'PRIVATE';

/** A tag `[class number]` with its IMPLICIT/EXPLICIT mode (X.680 §31). */
export interface TagAst {
  readonly cls: TagClass;
  readonly number: number;
  readonly mode: 'IMPLICIT' | 'EXPLICIT' | undefined;
}

/** Built-in types without inner structure. */
export type SimpleTypeName =
  | 'BOOLEAN'
  | 'NULL'
  | 'OBJECT IDENTIFIER'
  | 'RELATIVE-OID'
  | 'REAL'
  | 'EXTERNAL'
  | 'IA5String'
  | 'NumericString'
  | 'PrintableString'
  | 'VisibleString'
  | 'ISO646String'
  | 'BMPString'
  | 'UniversalString'
  | 'UTF8String'
  | 'GeneralString'
  | 'GraphicString'
  | 'TeletexString'
  | 'T61String'
  | 'VideotexString'
  | 'ObjectDescriptor'
  | 'GeneralizedTime'
  | 'UTCTime';

export interface NamedNumber {
  readonly name: string;
  readonly value: ValueAst | undefined;
}

export interface ComponentAst {
  readonly name: string;
  readonly type: TypeAst;
  readonly optional: boolean;
  readonly default: ValueAst | undefined;
  readonly position: Position;
}

/** An extension addition group `[[ … ]]` (X.680 §25). */
export interface GroupAst {
  readonly group: readonly ComponentAst[];
}

/** Component lists of SEQUENCE/SET/CHOICE: root (both parts, in order), extension marker, additions. */
export interface ComponentListAst {
  readonly root: readonly ComponentAst[];
  readonly extensible: boolean;
  readonly additions: readonly (ComponentAst | GroupAst)[];
}

export type TypeBodyAst =
  | { readonly t: 'simple'; readonly name: SimpleTypeName }
  | { readonly t: 'integer'; readonly named: readonly NamedNumber[] }
  | {
      readonly t: 'enumerated';
      readonly root: readonly NamedNumber[];
      readonly extensible: boolean;
      readonly additions: readonly NamedNumber[];
    }
  | { readonly t: 'bitstring'; readonly named: readonly NamedNumber[] }
  | { readonly t: 'octetstring' }
  | { readonly t: 'sequence' | 'set'; readonly list: ComponentListAst }
  | { readonly t: 'choice'; readonly list: ComponentListAst }
  | { readonly t: 'sequenceof' | 'setof'; readonly item: TypeAst }
  | { readonly t: 'ref'; readonly module: string | undefined; readonly name: string; readonly args: readonly TypeAst[] }
  | { readonly t: 'classfield'; readonly className: string; readonly field: string };

/** A type with its tag and the constraints applied to it in order (serially, X.680 §49.8). */
export interface TypeAst {
  readonly body: TypeBodyAst;
  readonly tag: TagAst | undefined;
  readonly constraints: readonly ConstraintAst[];
  readonly position: Position;
}

/** A subtype constraint (X.680 §49): root element set, extension marker, additional elements. */
export interface ConstraintAst {
  /** Undefined for constraints that are never PER-visible (user-defined, table, contents constraints). */
  readonly root: ElementSetAst | undefined;
  readonly extensible: boolean;
  readonly additions: ElementSetAst | undefined;
}

export type ElementSetAst =
  | { readonly t: 'union'; readonly items: readonly ElementSetAst[] }
  | { readonly t: 'intersection'; readonly items: readonly ElementSetAst[] }
  | { readonly t: 'except'; readonly base: ElementSetAst; readonly excluded: ElementSetAst }
  | { readonly t: 'all' }
  | { readonly t: 'value'; readonly value: ValueAst }
  | { readonly t: 'range'; readonly lb: ValueAst | 'MIN'; readonly ub: ValueAst | 'MAX'; readonly lbOpen: boolean; readonly ubOpen: boolean }
  | { readonly t: 'size'; readonly constraint: ConstraintAst }
  | { readonly t: 'from'; readonly constraint: ConstraintAst }
  | { readonly t: 'type'; readonly type: TypeAst }
  | { readonly t: 'opaque' };

export type ValueAst =
  | { readonly v: 'number'; readonly value: number }
  | { readonly v: 'boolean'; readonly value: boolean }
  | { readonly v: 'null' }
  | { readonly v: 'string'; readonly value: string }
  | { readonly v: 'bits'; readonly value: string; readonly radix: 2 | 16 }
  | { readonly v: 'reference'; readonly name: string }
  | { readonly v: 'braces'; readonly items: readonly ValueAst[] };

export interface TypeAssignmentAst {
  readonly name: string;
  readonly params: readonly string[];
  readonly type: TypeAst;
  readonly position: Position;
}

export interface ValueAssignmentAst {
  readonly name: string;
  readonly type: TypeAst;
  readonly value: ValueAst;
  readonly position: Position;
}

export interface ImportAst {
  readonly module: string;
  readonly symbols: readonly string[];
}

export type TagDefault = 'EXPLICIT' | 'IMPLICIT' | 'AUTOMATIC';

export interface ModuleAst {
  readonly name: string;
  readonly source: string;
  readonly tagDefault: TagDefault;
  readonly extensibilityImplied: boolean;
  readonly imports: readonly ImportAst[];
  readonly types: readonly TypeAssignmentAst[];
  readonly values: readonly ValueAssignmentAst[];
}
