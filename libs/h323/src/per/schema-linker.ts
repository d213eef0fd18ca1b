import type {
  CharacterStringType,
  ChoiceType,
  CompiledAddition,
  CompiledAlternative,
  CompiledComponent,
  CompiledType,
  EnumeratedType,
  SequenceOfType,
  SequenceType,
  SizePlan,
} from './compiled-type';
import { planCharacters } from './permitted-alphabet';
import type { AdditionNode, ComponentNode, KnownMultiplierStringType, ModuleSchema, SchemaNode, SizeConstraint } from './schema';

const KNOWN_MULTIPLIER = new Set<string>([
  'IA5String',
  'NumericString',
  'PrintableString',
  'VisibleString',
  'BMPString',
  'UniversalString',
]);

/** A schema reference that names no type of the linked modules. */
export class SchemaLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaLinkError';
  }
}

/** Compiled types of a set of linked modules, looked up by module and type reference. */
export interface LinkedSchema {
  /** The compiled type `name` of module `module`; throws {@link SchemaLinkError} when there is none. */
  get(module: string, name: string): CompiledType;
  /** Names of the modules linked. */
  readonly modules: readonly string[];
}

/**
 * Links declarative modules (schema.ts) into the compiled graph the codec walks: resolves `REF` nodes across
 * modules into direct links (recursive types become cycles) and precomputes the per-type encoding plans. Types
 * are compiled lazily on first lookup and then cached, so linking costs nothing for types never used.
 *
 * @throws SchemaLinkError for a reference to an unknown module or type, or a type defined only as a
 *   reference to itself
 */
export function linkSchema(modules: readonly ModuleSchema[]): LinkedSchema {
  const byName = new Map<string, ModuleSchema>();
  for (const module of modules) byName.set(module.name, module);
  const linker = new Linker(byName);
  return {
    modules: modules.map((m) => m.name),
    get: (module, name) => linker.named(module, name),
  };
}

class Linker {
  private readonly compiled = new Map<SchemaNode, CompiledType>();
  private readonly resolving = new Set<string>();

  constructor(private readonly modules: ReadonlyMap<string, ModuleSchema>) {}

  named(module: string, name: string): CompiledType {
    const node = this.lookup(module, name);
    return this.compile(node, `${module}.${name}`);
  }

  private lookup(module: string, name: string): SchemaNode {
    const found = this.modules.get(module);
    if (found === undefined) throw new SchemaLinkError(`unknown ASN.1 module ${module}`);
    const node = found.types[name];
    if (node === undefined) throw new SchemaLinkError(`unknown type ${module}.${name}`);
    return node;
  }

  private compile(node: SchemaNode, name: string | undefined): CompiledType {
    const cached = this.compiled.get(node);
    if (cached !== undefined) return cached;
    if (node.kind === 'REF') {
      const key = `${node.module}.${node.name}`;
      const done = this.compiled.get(this.lookup(node.module, node.name));
      if (done !== undefined) {
        this.compiled.set(node, done);
        return done;
      }
      if (this.resolving.has(key)) throw new SchemaLinkError(`type ${key} is defined only as a reference to itself`);
      this.resolving.add(key);
      try {
        const target = this.named(node.module, node.name);
        this.compiled.set(node, target);
        return target;
      } finally {
        this.resolving.delete(key);
      }
    }
    return this.build(node, name);
  }

  /** Builds the compiled object; constructed types are registered before their children (cycles). */
  private build(node: Exclude<SchemaNode, { kind: 'REF' }>, name: string | undefined): CompiledType {
    switch (node.kind) {
      case 'BOOLEAN':
      case 'NULL':
      case 'OBJECT IDENTIFIER':
        return this.remember(node, { kind: node.kind, name });
      case 'INTEGER':
        return this.remember(node, {
          kind: 'INTEGER',
          name,
          lb: node.lb,
          ub: node.ub,
          extensible: node.extensible === true,
        });
      case 'ENUMERATED':
        return this.remember(node, enumerated(node.root, node.additions ?? [], node.extensible === true, name));
      case 'BIT STRING':
      case 'OCTET STRING':
        return this.remember(node, { kind: node.kind, name, size: sizePlan(node.size) });
      case 'STRING':
        return this.remember(node, characterString(node.stringType, node.size, node.alphabet, name));
      case 'OPEN TYPE': {
        const open = { kind: 'OPEN TYPE' as const, name, contains: undefined as CompiledType | undefined };
        this.compiled.set(node, open);
        if (node.contains !== undefined) open.contains = this.compile(node.contains, undefined);
        return open;
      }
      case 'SEQUENCE OF': {
        const type = {
          kind: 'SEQUENCE OF' as const,
          name,
          set: node.set === true,
          size: sizePlan(node.size),
          item: undefined as unknown as CompiledType,
          itemMinimumBits: -1,
        } satisfies SequenceOfType;
        this.compiled.set(node, type);
        type.item = this.compile(node.item, undefined);
        return type;
      }
      case 'SEQUENCE': {
        const type = {
          kind: 'SEQUENCE' as const,
          name,
          set: node.set === true,
          root: [] as CompiledComponent[],
          optionalCount: 0,
          extensible: node.extensible === true || (node.additions?.length ?? 0) > 0,
          additions: [] as CompiledAddition[],
        } satisfies SequenceType;
        this.compiled.set(node, type);
        for (const component of node.root) type.root.push(this.component(component));
        type.optionalCount = type.root.filter((c) => c.optional).length;
        for (const addition of node.additions ?? []) type.additions.push(this.addition(addition));
        return type;
      }
      case 'CHOICE': {
        const type = {
          kind: 'CHOICE' as const,
          name,
          root: [] as CompiledAlternative[],
          additions: [] as CompiledAlternative[],
          extensible: node.extensible === true || (node.additions?.length ?? 0) > 0,
          byName: new Map<string, CompiledAlternative>(),
        } satisfies ChoiceType;
        this.compiled.set(node, type);
        node.root.forEach((alt, index) => {
          const compiled = { name: alt.name, type: this.compile(alt.type, undefined), index, extension: false };
          type.root.push(compiled);
          type.byName.set(alt.name, compiled);
        });
        (node.additions ?? []).forEach((alt, index) => {
          const compiled = { name: alt.name, type: this.compile(alt.type, undefined), index, extension: true };
          type.additions.push(compiled);
          type.byName.set(alt.name, compiled);
        });
        return type;
      }
    }
  }

  private remember<T extends CompiledType>(node: SchemaNode, type: T): T {
    this.compiled.set(node, type);
    return type;
  }

  private component(node: ComponentNode): CompiledComponent {
    return {
      name: node.name,
      type: this.compile(node.type, undefined),
      optional: node.optional === true || node.default !== undefined,
      default: node.default,
    };
  }

  private addition(node: AdditionNode): CompiledAddition {
    if ('group' in node) {
      const components = node.group.map((c) => this.component(c));
      return { group: true, components, optionalCount: components.filter((c) => c.optional).length };
    }
    return { group: false, components: [this.component(node)], optionalCount: 0 };
  }
}

/**
 * A lower bound of the number of bits any encoding of `type` takes (0 when a value may encode to nothing, e.g.
 * NULL). The SEQUENCE OF decoder uses it to reject item counts the remaining input cannot hold.
 */
export function minimumBits(type: CompiledType, visiting = new Set<CompiledType>()): number {
  if (visiting.has(type)) return 0;
  visiting.add(type);
  try {
    switch (type.kind) {
      case 'BOOLEAN':
        return 1;
      case 'NULL':
        return 0;
      case 'INTEGER':
        return !type.extensible && type.lb !== undefined && type.lb === type.ub ? 0 : 1;
      case 'ENUMERATED':
        return type.extensible || type.root.length > 1 ? 1 : 0;
      case 'BIT STRING':
      case 'OCTET STRING':
      case 'STRING':
        return type.size?.fixed === true && !type.size.extensible && type.size.lb === 0 ? 0 : 1;
      case 'OBJECT IDENTIFIER':
      case 'OPEN TYPE':
        return 8;
      case 'SEQUENCE OF':
        if (type.size?.fixed === true && !type.size.extensible) return type.size.lb * minimumBits(type.item, visiting);
        return 1;
      case 'SEQUENCE': {
        let bits = (type.extensible ? 1 : 0) + type.optionalCount;
        for (const c of type.root) if (!c.optional) bits += minimumBits(c.type, visiting);
        return bits;
      }
      case 'CHOICE':
        if (type.extensible || type.root.length > 1) return 1;
        return type.root.length === 1 ? minimumBits(type.root[0].type, visiting) : 0;
    }
  } finally {
    visiting.delete(type);
  }
}

function sizePlan(size: SizeConstraint | undefined): SizePlan | undefined {
  if (size === undefined) return undefined;
  const ub = size.ub;
  const constrainedLength = ub !== undefined && ub < 65536;
  return {
    lb: size.lb,
    ub,
    extensible: size.extensible === true,
    fixed: constrainedLength && size.lb === ub,
    constrainedLength,
  };
}

function enumerated(
  root: readonly string[],
  additions: readonly string[],
  extensible: boolean,
  name: string | undefined,
): EnumeratedType {
  const indexOf = new Map<string, number>();
  root.forEach((item, i) => indexOf.set(item, i));
  additions.forEach((item, i) => indexOf.set(item, -1 - i));
  return { kind: 'ENUMERATED', name, root, additions, extensible: extensible || additions.length > 0, indexOf };
}

function characterString(
  stringType: CharacterStringType['stringType'],
  size: SizeConstraint | undefined,
  alphabet: string | undefined,
  name: string | undefined,
): CharacterStringType {
  const plan = sizePlan(size);
  if (!KNOWN_MULTIPLIER.has(stringType)) {
    return {
      kind: 'STRING',
      name,
      stringType,
      knownMultiplier: false,
      size: plan,
      permittedAlphabet: undefined,
      bitsPerChar: 8,
      indexAlphabet: undefined,
      indexOfCode: undefined,
      alignFixed: true,
      alignVariable: true,
      octetEncoding: stringType === 'UTF8String' ? 'utf8' : 'latin1',
      knownType: undefined,
    };
  }
  const knownType = stringType as KnownMultiplierStringType;
  const chars = planCharacters(knownType, alphabet);
  let indexOfCode: Map<number, number> | undefined;
  if (chars.indexAlphabet !== undefined) {
    indexOfCode = new Map();
    for (let i = 0; i < chars.indexAlphabet.length; i++) indexOfCode.set(chars.indexAlphabet.charCodeAt(i), i);
  }
  const ubBits = plan?.ub !== undefined ? plan.ub * chars.bitsPerChar : Infinity;
  return {
    kind: 'STRING',
    name,
    stringType,
    knownMultiplier: true,
    size: plan,
    permittedAlphabet: alphabet,
    bitsPerChar: chars.bitsPerChar,
    indexAlphabet: chars.indexAlphabet,
    indexOfCode,
    // X.691 §27.5.7: a fixed-size string is octet-aligned when ub × b exceeds 16 bits; a variable-size one when
    // ub × b reaches 16 bits (as H323Plus/PTLib and other deployed encoders do).
    alignFixed: ubBits > 16,
    alignVariable: ubBits >= 16,
    octetEncoding: 'latin1',
    knownType,
  };
}
