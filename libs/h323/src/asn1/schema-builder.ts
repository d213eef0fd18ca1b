import type {
  AdditionNode,
  AlternativeNode,
  ComponentNode,
  DefaultValue,
  ModuleSchema,
  SchemaNode,
  SizeConstraint,
  StringType,
} from '../per/schema';
import { Asn1CompileError } from './asn1-error';
import type {
  ComponentAst,
  ComponentListAst,
  ConstraintAst,
  ModuleAst,
  NamedNumber,
  Position,
  TypeAssignmentAst,
  TypeAst,
  ValueAssignmentAst,
  ValueAst,
} from './ast';
import { evaluateConstraint, intersectRanges, type Range } from './constraint-evaluator';
import { isAutomaticallyTagged, sortByTag, type TypeResolver } from './tags';

const STRING_TYPES: Record<string, StringType> = {
  IA5String: 'IA5String',
  NumericString: 'NumericString',
  PrintableString: 'PrintableString',
  VisibleString: 'VisibleString',
  ISO646String: 'VisibleString',
  BMPString: 'BMPString',
  UniversalString: 'UniversalString',
  UTF8String: 'UTF8String',
  GeneralString: 'GeneralString',
  GraphicString: 'GraphicString',
  TeletexString: 'TeletexString',
  T61String: 'TeletexString',
  VideotexString: 'VideotexString',
  ObjectDescriptor: 'ObjectDescriptor',
  GeneralizedTime: 'GeneralizedTime',
  UTCTime: 'UTCTime',
};

interface ModuleInfo {
  readonly ast: ModuleAst;
  readonly types: ReadonlyMap<string, TypeAssignmentAst>;
  readonly values: ReadonlyMap<string, ValueAssignmentAst>;
  /** Imported symbol → module it comes from. */
  readonly imports: ReadonlyMap<string, string>;
}

interface Binding {
  readonly type: TypeAst;
  readonly scope: Scope;
}

interface Scope {
  readonly module: ModuleInfo;
  readonly params: ReadonlyMap<string, Binding> | undefined;
}

/**
 * Turns parsed modules into the declarative PER schema (per/schema.ts): resolves references across modules
 * (IMPORTS), instantiates parameterized types (X.683) at each use, computes the effective PER-visible
 * constraints (X.691 §9.3) of INTEGER, strings and SEQUENCE OF, puts SET components and CHOICE root
 * alternatives into canonical tag order, numbers and orders ENUMERATED items, and turns
 * `TYPE-IDENTIFIER.&Type (T)` into an open type containing T. References to named types stay `REF` nodes, so
 * recursive types need no special handling.
 * @throws Asn1CompileError for unknown references, unsupported constructs or inconsistent modules
 */
export function buildModuleSchemas(modules: readonly ModuleAst[]): ModuleSchema[] {
  return new SchemaBuilder(modules).build();
}

class SchemaBuilder {
  private readonly modules = new Map<string, ModuleInfo>();
  private readonly built = new Map<string, SchemaNode>();
  private readonly building = new Set<string>();

  constructor(asts: readonly ModuleAst[]) {
    for (const ast of asts) {
      if (this.modules.has(ast.name)) throw new Asn1CompileError(`module ${ast.name} defined twice`, ast.source, 0, 0);
      const imports = new Map<string, string>();
      for (const entry of ast.imports) for (const symbol of entry.symbols) imports.set(symbol, entry.module);
      this.modules.set(ast.name, {
        ast,
        types: new Map(ast.types.map((t) => [t.name, t])),
        values: new Map(ast.values.map((v) => [v.name, v])),
        imports,
      });
    }
  }

  build(): ModuleSchema[] {
    const result: ModuleSchema[] = [];
    for (const module of this.modules.values()) {
      for (const entry of module.ast.imports) {
        if (!this.modules.has(entry.module)) {
          throw new Asn1CompileError(`imported module ${entry.module} is not among the sources`, module.ast.source, 0, 0);
        }
      }
      const types: Record<string, SchemaNode> = {};
      for (const assignment of module.ast.types) {
        if (assignment.params.length === 0) types[assignment.name] = this.named(module, assignment.name);
      }
      result.push({ name: module.ast.name, types });
    }
    return result;
  }

  private named(module: ModuleInfo, name: string): SchemaNode {
    const key = `${module.ast.name}.${name}`;
    const cached = this.built.get(key);
    if (cached !== undefined) return cached;
    const assignment = module.types.get(name);
    if (assignment === undefined) this.fail(module, undefined, `unknown type ${name}`);
    if (this.building.has(key)) this.fail(module, assignment.position, `type ${name} is constrained by itself`);
    this.building.add(key);
    try {
      const node = this.type(assignment.type, { module, params: undefined });
      this.built.set(key, node);
      return node;
    } finally {
      this.building.delete(key);
    }
  }

  private type(ast: TypeAst, scope: Scope): SchemaNode {
    const body = ast.body;
    switch (body.t) {
      case 'simple':
        return this.constrain(this.simple(body.name, scope, ast.position), ast.constraints, scope);
      case 'integer':
        return this.constrain({ kind: 'INTEGER' }, ast.constraints, scope);
      case 'enumerated':
        return this.enumerated(body.root, body.additions, body.extensible || scope.module.ast.extensibilityImplied, scope);
      case 'bitstring':
        return this.constrain({ kind: 'BIT STRING' }, ast.constraints, scope);
      case 'octetstring':
        return this.constrain({ kind: 'OCTET STRING' }, ast.constraints, scope);
      case 'sequenceof':
      case 'setof':
        return this.constrain(
          { kind: 'SEQUENCE OF', ...(body.t === 'setof' ? { set: true } : {}), item: this.type(body.item, scope) },
          ast.constraints,
          scope,
        );
      case 'sequence':
      case 'set':
        return this.sequence(body.list, body.t === 'set', scope);
      case 'choice':
        return this.choice(body.list, scope);
      case 'classfield':
        return this.openType(ast, body.className, body.field, scope);
      case 'ref':
        return this.reference(ast, scope);
    }
  }

  private simple(name: string, scope: Scope, position: Position): SchemaNode {
    if (name === 'BOOLEAN' || name === 'NULL' || name === 'OBJECT IDENTIFIER') return { kind: name };
    const stringType = STRING_TYPES[name];
    if (stringType === undefined) this.fail(scope.module, position, `${name} is not supported`);
    return { kind: 'STRING', stringType };
  }

  private reference(ast: TypeAst, scope: Scope): SchemaNode {
    const body = ast.body;
    if (body.t !== 'ref') throw new Error('unreachable');
    const binding = body.module === undefined ? scope.params?.get(body.name) : undefined;
    if (binding !== undefined) {
      return this.constrain(this.type(binding.type, binding.scope), ast.constraints, scope);
    }
    const target = this.resolve(body.module, body.name, scope, ast.position);
    const assignment = target.types.get(body.name) as TypeAssignmentAst;
    if (assignment.params.length > 0) {
      if (body.args.length !== assignment.params.length) {
        this.fail(scope.module, ast.position, `${body.name} takes ${assignment.params.length} parameter(s)`);
      }
      const params = new Map<string, Binding>();
      assignment.params.forEach((param, i) => params.set(param, { type: body.args[i], scope }));
      const instance = this.type(assignment.type, { module: target, params });
      return this.constrain(instance, ast.constraints, scope);
    }
    if (body.args.length > 0) this.fail(scope.module, ast.position, `${body.name} is not parameterized`);
    const ref: SchemaNode = { kind: 'REF', module: target.ast.name, name: body.name };
    if (ast.constraints.length === 0) return ref;
    const base = this.concrete(ref);
    const constrained = this.constrain(base, ast.constraints, scope);
    return constrained === base ? ref : constrained;
  }

  /** The module defining `name` as seen from `scope` (local definitions first, then IMPORTS). */
  private resolve(moduleName: string | undefined, name: string, scope: Scope, position: Position): ModuleInfo {
    let module: ModuleInfo | undefined = scope.module;
    if (moduleName !== undefined) module = this.modules.get(moduleName);
    else if (!scope.module.types.has(name)) {
      const from = scope.module.imports.get(name);
      module = from === undefined ? undefined : this.modules.get(from);
    }
    if (module === undefined || !module.types.has(name)) this.fail(scope.module, position, `unknown type ${name}`);
    return module;
  }

  private concrete(node: SchemaNode): SchemaNode {
    let current = node;
    for (let hops = 0; current.kind === 'REF'; hops++) {
      const module = this.modules.get(current.module) as ModuleInfo;
      if (hops > 64) this.fail(module, undefined, `reference cycle at ${current.name}`);
      current = this.named(module, current.name);
    }
    return current;
  }

  /** Applies serial constraints (X.680 §49.8); returns `node` itself when none is PER-visible for its kind. */
  private constrain(node: SchemaNode, constraints: readonly ConstraintAst[], scope: Scope): SchemaNode {
    let result = node;
    for (const constraint of constraints) {
      const effect = evaluateConstraint(constraint, (name) => this.integerValue(name, scope));
      switch (result.kind) {
        case 'INTEGER':
          if (effect.values !== 'all') {
            const range = intersectRanges({ lb: result.lb, ub: result.ub }, effect.values);
            result = compact({ kind: 'INTEGER', lb: range.lb, ub: range.ub, extensible: effect.valuesExtensible || undefined });
          }
          break;
        case 'BIT STRING':
        case 'OCTET STRING':
        case 'SEQUENCE OF':
          if (effect.size !== 'all') result = { ...result, size: mergeSize(result.size, effect.size, effect.sizeExtensible) };
          break;
        case 'STRING': {
          let next = result;
          if (effect.size !== 'all') next = { ...next, size: mergeSize(next.size, effect.size, effect.sizeExtensible) };
          if (effect.alphabet !== 'all') {
            const previous = next.alphabet;
            const codes = [...effect.alphabet].filter((c) => previous === undefined || previous.includes(String.fromCharCode(c)));
            next = { ...next, alphabet: String.fromCharCode(...codes.sort((a, b) => a - b)) };
          }
          result = next;
          break;
        }
        default:
          break;
      }
    }
    return result;
  }

  private enumerated(
    root: readonly NamedNumber[],
    additions: readonly NamedNumber[],
    extensible: boolean,
    scope: Scope,
  ): SchemaNode {
    const explicit = new Set<number>();
    for (const item of root) if (item.value !== undefined) explicit.add(this.number(item.value, scope));
    const used = new Set<number>(explicit);
    const rootValues = root.map((item) => {
      if (item.value !== undefined) return { name: item.name, value: this.number(item.value, scope) };
      let value = 0;
      while (used.has(value)) value++;
      used.add(value);
      return { name: item.name, value };
    });
    let highest = Math.max(-1, ...rootValues.map((v) => v.value));
    const additionValues = additions.map((item) => {
      const value = item.value !== undefined ? this.number(item.value, scope) : highest + 1;
      highest = Math.max(highest, value);
      return { name: item.name, value };
    });
    const byValue = (a: { value: number }, b: { value: number }): number => a.value - b.value;
    return compact({
      kind: 'ENUMERATED',
      root: rootValues.sort(byValue).map((v) => v.name),
      additions: additionValues.length > 0 ? additionValues.sort(byValue).map((v) => v.name) : undefined,
      extensible: extensible || undefined,
    });
  }

  private sequence(list: ComponentListAst, set: boolean, scope: Scope): SchemaNode {
    const automatic = isAutomaticallyTagged(list, scope.module.ast.tagDefault === 'AUTOMATIC');
    const rootAsts = set && !automatic ? sortByTag(list.root, this.tagResolver(scope)) : list.root;
    const root = rootAsts.map((c) => this.component(c, scope));
    const additions: AdditionNode[] = list.additions.map((a) =>
      'group' in a ? { group: a.group.map((c) => this.component(c, scope)) } : this.component(a, scope),
    );
    return compact({
      kind: 'SEQUENCE',
      set: set || undefined,
      root,
      extensible: list.extensible || scope.module.ast.extensibilityImplied || undefined,
      additions: additions.length > 0 ? additions : undefined,
    });
  }

  private component(ast: ComponentAst, scope: Scope): ComponentNode {
    return compact({
      name: ast.name,
      type: this.type(ast.type, scope),
      optional: ast.optional || undefined,
      default: ast.default === undefined ? undefined : defaultValue(ast.default),
    });
  }

  private choice(list: ComponentListAst, scope: Scope): SchemaNode {
    const automatic = isAutomaticallyTagged(list, scope.module.ast.tagDefault === 'AUTOMATIC');
    const rootAsts = automatic ? list.root : sortByTag(list.root, this.tagResolver(scope));
    const alternative = (c: ComponentAst): AlternativeNode => ({ name: c.name, type: this.type(c.type, scope) });
    const additions = list.additions.flatMap((a) => ('group' in a ? a.group : [a])).map(alternative);
    return compact({
      kind: 'CHOICE',
      root: rootAsts.map(alternative),
      extensible: list.extensible || scope.module.ast.extensibilityImplied || undefined,
      additions: additions.length > 0 ? additions : undefined,
    });
  }

  private openType(ast: TypeAst, className: string, field: string, scope: Scope): SchemaNode {
    if (className !== 'TYPE-IDENTIFIER' || field !== '&Type') {
      this.fail(scope.module, ast.position, `${className}.${field} is not supported (only TYPE-IDENTIFIER.&Type)`);
    }
    const typeConstraint = ast.constraints.find((c) => c.root?.t === 'type');
    if (typeConstraint?.root?.t !== 'type') return { kind: 'OPEN TYPE' };
    return { kind: 'OPEN TYPE', contains: this.type(typeConstraint.root.type, scope) };
  }

  private tagResolver(scope: Scope): TypeResolver {
    return (type) => {
      const body = type.body;
      if (body.t !== 'ref') return undefined;
      const binding = scope.params?.get(body.name);
      if (binding !== undefined) return binding.type;
      return this.resolve(body.module, body.name, scope, type.position).types.get(body.name)?.type;
    };
  }

  private integerValue(name: string, scope: Scope): number | undefined {
    const local = scope.module.values.get(name);
    const from = scope.module.imports.get(name);
    const assignment = local ?? (from === undefined ? undefined : this.modules.get(from)?.values.get(name));
    return assignment?.value.v === 'number' ? assignment.value.value : undefined;
  }

  private number(value: ValueAst, scope: Scope): number {
    if (value.v === 'number') return value.value;
    if (value.v === 'reference') {
      const resolved = this.integerValue(value.name, scope);
      if (resolved !== undefined) return resolved;
    }
    return this.fail(scope.module, undefined, `expected a number, found ${JSON.stringify(value)}`);
  }

  private fail(module: ModuleInfo, position: Position | undefined, message: string): never {
    throw new Asn1CompileError(message, module.ast.source, position?.line ?? 0, position?.column ?? 0);
  }
}

function mergeSize(previous: SizeConstraint | undefined, range: Range, extensible: boolean): SizeConstraint {
  const merged = intersectRanges({ lb: previous?.lb ?? 0, ub: previous?.ub }, range);
  return compact({ lb: merged.lb ?? 0, ub: merged.ub, extensible: extensible || undefined });
}

function defaultValue(value: ValueAst): DefaultValue {
  switch (value.v) {
    case 'number':
    case 'boolean':
    case 'string':
      return value.value;
    case 'null':
      return null;
    case 'bits':
      return `'${value.value}'${value.radix === 2 ? 'B' : 'H'}`;
    case 'reference':
      return value.name;
    case 'braces':
      return value.items.map(defaultValue);
  }
}

/** Drops keys whose value is undefined, so the generated schema only spells out what is set. */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined) out[key] = entry;
  return out as T;
}
