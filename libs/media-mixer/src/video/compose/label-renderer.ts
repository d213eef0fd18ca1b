/**
 * Name labels of tiles (docs/video-pipeline.md, "Compositor"): each (display name, tile width) is
 * drawn once by a one-shot ffmpeg `drawtext` run (`labelArgs`) on a transparent picture, kept in a
 * bounded cache and alpha-blended by the compositor onto every picture that shows the tile.
 * Without a font nothing is drawn and no ffmpeg runs: the video flows without names.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { InvalidArgumentError } from '../../errors';
import { errorFields, type MediaLogger } from '../../media-logger';
import type { RawPicture } from '../pipeline/raw-picture';
import { labelArgs } from '../ffmpeg-args';
import { labelFontSize, labelText } from '../filtergraph';
import { checkPicture } from './yuv-picture';

/**
 * A rendered label: a yuva420p picture (Y `width·height`, U and V `width/2·height/2`, alpha
 * `width·height` octets) cut to the columns the text's box covers, to be placed `x` pixels right
 * of the tile's left edge in a strip of `stripHeight` pixels at the tile's bottom.
 */
export interface Label {
  /** Cleaned text drawn (`labelText` of the display name). */
  readonly text: string;
  /** Size of `data`'s picture in pixels (even). */
  readonly width: number;
  readonly height: number;
  /** Offset of the picture from the tile's left edge in pixels (even). */
  readonly x: number;
  /** yuva420p planes, `width·height·5/2` octets. */
  readonly data: Buffer;
}

/** Options of `LabelRenderer`. */
export interface LabelRendererOptions {
  /** ffmpeg binary (from `FfmpegLocator`). */
  readonly ffmpegPath: string;
  /** Font for drawtext (from `findFontFile`); absent: no labels at all. */
  readonly fontFile?: string | null;
  readonly logger: MediaLogger;
  /** Labels kept (least recently used dropped first); default 256. */
  readonly maxEntries?: number;
  /** ffmpeg runs at the same time; further requests wait for a later `label()` call; default 2. */
  readonly maxConcurrent?: number;
  /** A run taking longer is killed and counted as failed; default 5000 ms. */
  readonly timeoutMs?: number;
  /** A failed (text, width) is tried again after this long; default 30000 ms. */
  readonly retryAfterMs?: number;
}

/** Counters of a `LabelRenderer`. */
export interface LabelRendererStats {
  /** ffmpeg runs started. */
  readonly renders: number;
  /** Runs that failed (exit status, bad output, timeout, spawn error). */
  readonly failures: number;
  /** Labels in the cache. */
  readonly cached: number;
  /** Runs under way. */
  readonly running: number;
}

type Entry =
  | { state: 'ready'; label: Label }
  | { state: 'pending'; promise: Promise<Label | undefined> }
  | { state: 'failed'; at: number };

/** Label runs of every renderer; killed with SIGKILL if the Node process exits while they run. */
const liveRenders = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackRender(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of liveRenders) c.kill('SIGKILL');
    });
  }
  liveRenders.add(child);
}

/** Wider labels than this are cut (tiles are never wider than the largest output picture). */
const MAX_LABEL_WIDTH = 4096;

/**
 * Renders and caches tile name labels. `label()` never blocks and never throws: it returns the
 * label once its ffmpeg run has finished, `undefined` before (and always when there is no font).
 * ffmpeg failures are logged, never thrown.
 */
export class LabelRenderer {
  private readonly ffmpegPath: string;
  private readonly fontFile: string | undefined;
  private readonly logger: MediaLogger;
  private readonly maxEntries: number;
  private readonly maxConcurrent: number;
  private readonly timeoutMs: number;
  private readonly retryAfterMs: number;
  private readonly entries = new Map<string, Entry>();
  private readonly children = new Set<ChildProcess>();
  private readonly exits = new Set<Promise<void>>();
  private renders = 0;
  private failures = 0;
  private closed = false;

  /** @throws InvalidArgumentError for a non-positive `maxEntries`, `maxConcurrent` or `timeoutMs`. */
  constructor(options: LabelRendererOptions) {
    this.ffmpegPath = options.ffmpegPath;
    this.fontFile = options.fontFile ?? undefined;
    this.logger = options.logger;
    this.maxEntries = options.maxEntries ?? 256;
    this.maxConcurrent = options.maxConcurrent ?? 2;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retryAfterMs = options.retryAfterMs ?? 30000;
    for (const [name, value] of [['maxEntries', this.maxEntries], ['maxConcurrent', this.maxConcurrent], ['timeoutMs', this.timeoutMs]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`LabelRenderer ${name} ${value} must be a positive integer`);
    }
    if (!this.fontFile) this.logger.warn({}, 'No font file for video name labels: tiles are shown without names');
  }

  /** Whether labels can be drawn at all (a font was given). */
  get enabled(): boolean {
    return this.fontFile !== undefined && !this.closed;
  }

  /**
   * The label of `text` for a tile `tileWidth` pixels wide, or `undefined` while it is being
   * rendered (the first call starts the run), when there is no font, when the text is empty after
   * cleaning (`labelText`) or when the run failed (tried again after `retryAfterMs`).
   */
  label(text: string, tileWidth: number): Label | undefined {
    const entry = this.lookup(text, tileWidth);
    return entry?.state === 'ready' ? entry.label : undefined;
  }

  /**
   * Like `label()`, but waits for the run: resolves with the label, or `undefined` when there is
   * none (no font, empty text, failure, renderer closed, or all `maxConcurrent` runs busy). Never rejects.
   */
  async ready(text: string, tileWidth: number): Promise<Label | undefined> {
    const entry = this.lookup(text, tileWidth);
    if (entry?.state === 'ready') return entry.label;
    if (entry?.state === 'pending') return entry.promise;
    return undefined;
  }

  /** Counters for stats and tests. */
  stats(): LabelRendererStats {
    let cached = 0;
    for (const e of this.entries.values()) if (e.state === 'ready') cached++;
    return { renders: this.renders, failures: this.failures, cached, running: this.children.size };
  }

  /** Kills the runs under way (SIGKILL) and resolves when they have exited; later calls draw nothing. */
  async close(): Promise<void> {
    this.closed = true;
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all([...this.exits]);
    this.entries.clear();
  }

  private lookup(text: string, tileWidth: number): Entry | undefined {
    if (this.closed || !this.fontFile) return undefined;
    const clean = labelText(text);
    const width = labelWidth(tileWidth);
    if (clean === '' || width === undefined) return undefined;
    const key = `${width}\u0000${clean}`;
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.state !== 'failed' || Date.now() - entry.at < this.retryAfterMs) {
        // Most recently used last: the eviction order of the Map.
        this.entries.delete(key);
        this.entries.set(key, entry);
        return entry;
      }
      this.entries.delete(key);
    }
    if (this.children.size >= this.maxConcurrent) return undefined;
    const pending: Entry = { state: 'pending', promise: this.render(key, clean, width, this.fontFile) };
    // A synchronous spawn failure has already stored a failed entry.
    if (!this.entries.has(key)) this.entries.set(key, pending);
    this.evict();
    return pending;
  }

  private render(key: string, text: string, width: number, fontFile: string): Promise<Label | undefined> {
    const fontSize = labelFontSize(tileHeightOf(width));
    const height = stripHeight(width);
    const expected = (width * height * 5) / 2;
    this.renders++;
    let child: ChildProcess;
    try {
      child = spawn(this.ffmpegPath, labelArgs({ text, fontFile, width, height, fontSize }), { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      this.fail(key, text, { ...errorFields(err) });
      return Promise.resolve(undefined);
    }
    this.children.add(child);
    trackRender(child);
    const chunks: Buffer[] = [];
    let octets = 0;
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (octets <= expected) chunks.push(chunk);
      octets += chunk.length;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      stderr += `(killed after ${this.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, this.timeoutMs);
    let spawnError: unknown;
    child.on('error', (err) => {
      spawnError = err;
    });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.exits.add(exited);
    return exited.then(() => {
      clearTimeout(timer);
      this.children.delete(child);
      liveRenders.delete(child);
      this.exits.delete(exited);
      if (this.closed) return undefined;
      if (spawnError !== undefined || child.exitCode !== 0 || octets !== expected) {
        this.fail(key, text, {
          ...(spawnError !== undefined ? errorFields(spawnError) : {}),
          exitCode: child.exitCode,
          signal: child.signalCode,
          octets,
          expected,
          stderr: stderr.trim().slice(0, 500),
        });
        return undefined;
      }
      const label = cropLabel(text, width, height, Buffer.concat(chunks, octets));
      if (this.entries.has(key)) this.entries.set(key, { state: 'ready', label });
      return label;
    });
  }

  private fail(key: string, text: string, fields: object): void {
    this.failures++;
    this.logger.warn({ label: text, ...fields }, 'ffmpeg failed to render a video name label; the tile is shown without it');
    if (!this.closed) this.entries.set(key, { state: 'failed', at: Date.now() });
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      if (entry.state !== 'pending') this.entries.delete(key);
    }
  }
}

/**
 * Blends `label` onto `picture` with its strip's top left corner at (`x`, `y`) (even pixels), only
 * inside `clip` (the tile): luma and chroma are mixed by the label's alpha (chroma by the mean
 * alpha of each 2×2 block).
 * @throws InvalidArgumentError when the picture is malformed.
 */
export function blendLabel(picture: RawPicture, label: Label, x: number, y: number, clip: { x: number; y: number; w: number; h: number }): void {
  checkPicture(picture, 'Picture');
  const pw = picture.width;
  const left = Math.max(x + label.x, clip.x, 0);
  const right = Math.min(x + label.x + label.width, clip.x + clip.w, pw);
  const top = Math.max(y, clip.y, 0);
  const bottom = Math.min(y + label.height, clip.y + clip.h, picture.height);
  if (left >= right || top >= bottom || left % 2 !== 0 || top % 2 !== 0) return;
  const lw = label.width;
  const lLuma = lw * label.height;
  const lChroma = lLuma / 4;
  const lAlpha = lLuma + 2 * lChroma;
  const ld = label.data;
  const pd = picture.data;
  const lx0 = left - (x + label.x);
  const ly0 = top - y;
  for (let row = 0; row < bottom - top; row++) {
    const lRow = (ly0 + row) * lw + lx0;
    const pRow = (top + row) * pw + left;
    for (let col = 0; col < right - left; col++) {
      const a = ld[lAlpha + lRow + col];
      if (a === 0) continue;
      const i = pRow + col;
      pd[i] = (pd[i] * (255 - a) + ld[lRow + col] * a + 127) / 255 | 0;
    }
  }
  const pLuma = pw * picture.height;
  const pcw = pw / 2;
  const lcw = lw / 2;
  for (let row = 0; row < (bottom - top) >> 1; row++) {
    const la = lAlpha + (ly0 + 2 * row) * lw + lx0;
    const lc = ((ly0 >> 1) + row) * lcw + (lx0 >> 1);
    const pc = ((top >> 1) + row) * pcw + (left >> 1);
    for (let col = 0; col < (right - left) >> 1; col++) {
      const a0 = la + 2 * col;
      const a = (ld[a0] + ld[a0 + 1] + ld[a0 + lw] + ld[a0 + lw + 1] + 2) >> 2;
      if (a === 0) continue;
      const u = pLuma + pc + col;
      const v = u + pLuma / 4;
      pd[u] = (pd[u] * (255 - a) + ld[lLuma + lc + col] * a + 127) / 255 | 0;
      pd[v] = (pd[v] * (255 - a) + ld[lLuma + lChroma + lc + col] * a + 127) / 255 | 0;
    }
  }
}

/** Height of the label strip at the bottom of a tile `tileWidth` pixels wide (even, pixels). */
export function stripHeight(tileWidth: number): number {
  return 2 * labelFontSize(tileHeightOf(tileWidth));
}

/** Labels are keyed by width; their font size follows the height of a 16:9 tile of that width. */
function tileHeightOf(width: number): number {
  return Math.round((width * 9) / 16);
}

function labelWidth(tileWidth: number): number | undefined {
  if (!Number.isFinite(tileWidth) || tileWidth < 16) return undefined;
  return Math.min(MAX_LABEL_WIDTH, Math.floor(tileWidth / 2) * 2);
}

/**
 * drawtext on a transparent picture multiplies the box's alpha by itself (black@0.5 comes out as
 * 63/255); the square root restores the opacity the filter asks for (and leaves 0 and 255 alone).
 */
const ALPHA_FIX = Uint8Array.from({ length: 256 }, (_, a) => Math.round(Math.sqrt(a / 255) * 255));

/**
 * Cuts a rendered strip to the (even-aligned) columns where its alpha is not zero, with the
 * alpha corrected by `ALPHA_FIX`.
 */
function cropLabel(text: string, width: number, height: number, data: Buffer): Label {
  const luma = width * height;
  const alpha = luma + luma / 2;
  for (let i = alpha; i < alpha + luma; i++) data[i] = ALPHA_FIX[data[i]];
  let minX = width;
  let maxX = -1;
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      if (data[alpha + row * width + col] !== 0) {
        if (col < minX) minX = col;
        if (col > maxX) maxX = col;
      }
    }
  }
  if (maxX < 0) return { text, width: 2, height, x: 0, data: Buffer.alloc(2 * height * 5 / 2) };
  const x0 = minX & ~1;
  const w = Math.min(width, ((maxX + 2) & ~1)) - x0;
  const out = Buffer.alloc((w * height * 5) / 2);
  const outLuma = w * height;
  const cw = width / 2;
  const ocw = w / 2;
  for (let row = 0; row < height; row++) {
    data.copy(out, row * w, row * width + x0, row * width + x0 + w);
    data.copy(out, outLuma * 1.5 + row * w, alpha + row * width + x0, alpha + row * width + x0 + w);
  }
  for (let row = 0; row < height / 2; row++) {
    const from = row * cw + x0 / 2;
    data.copy(out, outLuma + row * ocw, luma + from, luma + from + ocw);
    data.copy(out, outLuma * 1.25 + row * ocw, luma * 1.25 + from, luma * 1.25 + from + ocw);
  }
  return { text, width: w, height, x: x0, data: out };
}
