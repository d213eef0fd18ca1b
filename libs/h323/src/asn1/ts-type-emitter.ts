import type { AdditionNode, ComponentNode, ModuleSchema, SchemaNode } from '../per/schema';
import { propertyKey, quote } from './schema-emitter';

/** Where the TypeScript types of each ASN.1 module live: module name → namespace alias and file (no extension). */
export type ModuleFiles = ReadonlyMap<string, { readonly alias: string; readonly file: string }>;

/** TypeScript identifier for an ASN.1 type reference: hyphens become underscores (`Setup-UUIE` → `Setup_UUIE`). */
export function typeIdentifier(asn1Name: string): string {
  return asn1Name.replace(/-/g, '_');
}

/**
 * TypeScript source declaring one type per type assignment of `module`, following the value representation of
 * per/values.ts: SEQUENCE/SET as interfaces (extension additions optional), CHOICE as `{ tag, value }` unions
 * (with {@link UnknownAlternative} when extensible), ENUMERATED as string literal unions, and so on. Types of
 * other modules are referenced through namespace imports.
 */
export function emitTypesModule(module: ModuleSchema, files: ModuleFiles, header: string): string {
  const emitter = new TypeEmitter(module.name, files);
  const declarations = Object.entries(module.types).map(([name, node]) => emitter.declaration(name, node));
  const imports = [...emitter.usedModules]
    .sort()
    .map((name) => {
      const target = files.get(name);
      if (target === undefined) throw new Error(`no types file for module ${name}`);
      return `import type * as ${target.alias} from './${target.file}';`;
    });
  const runtime = [...emitter.usedValueTypes].sort();
  const lines = [header];
  if (runtime.length > 0) lines.push(`import type { ${runtime.join(', ')} } from '../../per/values';`);
  lines.push(...imports, '', ...declarations);
  return lines.join('\n');
}

class TypeEmitter {
  readonly usedModules = new Set<string>();
  readonly usedValueTypes = new Set<string>();

  constructor(
    private readonly moduleName: string,
    private readonly files: ModuleFiles,
  ) {}

  declaration(name: string, node: SchemaNode): string {
    const identifier = typeIdentifier(name);
    const doc = `/** ${this.moduleName}.${name} (${describe(node)}) */`;
    if (node.kind === 'SEQUENCE') {
      const base = node.extensible === true ? this.valueType('ExtensionMembers') : undefined;
      const body = this.members(node.root, node.additions ?? [], 0);
      return `${doc}\nexport interface ${identifier}${base !== undefined ? ` extends ${base}` : ''} ${body}\n`;
    }
    const type = this.type(node, 0);
    return `${doc}\nexport type ${identifier} =${type.startsWith('\n') ? '' : ' '}${type};\n`;
  }

  private type(node: SchemaNode, indent: number): string {
    switch (node.kind) {
      case 'BOOLEAN':
        return 'boolean';
      case 'NULL':
        return 'null';
      case 'INTEGER':
        return node.lb !== undefined && node.ub !== undefined && !node.extensible ? 'number' : 'number | bigint';
      case 'ENUMERATED': {
        const names = [...node.root, ...(node.additions ?? [])].map(quote);
        if (node.extensible === true || (node.additions?.length ?? 0) > 0) names.push(this.valueType('UnknownEnumeration'));
        return names.join(' | ');
      }
      case 'BIT STRING':
        return this.valueType('BitStringValue');
      case 'OCTET STRING':
      case 'OPEN TYPE':
        return 'Buffer';
      case 'OBJECT IDENTIFIER':
      case 'STRING':
        return 'string';
      case 'SEQUENCE OF': {
        const item = this.type(node.item, indent);
        return /^[A-Za-z0-9_.]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
      }
      case 'SEQUENCE': {
        const body = this.members(node.root, node.additions ?? [], indent);
        return node.extensible === true ? `${body} & ${this.valueType('ExtensionMembers')}` : body;
      }
      case 'CHOICE': {
        const pad = ' '.repeat(indent + 2);
        const alternatives = [...node.root, ...(node.additions ?? [])].map(
          (alt) => `\n${pad}| { tag: ${quote(alt.name)}; value:${spaced(this.type(alt.type, indent + 4))} }`,
        );
        if (node.extensible === true || (node.additions?.length ?? 0) > 0) {
          alternatives.push(`\n${pad}| ${this.valueType('UnknownAlternative')}`);
        }
        return alternatives.join('');
      }
      case 'REF':
        return this.reference(node.module, node.name);
    }
  }

  private members(root: readonly ComponentNode[], additions: readonly AdditionNode[], indent: number): string {
    const pad = ' '.repeat(indent + 2);
    const lines: string[] = [];
    for (const c of root) {
      const optional = c.optional === true || c.default !== undefined;
      lines.push(`${pad}${propertyKey(c.name)}${optional ? '?' : ''}:${spaced(this.type(c.type, indent + 2))};`);
    }
    for (const addition of additions) {
      const components = 'group' in addition ? addition.group : [addition];
      for (const c of components) lines.push(`${pad}${propertyKey(c.name)}?:${spaced(this.type(c.type, indent + 2))};`);
    }
    if (lines.length === 0) return '{}';
    return `{\n${lines.join('\n')}\n${' '.repeat(indent)}}`;
  }

  private reference(module: string, name: string): string {
    if (module === this.moduleName) return typeIdentifier(name);
    const target = this.files.get(module);
    if (target === undefined) throw new Error(`no types file for module ${module}`);
    this.usedModules.add(module);
    return `${target.alias}.${typeIdentifier(name)}`;
  }

  private valueType(name: string): string {
    this.usedValueTypes.add(name);
    return name;
  }
}

/** A type after a colon: multi-line unions start on the next line, others after a space. */
function spaced(type: string): string {
  return type.startsWith('\n') ? type : ' ' + type;
}

function describe(node: SchemaNode): string {
  switch (node.kind) {
    case 'REF':
      return `= ${node.module}.${node.name}`;
    case 'STRING':
      return node.stringType;
    case 'SEQUENCE':
      return node.set === true ? 'SET' : 'SEQUENCE';
    case 'SEQUENCE OF':
      return node.set === true ? 'SET OF' : 'SEQUENCE OF';
    default:
      return node.kind;
  }
}
