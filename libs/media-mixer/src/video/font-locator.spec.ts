import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findFontFile } from './font-locator';

describe('findFontFile', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'font-locator-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('prefers a readable configured font', async () => {
    const shipped = path.join(scratch, 'Shipped.ttf');
    writeFileSync(shipped, 'font');
    expect(await findFontFile({ preferred: shipped })).toBe(shipped);
  });

  it('asks fontconfig when the configured font is missing (DejaVu is installed here)', async () => {
    const found = await findFontFile({ preferred: path.join(scratch, 'missing.ttf') });
    expect(found).toMatch(/\.(ttf|otf|ttc)$/);
  });

  it('uses the fallbacks when fontconfig is missing, and gives null when nothing is there', async () => {
    const fallback = path.join(scratch, 'Fallback.ttf');
    writeFileSync(fallback, 'font');
    const noFontconfig = path.join(scratch, 'no-fc-match');
    const missing = path.join(scratch, 'nope.ttf');
    expect(await findFontFile({ fcMatchCommand: noFontconfig, fallbacks: [missing, fallback] })).toBe(fallback);
    expect(await findFontFile({ fcMatchCommand: noFontconfig, knownPaths: [missing] })).toBeNull();
  });
});
