/**
 * ffmpeg filtergraph text: escaping of untrusted values (participant names reach drawtext) and
 * the composite graph that lays tiles out on one picture, with overlay or xstack.
 *
 * Escaping follows the ffmpeg-filters manual, "Notes on filtergraph escaping": a value is escaped
 * once for the filter's option list (`\`, `'`, `:`) and once more for the graph description
 * (`\`, `'`, `[`, `]`, `,`, `;`). Arguments are passed to ffmpeg without a shell, so there is no
 * third level. drawtext gets `expansion=none`, so `%{…}` in a name stays literal.
 */
import { InvalidArgumentError } from '../errors';
import type { Tile } from './layout';

/** Longest label drawn, in code points (longer names are cut with an ellipsis). */
export const MAX_LABEL_CODE_POINTS = 40;

/** Escapes a value for `key=value` inside one filter of a filtergraph description. */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/**
 * Label text from a display name: control characters (including line breaks) become spaces,
 * runs of spaces collapse, and names longer than `MAX_LABEL_CODE_POINTS` are cut with "…".
 */
export function labelText(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
  const points = [...clean];
  return points.length > MAX_LABEL_CODE_POINTS ? `${points.slice(0, MAX_LABEL_CODE_POINTS - 1).join('')}…` : clean;
}

/** A name label drawn on a picture. */
export interface DrawtextOptions {
  /** The display name (cleaned with `labelText`). */
  readonly text: string;
  /** Font file for drawtext (from `findFontFile`). */
  readonly fontFile: string;
  /** Font size in pixels. */
  readonly fontSize: number;
  /** drawtext x expression; default `8` (left margin). */
  readonly x?: string;
  /** drawtext y expression; default `h-th-8` (bottom margin). */
  readonly y?: string;
}

/** A drawtext filter: white text on a half-transparent black box. */
export function drawtextFilter(o: DrawtextOptions): string {
  const size = Math.max(8, Math.round(o.fontSize));
  return (
    `drawtext=fontfile=${escapeFilterValue(o.fontFile)}:expansion=none:text=${escapeFilterValue(labelText(o.text))}` +
    `:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=${Math.max(2, Math.round(size / 4))}` +
    `:x=${escapeFilterValue(o.x ?? '8')}:y=${escapeFilterValue(o.y ?? 'h-th-8')}`
  );
}

/** Font size for a tile's label: about a twelfth of its height, at least 10 pixels. */
export function labelFontSize(tileHeight: number): number {
  return Math.max(10, Math.round(tileHeight / 12));
}

/** Inputs of a composite graph. */
export interface CompositeGraphOptions {
  /** Output picture size in pixels (even). */
  readonly width: number;
  readonly height: number;
  /** Output frame rate (frames/s) of the background and placeholder sources. */
  readonly frameRate: number;
  /** Tiles from `computeLayout`. */
  readonly tiles: readonly Tile[];
  /** ffmpeg input index of each participant that sends video; others get a placeholder. */
  readonly inputs: ReadonlyMap<string, number>;
  /** Display names by participant id (labels; placeholders show them too). */
  readonly names: ReadonlyMap<string, string>;
  /** Font for labels; `null` draws no text (the video is unaffected). */
  readonly fontFile: string | null;
  /** Composition filter; default `overlay`. xstack needs at least two tiles (else overlay is used). */
  readonly method?: 'overlay' | 'xstack';
  /** Text of the placeholder tile shown to a lone viewer without self view. */
  readonly waitingText?: string;
  /** Output pad name; default `out`. */
  readonly outputLabel?: string;
}

/**
 * Builds a `-filter_complex` description composing the tiles on a black picture: each input is
 * scaled into its tile keeping its aspect ratio (padded), labelled with the participant's name,
 * and placed at the tile's position; participants without video, and the lone-viewer placeholder,
 * get a grey tile with the name; no tiles gives a black slate.
 * @throws InvalidArgumentError for an odd or empty size or a non-positive frame rate.
 */
export function compositeFilterGraph(o: CompositeGraphOptions): string {
  if (!isEvenPositive(o.width) || !isEvenPositive(o.height)) throw new InvalidArgumentError(`Composite size ${o.width}x${o.height}`);
  if (!(o.frameRate > 0)) throw new InvalidArgumentError(`Composite frame rate ${o.frameRate}`);
  const out = o.outputLabel ?? 'out';
  const rate = formatRate(o.frameRate);
  const chains: string[] = [];
  const tileLabels: string[] = [];
  o.tiles.forEach((tile, i) => {
    const label = `t${i}`;
    tileLabels.push(label);
    const name = tile.participantId === null ? (o.waitingText ?? 'Waiting for others') : (o.names.get(tile.participantId) ?? '');
    const text = o.fontFile && name ? `,${drawtextFilter({ text: name, fontFile: o.fontFile, fontSize: labelFontSize(tile.h) })}` : '';
    const input = tile.participantId === null ? undefined : o.inputs.get(tile.participantId);
    if (input === undefined) {
      chains.push(`color=c=0x303030:s=${tile.w}x${tile.h}:r=${rate},format=yuv420p${text}[${label}]`);
    } else {
      chains.push(
        `[${input}:v]scale=${tile.w}:${tile.h}:force_original_aspect_ratio=decrease,` +
          `pad=${tile.w}:${tile.h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p${text}[${label}]`,
      );
    }
  });
  if (o.tiles.length === 0) {
    chains.push(`color=c=black:s=${o.width}x${o.height}:r=${rate},format=yuv420p[${out}]`);
  } else if (o.method === 'xstack' && o.tiles.length >= 2) {
    const layout = o.tiles.map((t) => `${t.x}_${t.y}`).join('|');
    chains.push(
      `${tileLabels.map((l) => `[${l}]`).join('')}xstack=inputs=${o.tiles.length}:layout=${layout}:fill=black,` +
        `pad=${o.width}:${o.height}:0:0:color=black[${out}]`,
    );
  } else {
    chains.push(`color=c=black:s=${o.width}x${o.height}:r=${rate},format=yuv420p[base]`);
    let previous = 'base';
    o.tiles.forEach((tile, i) => {
      const next = i === o.tiles.length - 1 ? out : `o${i}`;
      chains.push(`[${previous}][${tileLabels[i]}]overlay=x=${tile.x}:y=${tile.y}:eof_action=repeat:shortest=0[${next}]`);
      previous = next;
    });
  }
  return chains.join(';');
}

function formatRate(rate: number): string {
  return Number.isInteger(rate) ? String(rate) : rate.toFixed(3);
}

function isEvenPositive(v: number): boolean {
  return Number.isInteger(v) && v >= 2 && v % 2 === 0;
}
