import { linkSchema, type LinkedSchema } from '../per/schema-linker';
import type { ModuleSchema } from '../per/schema';
import { parseModules } from './parser';
import { buildModuleSchemas } from './schema-builder';

/** One ASN.1 source text and a name for error messages (usually the file name). */
export interface Asn1Source {
  readonly name: string;
  readonly text: string;
}

/**
 * Compiles ASN.1 module definitions (X.680/X.682/X.683 subset used by H.225.0, H.245 and H.235) into the
 * declarative PER schema, one {@link ModuleSchema} per module, in source order. The sources must form a closed
 * set: every IMPORTS clause names a module among them.
 * @throws Asn1CompileError with the source name and line:column
 */
export function compileModules(sources: readonly Asn1Source[]): ModuleSchema[] {
  return buildModuleSchemas(sources.flatMap((source) => parseModules(source.text, source.name)));
}

/**
 * Compiles ASN.1 text and links it for the codec in one step: `compileAsn1([...]).get('Module', 'Type')` is
 * ready for {@link encode}/{@link decode}. Used for schemas not generated ahead of time (tests, tools).
 * @throws Asn1CompileError as {@link compileModules}
 */
export function compileAsn1(sources: readonly Asn1Source[]): LinkedSchema {
  return linkSchema(compileModules(sources));
}
