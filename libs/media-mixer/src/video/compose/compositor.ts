/**
 * The MCU's compositor (docs/video-pipeline.md, "Compositor"): per frame clock tick and distinct
 * view, paints the tiles `computeLayout` gave onto one yuv420p canvas: each sender's latest decoded
 * picture scaled into its tile, a placeholder for participants without a picture, a slate for an
 * empty room, and the participants' name labels on top.
 */
import type { RawPicture } from '../pipeline/raw-picture';
import type { Tile } from '../layout';
import { blendLabel, type Label, type LabelRenderer } from './label-renderer';
import { type Rect, BLACK, checkPicture, checkRect, copyPicture, createPicture, fillRect, isValidPicture, blitScaled, type YuvColour } from './yuv-picture';

/** Colour of a tile without a picture (audio only, not yet decoded, waiting): dark grey. */
export const PLACEHOLDER_COLOUR: YuvColour = { y: 56, u: 128, v: 128 };
/** Colour of the slate sent when nobody is to be shown: a darker neutral grey. */
export const SLATE_COLOUR: YuvColour = { y: 28, u: 128, v: 128 };
/** Scaled pictures not used for this many `compose()` calls are dropped. */
const SCALED_IDLE_COMPOSES = 250;

/**
 * Where a tile's name label goes: the top left corner of its strip (even pixels), at the tile's
 * bottom left with a margin of about a sixth of the strip's height (none when the tile is too low).
 */
export function labelOrigin(tile: Rect, label: Label): { x: number; y: number } {
  const margin = label.height + 2 * Math.floor(label.height / 12) <= tile.h ? 2 * Math.floor(label.height / 12) : 0;
  return { x: tile.x + margin, y: tile.y + tile.h - label.height - margin };
}

/** What the compositor needs of one participant. */
export interface ComposeSource {
  /** Latest decoded picture (yuv420p, any even size); absent → placeholder tile. Never mutated once handed over. */
  readonly picture?: RawPicture;
  /** Display name drawn on the tile. */
  readonly name: string;
}

/** Options of `Compositor`. */
export interface CompositorOptions {
  /** Renders name labels; absent: no labels. */
  readonly labels?: LabelRenderer;
  /** Text on the slate; default `Tessera`; empty: none. */
  readonly slateText?: string;
  /** Text on the placeholder a lone viewer without self view gets; default `Waiting for others`. */
  readonly waitingText?: string;
}

/** Counters of a `Compositor`. */
export interface CompositorStats {
  /** `compose()` calls. */
  readonly composes: number;
  /** Pictures scaled (each sender picture once per tile size it is shown at). */
  readonly scales: number;
  /** Tiles served from an already scaled picture (another view, or the same picture again). */
  readonly scaleCacheHits: number;
  /** Scaled pictures held. */
  readonly cachedPictures: number;
}

interface ScaledEntry {
  source: RawPicture;
  readonly picture: RawPicture;
  lastUsed: number;
}

/**
 * Composes views. One instance serves all views of a room, so a sender's picture is scaled once
 * per tile size however many views show it: scaled pictures are cached per (participant, source
 * picture object, tile size) and reused until the participant's picture object changes.
 */
export class Compositor {
  private readonly labels: LabelRenderer | undefined;
  private readonly slateText: string;
  private readonly waitingText: string;
  /** participant id → "w×h" → scaled picture */
  private readonly scaled = new Map<string, Map<string, ScaledEntry>>();
  private composes = 0;
  private scales = 0;
  private scaleCacheHits = 0;

  constructor(options: CompositorOptions = {}) {
    this.labels = options.labels;
    this.slateText = options.slateText ?? 'Tessera';
    this.waitingText = options.waitingText ?? 'Waiting for others';
  }

  /**
   * Paints one view onto `canvas` (yuv420p, every pixel written): black background, then per
   * tile the participant's picture aspect-fitted (black bars) or a `PLACEHOLDER_COLOUR` tile when
   * it has none (or a malformed one), `participantId: null` tiles as placeholders with the waiting
   * text, and a name label blended at the bottom of each tile when the label is ready. No tiles:
   * the `SLATE_COLOUR` slate with the slate text in the middle.
   * @param tiles from `computeLayout` for the canvas size (even pixels, inside the canvas).
   * @param source the participant's latest picture and display name, by participant id.
   * @param pixelAspect width/height of a canvas pixel as displayed (`outputPixelAspect`; default 1).
   * @throws InvalidArgumentError when the canvas is malformed or a tile is odd or outside it.
   */
  compose(canvas: RawPicture, tiles: readonly Tile[], source: (participantId: string) => ComposeSource, pixelAspect = 1): void {
    checkPicture(canvas, 'Canvas');
    for (const tile of tiles) checkRect(tile, canvas);
    this.composes++;
    const whole = { x: 0, y: 0, w: canvas.width, h: canvas.height };
    if (tiles.length === 0) {
      fillRect(canvas, whole, SLATE_COLOUR);
      const label = this.slateText ? this.labels?.label(this.slateText, canvas.width) : undefined;
      if (label) {
        const x = Math.floor((canvas.width - label.width) / 4) * 2 - label.x;
        const y = Math.floor((canvas.height - label.height) / 4) * 2;
        blendLabel(canvas, label, x, y, whole);
      }
    } else {
      fillRect(canvas, whole, BLACK);
      for (const tile of tiles) this.paintTile(canvas, tile, source, pixelAspect);
    }
    if (this.composes % 64 === 0) this.prune();
  }

  /** Drops the scaled pictures of a participant (it left the room). */
  forget(participantId: string): void {
    this.scaled.delete(participantId);
  }

  /** Counters for stats and tests. */
  stats(): CompositorStats {
    let cachedPictures = 0;
    for (const sizes of this.scaled.values()) cachedPictures += sizes.size;
    return { composes: this.composes, scales: this.scales, scaleCacheHits: this.scaleCacheHits, cachedPictures };
  }

  private paintTile(canvas: RawPicture, tile: Tile, source: (participantId: string) => ComposeSource, pixelAspect: number): void {
    let text: string;
    if (tile.participantId === null) {
      fillRect(canvas, tile, PLACEHOLDER_COLOUR);
      text = this.waitingText;
    } else {
      const { picture, name } = source(tile.participantId);
      text = name;
      if (picture && isValidPicture(picture)) {
        if (picture.width === tile.w && picture.height === tile.h && pixelAspect === 1) copyPicture(picture, canvas, tile.x, tile.y);
        else copyPicture(this.scaledPicture(tile.participantId, picture, tile.w, tile.h, pixelAspect), canvas, tile.x, tile.y);
      } else {
        fillRect(canvas, tile, PLACEHOLDER_COLOUR);
      }
    }
    const label: Label | undefined = text ? this.labels?.label(text, tile.w) : undefined;
    if (label && label.height <= tile.h) {
      const at = labelOrigin(tile, label);
      blendLabel(canvas, label, at.x, at.y, tile);
    }
  }

  private scaledPicture(participantId: string, picture: RawPicture, w: number, h: number, pixelAspect: number): RawPicture {
    let sizes = this.scaled.get(participantId);
    if (!sizes) {
      sizes = new Map();
      this.scaled.set(participantId, sizes);
    }
    const key = `${w}x${h}@${pixelAspect}`;
    let entry = sizes.get(key);
    if (entry && entry.source === picture) {
      entry.lastUsed = this.composes;
      this.scaleCacheHits++;
      return entry.picture;
    }
    if (entry) {
      entry.source = picture;
      entry.lastUsed = this.composes;
    } else {
      entry = { source: picture, picture: createPicture(w, h), lastUsed: this.composes };
      sizes.set(key, entry);
    }
    blitScaled(picture, entry.picture, { x: 0, y: 0, w, h }, pixelAspect);
    this.scales++;
    return entry.picture;
  }

  private prune(): void {
    for (const [id, sizes] of this.scaled) {
      for (const [key, entry] of sizes) if (this.composes - entry.lastUsed > SCALED_IDLE_COMPOSES) sizes.delete(key);
      if (sizes.size === 0) this.scaled.delete(id);
    }
  }
}
