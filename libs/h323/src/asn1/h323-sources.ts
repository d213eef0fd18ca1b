import { readFileSync } from 'fs';
import { join } from 'path';
import type { GeneratorSource } from './generate';

/** The ASN.1 files of H.323 in libs/h323/asn1/, in dependency order, and the export name of each module. */
export const H323_ASN1_FILES = [
  { base: 'h235', file: 'h235.asn', exportName: 'H235' },
  { base: 'h245', file: 'h245.asn', exportName: 'H245' },
  { base: 'h225', file: 'h225.asn', exportName: 'H225' },
] as const;

/** Directory of the ASN.1 files (libs/h323/asn1). */
export const H323_ASN1_DIR = join(__dirname, '..', '..', 'asn1');

/** Directory of the generated files (libs/h323/src/asn1/generated). */
export const H323_GENERATED_DIR = join(__dirname, 'generated');

/** Reads the H.323 ASN.1 files (as Latin-1: h245.asn has Windows-1252 bytes in comments). */
export function readH323Sources(): GeneratorSource[] {
  return H323_ASN1_FILES.map((f) => ({
    base: f.base,
    path: `libs/h323/asn1/${f.file}`,
    text: readFileSync(join(H323_ASN1_DIR, f.file), 'latin1'),
    exportName: f.exportName,
  }));
}
