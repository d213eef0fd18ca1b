import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { MediaLogger } from '../../media-logger';
import { findFontFile } from '../font-locator';
import { LabelRenderer, stripHeight, type Label } from './label-renderer';

const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';

interface LogLine {
  level: string;
  obj: object;
  msg: string;
}

function recordingLogger(): MediaLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Alpha plane of a label. */
function alphaOf(label: Label): Buffer {
  const luma = label.width * label.height;
  return label.data.subarray(luma * 1.5, luma * 2.5);
}

/** Polls `check` every 10 ms, at most `tries` times. */
async function until(check: () => boolean, tries = 300): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('LabelRenderer', () => {
  let scratch: string;
  let fontFile: string | null;
  const renderers: LabelRenderer[] = [];
  const make = (o: Partial<ConstructorParameters<typeof LabelRenderer>[0]> & { logger?: MediaLogger }) => {
    const r = new LabelRenderer({ ffmpegPath: FFMPEG, logger: recordingLogger(), ...o });
    renderers.push(r);
    return r;
  };

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'label-renderer-'));
    fontFile = await findFontFile();
  });
  afterEach(async () => {
    await Promise.all(renderers.splice(0).map((r) => r.close()));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds a font on this machine (the other tests draw with it)', () => {
    expect(fontFile).toMatch(/\.(ttf|otf|ttc)$/);
  });

  it('renders a name once per (text, width) with the real ffmpeg and font: white text on a half-transparent box', async () => {
    const labels = make({ fontFile });
    expect(labels.label('Alice', 320)).toBeUndefined();
    const label = await labels.ready('Alice', 320);
    expect(label).toBeDefined();
    const l = label as Label;
    expect(l.text).toBe('Alice');
    expect(l.height).toBe(stripHeight(320));
    expect(l.width % 2).toBe(0);
    expect(l.x % 2).toBe(0);
    expect(l.width).toBeGreaterThan(20);
    expect(l.x + l.width).toBeLessThanOrEqual(320);
    expect(l.data.length).toBe((l.width * l.height * 5) / 2);
    const alpha = alphaOf(l);
    // Opaque glyph pixels are white; the box is half-transparent black (black@0.5); outside the box, nothing.
    let opaqueWhite = 0;
    let translucentBlack = 0;
    for (let i = 0; i < alpha.length; i++) {
      if (alpha[i] === 255 && l.data[i] > 200) opaqueWhite++;
      if (alpha[i] > 110 && alpha[i] < 150 && l.data[i] < 40) translucentBlack++;
    }
    expect(opaqueWhite).toBeGreaterThan(20);
    expect(translucentBlack).toBeGreaterThan(20);
    expect(alpha[0]).toBe(0);
    // Cached: the same object, no second run; another width is another run.
    expect(labels.label('Alice', 320)).toBe(label);
    expect(labels.label('  Alice\n', 320)).toBe(label);
    expect(labels.stats()).toMatchObject({ renders: 1, failures: 0, cached: 1 });
    const wider = await labels.ready('Alice', 640);
    expect(wider?.height).toBe(stripHeight(640));
    expect(wider!.width).toBeGreaterThan(l.width);
    const longer = await labels.ready('Alice Wonderland-Smith', 320);
    expect(longer!.width).toBeGreaterThan(l.width);
    expect(labels.stats()).toMatchObject({ renders: 3, cached: 3, running: 0 });
  });

  it('draws names with filtergraph and drawtext metacharacters from the network as plain text', async () => {
    const logger = recordingLogger();
    const labels = make({ fontFile, logger });
    for (const name of ["O'Brien: a,b [x]; 50% \\ %{pts}", 'Zoë Ünal 東京', '=;,[]\'\'\\:']) {
      const label = await labels.ready(name, 320);
      expect({ name, drawn: label !== undefined }).toEqual({ name, drawn: true });
      expect(alphaOf(label!).some((a) => a === 255)).toBe(true);
    }
    expect(labels.stats().failures).toBe(0);
    expect(logger.lines).toEqual([]);
  });

  it('with no font: never a label, no ffmpeg run, one log line', async () => {
    const logger = recordingLogger();
    const labels = make({ fontFile: undefined, logger });
    expect(labels.enabled).toBe(false);
    expect(labels.label('Bob', 320)).toBeUndefined();
    expect(await labels.ready('Bob', 320)).toBeUndefined();
    expect(labels.label('Carol', 640)).toBeUndefined();
    expect(labels.stats()).toEqual({ renders: 0, failures: 0, cached: 0, running: 0 });
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0].level).toBe('warn');
  });

  it('draws nothing for an empty name or a too narrow tile', async () => {
    const labels = make({ fontFile });
    expect(await labels.ready(' \n ', 320)).toBeUndefined();
    expect(await labels.ready('Dave', 8)).toBeUndefined();
    expect(labels.stats().renders).toBe(0);
  });

  it('logs a missing ffmpeg, never throws, and does not retry at once', async () => {
    const logger = recordingLogger();
    const labels = make({ fontFile, ffmpegPath: path.join(scratch, 'no-such-ffmpeg'), logger });
    expect(await labels.ready('Erin', 320)).toBeUndefined();
    expect(labels.label('Erin', 320)).toBeUndefined();
    expect(labels.stats()).toMatchObject({ renders: 1, failures: 1, running: 0 });
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('logs an ffmpeg that exits with an error or writes a short picture, and retries after retryAfterMs', async () => {
    const failing = path.join(scratch, 'failing-ffmpeg');
    writeFileSync(failing, '#!/bin/sh\necho "Cannot load font" >&2\nexit 1\n');
    chmodSync(failing, 0o755);
    const logger = recordingLogger();
    const labels = make({ fontFile, ffmpegPath: failing, logger, retryAfterMs: 50 });
    expect(await labels.ready('Frank', 320)).toBeUndefined();
    expect(labels.stats()).toMatchObject({ renders: 1, failures: 1 });
    expect(logger.lines[0].obj).toMatchObject({ exitCode: 1, stderr: 'Cannot load font' });
    expect(labels.label('Frank', 320)).toBeUndefined();
    expect(labels.stats().renders).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(await labels.ready('Frank', 320)).toBeUndefined();
    expect(labels.stats()).toMatchObject({ renders: 2, failures: 2 });

    const short = path.join(scratch, 'short-ffmpeg');
    writeFileSync(short, '#!/bin/sh\nprintf abcd\n');
    chmodSync(short, 0o755);
    const shortLogger = recordingLogger();
    const shortLabels = make({ fontFile, ffmpegPath: short, logger: shortLogger });
    expect(await shortLabels.ready('Gus', 320)).toBeUndefined();
    expect(shortLogger.lines[0].obj).toMatchObject({ exitCode: 0, octets: 4 });
  });

  describe('with a hanging ffmpeg', () => {
    let hanging: string;
    beforeAll(() => {
      hanging = path.join(scratch, 'hanging-ffmpeg');
      writeFileSync(hanging, '#!/bin/sh\nexec sleep 30\n');
      chmodSync(hanging, 0o755);
    });

    it('runs at most maxConcurrent renders and close() kills them', async () => {
      const labels = make({ fontFile, ffmpegPath: hanging, maxConcurrent: 2 });
      expect(labels.label('A', 320)).toBeUndefined();
      expect(labels.label('B', 320)).toBeUndefined();
      expect(labels.label('C', 320)).toBeUndefined();
      expect(labels.stats()).toMatchObject({ renders: 2, running: 2 });
      const pending = labels.ready('A', 320);
      await labels.close();
      expect(labels.stats().running).toBe(0);
      expect(await pending).toBeUndefined();
      expect(labels.label('A', 320)).toBeUndefined();
      expect(labels.stats().renders).toBe(2);
    });

    it('kills a render that exceeds timeoutMs and logs it', async () => {
      const logger = recordingLogger();
      const labels = make({ fontFile, ffmpegPath: hanging, timeoutMs: 100, logger });
      expect(await labels.ready('Gina', 320)).toBeUndefined();
      expect(labels.stats()).toMatchObject({ renders: 1, failures: 1, running: 0 });
      expect(logger.lines[0].obj).toMatchObject({ signal: 'SIGKILL' });
    });
  });

  it('keeps at most maxEntries labels, dropping the least recently used', async () => {
    const labels = make({ fontFile, maxEntries: 2 });
    const a = await labels.ready('Anna', 160);
    await labels.ready('Bert', 160);
    expect(labels.label('Anna', 160)).toBe(a); // Anna is now the most recent
    await labels.ready('Cleo', 160);
    expect(labels.stats().cached).toBe(2);
    expect(labels.label('Anna', 160)).toBe(a);
    // Bert was dropped: asking again starts a new run.
    expect(labels.label('Bert', 160)).toBeUndefined();
    await until(() => labels.stats().running === 0);
    expect(labels.stats().renders).toBe(4);
  });
});
