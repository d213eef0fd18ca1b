import type { ComponentAst, ComponentListAst, TagClass, TypeAst } from './ast';

/** A tag's class and number. */
export interface Tag {
  readonly cls: TagClass;
  readonly number: number;
}

/** Follows a type reference to the referenced type's notation (and applies parameters), or undefined. */
export type TypeResolver = (type: TypeAst) => TypeAst | undefined;

const UNIVERSAL: Record<string, number> = {
  BOOLEAN: 1,
  integer: 2,
  bitstring: 3,
  octetstring: 4,
  NULL: 5,
  'OBJECT IDENTIFIER': 6,
  ObjectDescriptor: 7,
  EXTERNAL: 8,
  REAL: 9,
  enumerated: 10,
  UTF8String: 12,
  'RELATIVE-OID': 13,
  sequence: 16,
  sequenceof: 16,
  set: 17,
  setof: 17,
  NumericString: 18,
  PrintableString: 19,
  TeletexString: 20,
  T61String: 20,
  VideotexString: 21,
  IA5String: 22,
  UTCTime: 23,
  GeneralizedTime: 24,
  GraphicString: 25,
  VisibleString: 26,
  ISO646String: 26,
  GeneralString: 27,
  UniversalString: 28,
  BMPString: 30,
};

const CLASS_ORDER: Record<TagClass, number> = { UNIVERSAL: 0, APPLICATION: 1, CONTEXT: 2, PRIVATE: 3 };

/**
 * Whether automatic tagging (X.680 §24.3, §28.3) applies to a component list: the module has AUTOMATIC TAGS
 * and no component carries a tag. Automatically tagged components are already in canonical order.
 */
export function isAutomaticallyTagged(list: ComponentListAst, automaticModule: boolean): boolean {
  if (!automaticModule) return false;
  const tagged = (c: ComponentAst): boolean => c.type.tag !== undefined;
  return !list.root.some(tagged) && !list.additions.some((a) => ('group' in a ? a.group.some(tagged) : tagged(a)));
}

/**
 * The outermost tag of a type (X.680 §8.6, §31): its own tag, the UNIVERSAL tag of a built-in type, the tag of a
 * referenced type, or for an untagged CHOICE the smallest tag of its alternatives. Undefined for open types.
 */
export function outermostTag(type: TypeAst, resolve: TypeResolver, depth = 0): Tag | undefined {
  if (type.tag !== undefined) return { cls: type.tag.cls, number: type.tag.number };
  if (depth > 64) return undefined;
  const body = type.body;
  switch (body.t) {
    case 'ref': {
      const target = resolve(type);
      return target === undefined ? undefined : outermostTag(target, resolve, depth + 1);
    }
    case 'choice': {
      let best: Tag | undefined;
      for (const alternative of body.list.root) {
        const tag = outermostTag(alternative.type, resolve, depth + 1);
        if (tag !== undefined && (best === undefined || compareTags(tag, best) < 0)) best = tag;
      }
      return best;
    }
    case 'classfield':
      return undefined;
    case 'simple':
      return { cls: 'UNIVERSAL', number: UNIVERSAL[body.name] };
    default:
      return { cls: 'UNIVERSAL', number: UNIVERSAL[body.t] };
  }
}

/** Canonical tag order (X.680 §8.6): UNIVERSAL, APPLICATION, context-specific, PRIVATE; then by number. */
export function compareTags(a: Tag, b: Tag): number {
  return CLASS_ORDER[a.cls] - CLASS_ORDER[b.cls] || a.number - b.number;
}

/**
 * Sorts components into canonical tag order (X.691 §20 for SET, §22 for CHOICE indexes); a stable sort, with
 * components of indeterminate tag kept last.
 */
export function sortByTag<T extends { readonly type: TypeAst }>(items: readonly T[], resolve: TypeResolver): T[] {
  const keyed = items.map((item, index) => ({ item, index, tag: outermostTag(item.type, resolve) }));
  keyed.sort((a, b) => {
    if (a.tag === undefined || b.tag === undefined) {
      return (a.tag === undefined ? 1 : 0) - (b.tag === undefined ? 1 : 0) || a.index - b.index;
    }
    return compareTags(a.tag, b.tag) || a.index - b.index;
  });
  return keyed.map((k) => k.item);
}
