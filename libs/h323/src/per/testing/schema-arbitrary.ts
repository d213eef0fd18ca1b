import fc from 'fast-check';
import type {
  CharacterStringType,
  CompiledAddition,
  CompiledType,
  IntegerType,
  SequenceType,
  SizePlan,
} from '../compiled-type';
import { canonicalChars } from '../permitted-alphabet';

/** Limits of the generated values (tests only). */
export interface SchemaArbitraryOptions {
  /** Deepest nesting of SEQUENCE / CHOICE / SEQUENCE OF levels. */
  readonly maxDepth: number;
  /** Most items of a SEQUENCE OF beyond its lower size bound. */
  readonly maxExtraItems: number;
  /** Most characters / octets / bits beyond a lower size bound. */
  readonly maxExtraLength: number;
  /** Largest magnitude of INTEGERs without both bounds (default 2^53 − 1). */
  readonly maxUnboundedInteger: number;
  /** Types never generated: optional components and alternatives of these types are left out. */
  readonly avoid: (type: CompiledType) => boolean;
  /**
   * Replaces the generator of a SEQUENCE component (e.g. octet strings that carry nested PDUs): an arbitrary,
   * `'omit'` to leave an optional component out, or undefined for the schema's own generator.
   */
  readonly component: (owner: SequenceType, name: string) => fc.Arbitrary<unknown> | 'omit' | undefined;
}

const DEFAULTS: SchemaArbitraryOptions = {
  maxDepth: 10,
  maxExtraItems: 2,
  maxExtraLength: 24,
  maxUnboundedInteger: Number.MAX_SAFE_INTEGER,
  avoid: () => false,
  component: () => undefined,
};

/**
 * A fast-check arbitrary of random values of a compiled type, respecting its PER-visible constraints (value
 * ranges, SIZE, permitted alphabets, fixed sizes) and the value representation of values.ts. Optional
 * components, extension additions and groups are present about half the time; CHOICE picks any alternative
 * that can still terminate within the depth budget (each type's least nesting depth is computed once).
 * Integers stay within ±2^53 so that decoding gives back numbers.
 */
export function schemaArbitrary(type: CompiledType, options: Partial<SchemaArbitraryOptions> = {}): fc.Arbitrary<unknown> {
  const generator = new ArbitraryBuilder({ ...DEFAULTS, ...options });
  return generator.arbitrary(type, generator.options.maxDepth);
}

class ArbitraryBuilder {
  private readonly memo = new Map<CompiledType, Map<number, fc.Arbitrary<unknown>>>();
  private readonly depths = new Map<CompiledType, number>();

  constructor(readonly options: SchemaArbitraryOptions) {}

  arbitrary(type: CompiledType, depth: number): fc.Arbitrary<unknown> {
    let byDepth = this.memo.get(type);
    if (byDepth === undefined) {
      byDepth = new Map();
      this.memo.set(type, byDepth);
    }
    let arbitrary = byDepth.get(depth);
    if (arbitrary === undefined) {
      // Placeholder for recursion at the same depth (cannot happen: depth strictly decreases).
      arbitrary = this.build(type, depth);
      byDepth.set(depth, arbitrary);
    }
    return arbitrary;
  }

  /** Least nesting depth any value of `type` needs (fixed point over the type graph). */
  minimumDepth(type: CompiledType): number {
    if (this.depths.size === 0 || !this.depths.has(type)) this.computeDepths(type);
    return this.depths.get(type) ?? Infinity;
  }

  private build(type: CompiledType, depth: number): fc.Arbitrary<unknown> {
    switch (type.kind) {
      case 'BOOLEAN':
        return fc.boolean();
      case 'NULL':
        return fc.constant(null);
      case 'INTEGER':
        return integer(type, this.options.maxUnboundedInteger);
      case 'ENUMERATED':
        return fc.constantFrom(...type.root, ...type.additions);
      case 'BIT STRING':
        return fc
          .integer(this.sizeRange(type.size))
          .chain((length) =>
            fc.uint8Array({ minLength: (length + 7) >> 3, maxLength: (length + 7) >> 3 }).map((bytes) => {
              const bits = Buffer.from(bytes);
              if (length % 8 !== 0) bits[bits.length - 1] &= 0xff << (8 - (length % 8));
              return { bits, length };
            }),
          );
      case 'OCTET STRING': {
        const { min, max } = this.sizeRange(type.size);
        return fc.uint8Array({ minLength: min, maxLength: max }).map((bytes) => Buffer.from(bytes));
      }
      case 'OPEN TYPE':
        return fc.uint8Array({ minLength: 1, maxLength: 16 }).map((bytes) => Buffer.from(bytes));
      case 'OBJECT IDENTIFIER':
        return objectIdentifier();
      case 'STRING':
        return this.characterString(type);
      case 'SEQUENCE OF': {
        const { min, max } = this.sizeRange(type.size, this.options.maxExtraItems);
        if (this.minimumDepth(type.item) > depth - 1) {
          if (min > 0) throw new Error(`items of ${type.name ?? 'SEQUENCE OF'} do not fit depth ${depth}`);
          return fc.constant([]);
        }
        return fc.array(this.arbitrary(type.item, depth - 1), { minLength: min, maxLength: max });
      }
      case 'CHOICE': {
        const alternatives = [...type.root, ...type.additions].filter((a) => this.minimumDepth(a.type) <= depth - 1);
        if (alternatives.length === 0) throw new Error(`no CHOICE alternative of ${type.name ?? 'CHOICE'} fits depth ${depth}`);
        return fc.oneof(
          ...alternatives.map((a) => this.arbitrary(a.type, depth - 1).map((value) => ({ tag: a.name, value }))),
        );
      }
      case 'SEQUENCE':
        return this.sequence(type, depth);
    }
  }

  private sequence(type: SequenceType, depth: number): fc.Arbitrary<unknown> {
    const parts: fc.Arbitrary<Record<string, unknown>>[] = [];
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const c of type.root) {
      const replaced = this.options.component(type, c.name);
      if (replaced === 'omit' && c.optional) continue;
      if (replaced !== undefined && replaced !== 'omit') model[c.name] = c.optional ? this.optional(replaced) : replaced;
      else if (!c.optional) model[c.name] = this.arbitrary(c.type, depth - 1);
      else if (this.minimumDepth(c.type) <= depth - 1) model[c.name] = this.optional(this.arbitrary(c.type, depth - 1));
    }
    parts.push(fc.record(model));
    for (const addition of type.additions) {
      const group = this.addition(type, addition, depth);
      if (group !== undefined) parts.push(this.optional(group).map((g) => g ?? {}));
    }
    return fc.tuple(...parts).map((records) => stripUndefined(Object.assign({}, ...records)));
  }

  private addition(
    owner: SequenceType,
    addition: CompiledAddition,
    depth: number,
  ): fc.Arbitrary<Record<string, unknown>> | undefined {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const c of addition.components) {
      const replaced = this.options.component(owner, c.name);
      if (replaced === 'omit') {
        if (!c.optional && addition.group) return undefined;
        if (!addition.group) return undefined;
        continue;
      }
      if (replaced !== undefined) {
        model[c.name] = addition.group && c.optional ? this.optional(replaced) : replaced;
        continue;
      }
      const fits = this.minimumDepth(c.type) <= depth - 1;
      if (!fits && (!c.optional || addition.group === false)) return undefined;
      if (!fits) continue;
      const value = this.arbitrary(c.type, depth - 1);
      model[c.name] = addition.group && c.optional ? this.optional(value) : value;
    }
    return fc.record(model);
  }

  private optional<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
    return fc.option(arbitrary, { nil: undefined, freq: 2 });
  }

  private characterString(type: CharacterStringType): fc.Arbitrary<string> {
    const { min, max } = this.sizeRange(type.knownMultiplier ? type.size : undefined);
    let chars: fc.Arbitrary<string>;
    if (type.permittedAlphabet !== undefined) chars = fc.constantFrom(...type.permittedAlphabet);
    else if (type.knownType === 'BMPString') chars = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    else if (type.knownType !== undefined && type.knownType !== 'UniversalString') {
      chars = fc.constantFrom(...canonicalChars(type.knownType));
    } else if (type.octetEncoding === 'utf8') chars = fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' });
    else chars = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
    return fc.array(chars, { minLength: min, maxLength: max }).map((list) => list.join(''));
  }

  private sizeRange(size: SizePlan | undefined, extra = this.options.maxExtraLength): { min: number; max: number } {
    const min = size?.lb ?? 0;
    const max = size?.ub !== undefined ? Math.min(size.ub, min + extra) : min + extra;
    return { min, max };
  }

  private computeDepths(root: CompiledType): void {
    const all: CompiledType[] = [];
    const seen = new Set<CompiledType>();
    const visit = (t: CompiledType): void => {
      if (seen.has(t)) return;
      seen.add(t);
      all.push(t);
      for (const child of children(t)) visit(child);
    };
    visit(root);
    for (const t of all) if (!this.depths.has(t)) this.depths.set(t, Infinity);
    for (let changed = true; changed; ) {
      changed = false;
      for (const t of all) {
        const depth = this.depthOf(t);
        if (depth < (this.depths.get(t) as number)) {
          this.depths.set(t, depth);
          changed = true;
        }
      }
    }
  }

  private depthOf(t: CompiledType): number {
    if (this.options.avoid(t)) return Infinity;
    const get = (c: CompiledType): number => this.depths.get(c) ?? Infinity;
    switch (t.kind) {
      case 'SEQUENCE':
        return 1 + Math.max(0, ...t.root.filter((c) => !c.optional).map((c) => get(c.type)));
      case 'SEQUENCE OF':
        return 1 + ((t.size?.lb ?? 0) > 0 ? get(t.item) : 0);
      case 'CHOICE':
        return 1 + Math.min(...[...t.root, ...t.additions].map((a) => get(a.type)));
      default:
        return 0;
    }
  }
}

function children(t: CompiledType): CompiledType[] {
  switch (t.kind) {
    case 'SEQUENCE':
      return [...t.root.map((c) => c.type), ...t.additions.flatMap((a) => a.components.map((c) => c.type))];
    case 'SEQUENCE OF':
      return [t.item];
    case 'CHOICE':
      return [...t.root, ...t.additions].map((a) => a.type);
    default:
      return [];
  }
}

function integer(type: IntegerType, maxUnbounded: number): fc.Arbitrary<number> {
  const lb = type.lb ?? -maxUnbounded;
  const ub = type.ub ?? Math.min(Number.MAX_SAFE_INTEGER, (type.lb ?? 0) + maxUnbounded);
  const root = bounded(lb, ub);
  if (!type.extensible) return root;
  const outside: fc.Arbitrary<number>[] = [];
  if (type.ub !== undefined) outside.push(bounded(type.ub + 1, type.ub + 100000));
  if (type.lb !== undefined) outside.push(bounded(type.lb - 100000, type.lb - 1));
  return outside.length === 0 ? root : fc.oneof(root, ...outside);
}

function bounded(min: number, max: number): fc.Arbitrary<number> {
  if (min >= -0x80000000 && max <= 0x7fffffff) return fc.integer({ min, max });
  const edges = fc.constantFrom(min, max, Math.max(min, Math.min(max, 0)));
  const wide = fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number);
  const smallMin = Math.max(min, -1000);
  const smallMax = Math.min(max, 1000);
  return smallMin <= smallMax ? fc.oneof(wide, edges, fc.integer({ min: smallMin, max: smallMax })) : fc.oneof(wide, edges);
}

function objectIdentifier(): fc.Arbitrary<string> {
  const first = fc.integer({ min: 0, max: 2 });
  const arcs = fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0x7fffffff })), { maxLength: 6 });
  return fc
    .tuple(first, fc.integer({ min: 0, max: 39 }), fc.integer({ min: 0, max: 2000 }), arcs)
    .map(([a, b, big, rest]) => [a, a === 2 ? big : b, ...rest].join('.'));
}

function stripUndefined(record: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}
