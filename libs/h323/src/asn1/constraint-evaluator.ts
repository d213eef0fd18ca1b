import type { ConstraintAst, ElementSetAst, ValueAst } from './ast';

/** An integer range; undefined bounds are MIN / MAX. */
export interface Range {
  readonly lb: number | undefined;
  readonly ub: number | undefined;
}

/** `'all'`: the element set does not restrict this aspect (it is not PER-visible for it). */
export type All = 'all';

/** Resolves a value reference to an integer (value assignments), or undefined when it is not one. */
export type ValueLookup = (name: string) => number | undefined;

/** The PER-visible effect of one constraint on a type (X.691 §9.3): value range, size, permitted alphabet. */
export interface ConstraintEffect {
  readonly values: Range | All;
  readonly valuesExtensible: boolean;
  readonly size: Range | All;
  readonly sizeExtensible: boolean;
  /** Permitted alphabet as a set of character codes. */
  readonly alphabet: ReadonlySet<number> | All;
}

/**
 * Evaluates one constraint for its PER-visible effect (X.691 §9.3): integer value ranges (single values,
 * ranges, unions as the bounding range, intersections), SIZE constraints and FROM permitted alphabets.
 * Constraints that are never PER-visible (user-defined, table, contents, inner-type `WITH COMPONENTS`,
 * contained subtypes) restrict nothing. The extension marker of the outermost constraint makes the value range
 * extensible; that of a SIZE constraint's own parentheses makes the size extensible.
 */
export function evaluateConstraint(constraint: ConstraintAst, lookup: ValueLookup): ConstraintEffect {
  if (constraint.root === undefined) {
    return { values: 'all', valuesExtensible: false, size: 'all', sizeExtensible: false, alphabet: 'all' };
  }
  const sizeInfo = sizeOf(constraint.root, lookup);
  return {
    values: valuesOf(constraint.root, lookup),
    valuesExtensible: constraint.extensible,
    size: sizeInfo.range,
    sizeExtensible: sizeInfo.extensible || (constraint.extensible && sizeInfo.range !== 'all'),
    alphabet: alphabetOf(constraint.root, lookup),
  };
}

/** Intersection of two ranges. */
export function intersectRanges(a: Range, b: Range): Range {
  return {
    lb: a.lb === undefined ? b.lb : b.lb === undefined ? a.lb : Math.max(a.lb, b.lb),
    ub: a.ub === undefined ? b.ub : b.ub === undefined ? a.ub : Math.min(a.ub, b.ub),
  };
}

function valuesOf(set: ElementSetAst, lookup: ValueLookup): Range | All {
  switch (set.t) {
    case 'value': {
      const n = integerOf(set.value, lookup);
      return n === undefined ? 'all' : { lb: n, ub: n };
    }
    case 'range': {
      let lb = set.lb === 'MIN' ? undefined : integerOf(set.lb, lookup);
      let ub = set.ub === 'MAX' ? undefined : integerOf(set.ub, lookup);
      if (set.lb !== 'MIN' && lb === undefined) return 'all';
      if (set.ub !== 'MAX' && ub === undefined) return 'all';
      if (lb !== undefined && set.lbOpen) lb++;
      if (ub !== undefined && set.ubOpen) ub--;
      return { lb, ub };
    }
    case 'union':
      return combine(
        set.items.map((item) => valuesOf(item, lookup)),
        true,
      );
    case 'intersection':
      return combine(
        set.items.map((item) => valuesOf(item, lookup)),
        false,
      );
    case 'except':
      return valuesOf(set.base, lookup);
    default:
      return 'all';
  }
}

function sizeOf(set: ElementSetAst, lookup: ValueLookup): { range: Range | All; extensible: boolean } {
  switch (set.t) {
    case 'size': {
      const inner = set.constraint;
      const range = inner.root === undefined ? 'all' : valuesOf(inner.root, lookup);
      return { range, extensible: inner.extensible && range !== 'all' };
    }
    case 'union':
    case 'intersection': {
      const parts = set.items.map((item) => sizeOf(item, lookup));
      const range = combine(
        parts.map((p) => p.range),
        set.t === 'union',
      );
      return { range, extensible: parts.some((p) => p.extensible) };
    }
    case 'except':
      return sizeOf(set.base, lookup);
    default:
      return { range: 'all', extensible: false };
  }
}

function alphabetOf(set: ElementSetAst, lookup: ValueLookup): ReadonlySet<number> | All {
  switch (set.t) {
    case 'from':
      return set.constraint.root === undefined || set.constraint.extensible
        ? 'all'
        : charactersOf(set.constraint.root, lookup);
    case 'union':
    case 'intersection': {
      const parts = set.items.map((item) => alphabetOf(item, lookup));
      return combineSets(parts, set.t === 'union');
    }
    case 'except':
      return alphabetOf(set.base, lookup);
    default:
      return 'all';
  }
}

/** Characters of a permitted-alphabet element set: strings contribute their characters, "a".."z" a range. */
function charactersOf(set: ElementSetAst, lookup: ValueLookup): ReadonlySet<number> | All {
  switch (set.t) {
    case 'value':
      if (set.value.v !== 'string') return 'all';
      return new Set(Array.from(set.value.value, (c) => c.charCodeAt(0)));
    case 'range': {
      if (set.lb === 'MIN' || set.ub === 'MAX' || set.lb.v !== 'string' || set.ub.v !== 'string') return 'all';
      const out = new Set<number>();
      const first = set.lb.value.charCodeAt(0) + (set.lbOpen ? 1 : 0);
      const last = set.ub.value.charCodeAt(0) - (set.ubOpen ? 1 : 0);
      for (let code = first; code <= last; code++) out.add(code);
      return out;
    }
    case 'union':
    case 'intersection':
      return combineSets(
        set.items.map((item) => charactersOf(item, lookup)),
        set.t === 'union',
      );
    default:
      void lookup;
      return 'all';
  }
}

function combine(parts: (Range | All)[], union: boolean): Range | All {
  let result: Range | undefined;
  for (const part of parts) {
    if (part === 'all') {
      if (union) return 'all';
      continue;
    }
    result = result === undefined ? part : union ? unionRange(result, part) : intersectRanges(result, part);
  }
  return result ?? 'all';
}

function unionRange(a: Range, b: Range): Range {
  return {
    lb: a.lb === undefined || b.lb === undefined ? undefined : Math.min(a.lb, b.lb),
    ub: a.ub === undefined || b.ub === undefined ? undefined : Math.max(a.ub, b.ub),
  };
}

function combineSets(parts: (ReadonlySet<number> | All)[], union: boolean): ReadonlySet<number> | All {
  let result: Set<number> | undefined;
  for (const part of parts) {
    if (part === 'all') {
      if (union) return 'all';
      continue;
    }
    if (result === undefined) result = new Set(part);
    else if (union) for (const code of part) result.add(code);
    else for (const code of [...result]) if (!part.has(code)) result.delete(code);
  }
  return result ?? 'all';
}

function integerOf(value: ValueAst, lookup: ValueLookup): number | undefined {
  if (value.v === 'number') return value.value;
  if (value.v === 'reference') return lookup(value.name);
  return undefined;
}
