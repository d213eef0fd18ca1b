import type { ModuleSchema } from '../per/schema';

const LINE_WIDTH = 110;

/**
 * TypeScript source of a module's declarative schema: `export const <IDENT>: ModuleSchema = { … }`, formatted
 * deterministically (objects that fit on one line stay on one line), so regenerating from the same ASN.1 gives
 * the same text.
 */
export function emitSchemaModule(module: ModuleSchema, constName: string, header: string): string {
  const lines = [
    header,
    "import type { ModuleSchema } from '../../per/schema';",
    '',
    `/** Declarative PER schema of the ASN.1 module ${module.name}. */`,
    `export const ${constName}: ModuleSchema = ${literal(module, 0, 40)};`,
    '',
  ];
  return lines.join('\n');
}

/**
 * A TypeScript literal for plain data (objects, arrays, strings, numbers, booleans, null) starting `column`
 * characters into a line whose indentation is `indent`.
 */
function literal(value: unknown, indent: number, column = indent): string {
  const flat = flatLiteral(value);
  if (column + flat.length <= LINE_WIDTH || !isContainer(value)) return flat;
  const inner = ' '.repeat(indent + 2);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return `[\n${value.map((item) => inner + literal(item, indent + 2) + ',').join('\n')}\n${close}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const body = entries.map(([key, v]) => {
    const prefix = `${inner}${propertyKey(key)}: `;
    return `${prefix}${literal(v, indent + 2, prefix.length)},`;
  });
  return `{\n${body.join('\n')}\n${close}}`;
}

function flatLiteral(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.map(flatLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([key, v]) => `${propertyKey(key)}: ${flatLiteral(v)}`).join(', ')} }`;
  }
  throw new Error(`cannot emit ${typeof value}`);
}

function isContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** An object key: bare when it is an identifier, else quoted. */
export function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : quote(key);
}

/** A single-quoted TypeScript string literal; non-printable and non-ASCII characters as \u escapes. */
export function quote(text: string): string {
  let out = "'";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (ch === "'" || ch === '\\') out += '\\' + ch;
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + "'";
}
