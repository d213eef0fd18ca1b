/**
 * Checks a decoded composite against a layout: the tiles `computeLayout` (@mcu/media-mixer) gives
 * for the viewer must each show their sender's colour (mean of the tile's inside), tiles of
 * participants without a camera (placeholders) and the picture outside every tile must show none
 * of the senders' colours. Also writes pictures as PPM artifacts for diagnosis.
 */
import * as fs from 'node:fs';
import { computeLayout, LayoutName, Tile } from '@mcu/media-mixer';
import { artifactPath } from './artifacts';
import { ColourName, COLOURS, colourDistance, formatRgb, insideOf, meanRgb, RgbPicture, scaleRect } from './video-picture';

/** Largest per-channel difference accepted between a tile's mean and its sender's colour (0–255). */
export const TILE_COLOUR_TOLERANCE = 40;

/** A participant as the check sees it: an id of the test's choosing and, for a camera, its colour. */
export interface CheckedParticipant {
  readonly id: string;
  readonly colour?: ColourName;
}

/** What the viewer should see. */
export interface ExpectedView {
  readonly layout: LayoutName;
  /** Size of the composite the MCU sends (the layout's coordinates), pixels. */
  readonly width: number;
  readonly height: number;
  /** Every participant of the room in join order, the viewer included. */
  readonly participants: readonly CheckedParticipant[];
  readonly viewerId: string;
  readonly selfView?: boolean;
  /** Active speaker to assume (for `speaker`/`single`); default the layout's own fallback. */
  readonly activeSpeakerId?: string | null;
}

/** The tiles of `view` (in the MCU's composite coordinates). */
export function expectedTiles(view: ExpectedView): Tile[] {
  return computeLayout({
    layout: view.layout,
    width: view.width,
    height: view.height,
    participants: view.participants.map((p) => ({ id: p.id, name: p.id, hasVideo: p.colour !== undefined })),
    selfView: view.selfView ?? false,
    viewerId: view.viewerId,
    activeSpeakerId: view.activeSpeakerId,
  });
}

/**
 * What is wrong with `picture` for `view`: one line per tile whose inside does not show its sender's
 * colour, per placeholder tile or uncovered block that shows a sender's colour. Empty when right.
 * The picture may be of another size than the composite (the decoder scales): rectangles scale.
 */
export function viewProblems(picture: RgbPicture, view: ExpectedView): string[] {
  const tiles = expectedTiles(view);
  const colourOf = new Map(view.participants.map((p) => [p.id, p.colour]));
  const senderColours = [...new Set(view.participants.flatMap((p) => (p.colour ? [p.colour] : [])))];
  const toPicture = (r: { x: number; y: number; w: number; h: number }) => scaleRect(r, view.width, view.height, picture.width, picture.height);
  const problems: string[] = [];
  for (const tile of tiles) {
    const colour = tile.participantId === null ? undefined : colourOf.get(tile.participantId);
    const mean = meanRgb(picture, toPicture(insideOf(tile)));
    const where = `tile ${tile.participantId ?? '(placeholder)'} at ${tile.x},${tile.y} ${tile.w}x${tile.h}`;
    if (colour !== undefined) {
      if (colourDistance(mean, COLOURS[colour]) > TILE_COLOUR_TOLERANCE) problems.push(`${where}: mean ${formatRgb(mean)}, expected ${colour}`);
    } else {
      const like = senderColours.find((c) => colourDistance(mean, COLOURS[c]) <= TILE_COLOUR_TOLERANCE);
      if (like) problems.push(`${where} (no camera): mean ${formatRgb(mean)} looks ${like}`);
    }
  }
  for (const block of uncoveredBlocks(tiles, view.width, view.height)) {
    const mean = meanRgb(picture, toPicture(block));
    const like = senderColours.find((c) => colourDistance(mean, COLOURS[c]) <= TILE_COLOUR_TOLERANCE);
    if (like) problems.push(`outside the tiles at ${block.x},${block.y}: mean ${formatRgb(mean)} looks ${like}`);
  }
  return problems;
}

/** Means of every tile's inside, for logs: `id=rgb(…)` joined. */
export function describeTiles(picture: RgbPicture, view: ExpectedView): string {
  return expectedTiles(view)
    .map((t) => `${t.participantId ?? '-'}@${t.x},${t.y},${t.w}x${t.h}=${formatRgb(meanRgb(picture, scaleRect(insideOf(t), view.width, view.height, picture.width, picture.height)))}`)
    .join(' ');
}

/**
 * Blocks of `block`×`block` composite pixels (on a grid) that stay at least `margin` pixels away
 * from every tile: where the picture should show background (bars, empty grid cells).
 */
export function uncoveredBlocks(tiles: readonly Tile[], width: number, height: number, block = 32, margin = 8): Array<{ x: number; y: number; w: number; h: number }> {
  const blocks: Array<{ x: number; y: number; w: number; h: number }> = [];
  for (let y = 0; y + block <= height; y += block) {
    for (let x = 0; x + block <= width; x += block) {
      const clear = tiles.every((t) => x + block + margin <= t.x || x >= t.x + t.w + margin || y + block + margin <= t.y || y >= t.y + t.h + margin);
      if (clear) blocks.push({ x, y, w: block, h: block });
    }
  }
  return blocks;
}

/** Writes `picture` as a binary PPM (P6) artifact and returns its path. */
export function savePicture(picture: RgbPicture, label: string): string {
  const file = artifactPath(label, '.ppm');
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`P6\n${picture.width} ${picture.height}\n255\n`, 'latin1'), picture.data]));
  return file;
}
