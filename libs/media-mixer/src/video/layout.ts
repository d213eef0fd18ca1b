/**
 * Video layouts: which participant appears where in the composite picture one receiver gets.
 *
 * Pure functions of the room state; the compositor calls `computeLayout()` per distinct view and
 * copies each sender's (scaled) picture into the returned rectangles. Every coordinate and size is
 * even, so that the 2×2-subsampled chroma planes of yuv420p line up with the luma plane.
 *
 * Layouts (the names of `PUT /api/rooms/:id/layout`):
 * - `auto`: a grid that grows with the room: 1, 2 side by side, 2×2, 3×3, 4×4; beyond 16, the 16
 *   most recent speakers. Tiles keep join order so nobody jumps around when someone speaks.
 * - `speaker`: the active speaker large on top, up to 5 thumbnails (the next most recent speakers)
 *   in a strip below.
 * - `single`: the active speaker only.
 *
 * Self view: with `selfView: false` the viewer's own picture is left out and the others reflow;
 * when the viewer is alone, it gets one placeholder tile (`participantId: null`) instead, so its
 * picture says "waiting for others" rather than showing the empty-room slate.
 */
import { InvalidArgumentError } from '../errors';

/** Layout names accepted per room. */
export type LayoutName = 'auto' | 'speaker' | 'single';

/** All layout names, for request validation. */
export const LAYOUT_NAMES: readonly LayoutName[] = ['auto', 'speaker', 'single'];

/** What the layout needs to know about one participant. */
export interface LayoutParticipant {
  /** Participant id, unique in the room. */
  readonly id: string;
  /** Display name (drawn on the tile by the compositor; not used for placement). */
  readonly name: string;
  /** Sends video; audio-only participants still get a tile (a placeholder picture with their name). */
  readonly hasVideo: boolean;
  /** Monotonic time in ms when the participant last held the floor; `undefined` if never. */
  readonly lastSpokeAt?: number;
}

/** One composite picture to lay out. */
export interface LayoutRequest {
  readonly layout: LayoutName;
  /** Output picture width in pixels (even, ≥ 2). */
  readonly width: number;
  /** Output picture height in pixels (even, ≥ 2). */
  readonly height: number;
  /** The room's participants in join order. */
  readonly participants: readonly LayoutParticipant[];
  /** Whether the viewer sees its own picture. */
  readonly selfView: boolean;
  /** The receiving participant, or `null` for a viewer that is not a participant (a recorder). */
  readonly viewerId: string | null;
  /**
   * The room's active speaker (from the audio mixer's detection with hysteresis). When absent or
   * not shown to this viewer, the most recent speaker among the shown participants is used.
   */
  readonly activeSpeakerId?: string | null;
  /** Width/height ratio of each tile; default the output's own ratio. */
  readonly tileAspect?: number;
}

/** A rectangle of the output picture and who fills it; all four numbers are even pixels. */
export interface Tile {
  /** Participant shown, or `null` for a placeholder (lone viewer without self view). */
  readonly participantId: string | null;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Largest number of tiles of the `auto` grid (4×4). */
export const MAX_GRID_TILES = 16;
/** Largest number of thumbnails of the `speaker` layout. */
export const MAX_SPEAKER_THUMBNAILS = 5;

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Lays out one receiver's picture.
 * @returns the tiles, empty when nobody is to be shown (an empty room: the compositor sends a slate).
 * @throws InvalidArgumentError when the size is not even and positive or `tileAspect` is not positive.
 */
export function computeLayout(request: LayoutRequest): Tile[] {
  const { width, height } = request;
  if (!isEvenPositive(width) || !isEvenPositive(height)) {
    throw new InvalidArgumentError(`Layout size ${width}x${height} must be even and positive`);
  }
  const aspect = request.tileAspect ?? width / height;
  if (!(aspect > 0) || !Number.isFinite(aspect)) throw new InvalidArgumentError(`Tile aspect ${aspect} must be positive`);

  const shown = request.selfView
    ? request.participants
    : request.participants.filter((p) => p.id !== request.viewerId);
  if (shown.length === 0) {
    const viewerPresent = request.participants.some((p) => p.id === request.viewerId);
    return viewerPresent ? [{ participantId: null, ...fit({ x: 0, y: 0, w: width, h: height }, aspect) }] : [];
  }
  const canvas = { x: 0, y: 0, w: width, h: height };
  switch (request.layout) {
    case 'auto':
      return gridLayout(canvas, aspect, mostRecentSpeakers(shown, MAX_GRID_TILES));
    case 'speaker':
      return speakerLayout(canvas, aspect, shown, activeSpeaker(shown, request.activeSpeakerId));
    case 'single':
      return [{ participantId: activeSpeaker(shown, request.activeSpeakerId).id, ...fit(canvas, aspect) }];
    default:
      throw new InvalidArgumentError(`Unknown layout ${String(request.layout)}`);
  }
}

/**
 * A string that is equal for two tile lists exactly when they are the same picture geometry with
 * the same participants: receivers whose views have equal keys (and equal codec, size and
 * bitrate) share one encoder.
 */
export function layoutKey(tiles: readonly Tile[]): string {
  return tiles.map((t) => `${t.participantId === null ? '-' : JSON.stringify(t.participantId)}@${t.x},${t.y},${t.w}x${t.h}`).join('|');
}

/** Columns × rows of the `auto` grid for `count` tiles (1, 2 side by side, 2×2, 3×3, 4×4). */
export function gridShape(count: number): { columns: number; rows: number } {
  if (count <= 1) return { columns: 1, rows: 1 };
  if (count === 2) return { columns: 2, rows: 1 };
  if (count <= 4) return { columns: 2, rows: 2 };
  if (count <= 9) return { columns: 3, rows: 3 };
  return { columns: 4, rows: 4 };
}

function gridLayout(area: Rect, aspect: number, people: readonly LayoutParticipant[]): Tile[] {
  const { columns, rows } = gridShape(people.length);
  const cellW = area.w / columns;
  const cellH = area.h / rows;
  const usedRows = Math.ceil(people.length / columns);
  const rowOffset = ((rows - usedRows) * cellH) / 2;
  const tiles: Tile[] = [];
  people.forEach((p, i) => {
    const row = Math.floor(i / columns);
    const inRow = row === usedRows - 1 ? people.length - row * columns : columns;
    const rowStart = ((columns - inRow) * cellW) / 2;
    const col = i % columns;
    const cell = { x: area.x + rowStart + col * cellW, y: area.y + rowOffset + row * cellH, w: cellW, h: cellH };
    tiles.push({ participantId: p.id, ...fit(cell, aspect) });
  });
  return tiles;
}

function speakerLayout(
  area: Rect,
  aspect: number,
  shown: readonly LayoutParticipant[],
  speaker: LayoutParticipant,
): Tile[] {
  const others = mostRecentSpeakers(
    shown.filter((p) => p !== speaker),
    MAX_SPEAKER_THUMBNAILS,
  );
  if (others.length === 0) return [{ participantId: speaker.id, ...fit(area, aspect) }];
  const stripH = area.h / MAX_SPEAKER_THUMBNAILS;
  const large = fit({ x: area.x, y: area.y, w: area.w, h: area.h - stripH }, aspect);
  const thumbW = area.w / MAX_SPEAKER_THUMBNAILS;
  const start = area.x + ((MAX_SPEAKER_THUMBNAILS - others.length) * thumbW) / 2;
  const tiles: Tile[] = [{ participantId: speaker.id, ...large }];
  others.forEach((p, i) => {
    tiles.push({ participantId: p.id, ...fit({ x: start + i * thumbW, y: area.y + area.h - stripH, w: thumbW, h: stripH }, aspect) });
  });
  return tiles;
}

/**
 * The active speaker among `shown`: the given one when shown, else the most recent speaker, else
 * the first to join.
 */
function activeSpeaker(shown: readonly LayoutParticipant[], preferred: string | null | undefined): LayoutParticipant {
  const given = preferred == null ? undefined : shown.find((p) => p.id === preferred);
  return given ?? mostRecentSpeakers(shown, 1)[0];
}

/**
 * Up to `limit` participants: the most recent speakers first (never-speakers after, in join order),
 * returned in join order so positions stay stable.
 */
function mostRecentSpeakers(people: readonly LayoutParticipant[], limit: number): LayoutParticipant[] {
  if (people.length <= limit) return [...people];
  const ranked = people
    .map((p, joinIndex) => ({ p, joinIndex }))
    .sort((a, b) => (b.p.lastSpokeAt ?? -Infinity) - (a.p.lastSpokeAt ?? -Infinity) || a.joinIndex - b.joinIndex)
    .slice(0, limit)
    .sort((a, b) => a.joinIndex - b.joinIndex);
  return ranked.map((r) => r.p);
}

/** The largest even rectangle of ratio `aspect` centred in `cell` (cell edges may be fractional). */
function fit(cell: Rect, aspect: number): Rect {
  let w = Math.min(cell.w, cell.h * aspect);
  let h = w / aspect;
  w = evenFloor(w);
  h = evenFloor(h);
  const x = evenFloor(cell.x + (cell.w - w) / 2);
  const y = evenFloor(cell.y + (cell.h - h) / 2);
  return { x, y, w, h };
}

function evenFloor(v: number): number {
  // The epsilon keeps exact halves such as 639.9999999 from losing two pixels.
  return 2 * Math.floor(v / 2 + 1e-9);
}

function isEvenPositive(v: number): boolean {
  return Number.isInteger(v) && v >= 2 && v % 2 === 0;
}
