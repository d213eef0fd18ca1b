/**
 * Decoded pictures as the video end-to-end tests see them (packed RGB, 8 bits per channel, rows
 * top to bottom) and the colour measures they assert on: mean colour of a rectangle, distance
 * between colours, and the tile rectangles of a layout shrunk to their inside (so that name labels
 * and scaling edges do not weigh in).
 */

/** A packed rgb24 picture: `data[(y * width + x) * 3 + c]`, c = 0 red, 1 green, 2 blue. */
export interface RgbPicture {
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

/** A colour, each channel 0–255. */
export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/** A rectangle in pixels. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Pure colours of the senders, as ffmpeg's `color` source makes them (`0xRRGGBB`). */
export const COLOURS = {
  red: { r: 255, g: 0, b: 0 },
  green: { r: 0, g: 255, b: 0 },
  blue: { r: 0, g: 0, b: 255 },
  yellow: { r: 255, g: 255, b: 0 },
} as const satisfies Record<string, Rgb>;

/** Name of a colour in {@link COLOURS}. */
export type ColourName = keyof typeof COLOURS;

/** `0xRRGGBB`, the form ffmpeg's `color=c=` takes. */
export function ffmpegColour(colour: Rgb): string {
  const hex = (v: number): string => Math.round(v).toString(16).padStart(2, '0');
  return `0x${hex(colour.r)}${hex(colour.g)}${hex(colour.b)}`;
}

/**
 * Mean colour of `rect` in `picture`, sampling every `step`-th pixel in both directions (default 2).
 * @throws Error when the rectangle is empty or not inside the picture
 */
export function meanRgb(picture: RgbPicture, rect: PixelRect, step = 2): Rgb {
  const { width, height, data } = picture;
  const x0 = Math.round(rect.x);
  const y0 = Math.round(rect.y);
  const x1 = Math.round(rect.x + rect.w);
  const y1 = Math.round(rect.y + rect.h);
  if (x0 < 0 || y0 < 0 || x1 > width || y1 > height || x1 <= x0 || y1 <= y0) {
    throw new Error(`rectangle ${JSON.stringify(rect)} is empty or outside the ${width}x${height} picture`);
  }
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = y0; y < y1; y += step) {
    let i = (y * width + x0) * 3;
    for (let x = x0; x < x1; x += step, i += 3 * step) {
      r += data[i];
      g += data[i + 1];
      b += data[i + 2];
      n++;
    }
  }
  return { r: r / n, g: g / n, b: b / n };
}

/** Largest difference of one channel between two colours (0–255). */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a.r - b.r), Math.abs(a.g - b.g), Math.abs(a.b - b.b));
}

/** `rgb(254,1,0)` for assertion messages. */
export function formatRgb(c: Rgb): string {
  return `rgb(${Math.round(c.r)},${Math.round(c.g)},${Math.round(c.b)})`;
}

/**
 * The inside of a tile: `rect` shrunk by `fx` of its width on the left and right and by `fy` of its
 * height at the top and bottom (defaults 25 % and 20 %), so that a name label along an edge and the
 * blur of scaling at the borders stay out of the measure.
 */
export function insideOf(rect: PixelRect, fx = 0.25, fy = 0.2): PixelRect {
  return { x: rect.x + rect.w * fx, y: rect.y + rect.h * fy, w: rect.w * (1 - 2 * fx), h: rect.h * (1 - 2 * fy) };
}

/** `rect` (in a `fromW`×`fromH` picture) scaled to a `toW`×`toH` picture. */
export function scaleRect(rect: PixelRect, fromW: number, fromH: number, toW: number, toH: number): PixelRect {
  const sx = toW / fromW;
  const sy = toH / fromH;
  return { x: rect.x * sx, y: rect.y * sy, w: rect.w * sx, h: rect.h * sy };
}

/**
 * The colour of `names` closest to `colour`, if it is within `tolerance` on every channel;
 * otherwise undefined.
 */
export function nearestColour(colour: Rgb, names: readonly ColourName[], tolerance: number): ColourName | undefined {
  let best: ColourName | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = colourDistance(colour, COLOURS[name]);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return bestDistance <= tolerance ? best : undefined;
}
