/**
 * Regenerates libs/h323/src/asn1/generated/ from the ASN.1 modules in libs/h323/asn1/ (H.225.0, H.245, H.235):
 * the declarative PER schemas, the TypeScript value types and the linking index. Stale files in the folder are
 * removed. Run from the repository root:
 *
 *   node -r @swc-node/register libs/h323/scripts/generate.ts
 *
 * A unit test (asn1/generated.spec.ts) fails when the checked-in files differ from what this produces.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { generateSchemaFiles } from '../src/asn1/generate';
import { H323_GENERATED_DIR, readH323Sources } from '../src/asn1/h323-sources';

function main(): void {
  const files = generateSchemaFiles(readH323Sources());
  mkdirSync(H323_GENERATED_DIR, { recursive: true });
  for (const existing of readdirSync(H323_GENERATED_DIR)) {
    if (!files.has(existing)) rmSync(join(H323_GENERATED_DIR, existing));
  }
  for (const [name, text] of files) writeFileSync(join(H323_GENERATED_DIR, name), text);
  process.stdout.write(`wrote ${files.size} files to ${H323_GENERATED_DIR}\n`);
}

main();
