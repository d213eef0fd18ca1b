/**
 * The ASN.1 text cannot be compiled: a syntax error, an unknown reference, or a construct the compiler does not
 * support. The message names the module source and the line:column.
 */
export class Asn1CompileError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(line > 0 ? `${source}:${line}:${column}: ${message}` : `${source}: ${message}`);
    this.name = 'Asn1CompileError';
  }
}
