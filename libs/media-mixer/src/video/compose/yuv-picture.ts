/**
 * Drawing on yuv420p pictures (docs/video-pipeline.md, "Compositor"): solid rectangles, row copies
 * and aspect-fit scaling of a sender's picture into a tile, plane by plane. Every rectangle is in
 * luma pixels with even position and size, so the 2×2-subsampled chroma planes line up.
 */
import { InvalidArgumentError } from '../../errors';
import type { RawPicture } from '../pipeline/raw-picture';
import { scalePlane } from './plane-scaler';

/** A rectangle of a picture in pixels; x, y, w and h are even. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A colour as yuv420p samples (BT.601 limited range: Y 16..235, U/V 16..240, 128 = no colour). */
export interface YuvColour {
  readonly y: number;
  readonly u: number;
  readonly v: number;
}

/** Black (BT.601 limited range): the colour of letterbox bars. */
export const BLACK: YuvColour = { y: 16, u: 128, v: 128 };

/**
 * A new picture of `width×height` pixels filled with `colour` (default black).
 * @throws InvalidArgumentError for an odd or non-positive size.
 */
export function createPicture(width: number, height: number, colour: YuvColour = BLACK): RawPicture {
  checkSize(width, height, 'Picture');
  const picture = { width, height, data: Buffer.allocUnsafe((width * height * 3) / 2) };
  fillRect(picture, { x: 0, y: 0, w: width, h: height }, colour);
  return picture;
}

/**
 * Paints `rect` of `picture` with `colour` (all three planes).
 * @throws InvalidArgumentError when the picture is malformed or the rectangle is odd or outside it.
 */
export function fillRect(picture: RawPicture, rect: Rect, colour: YuvColour): void {
  checkPicture(picture, 'Picture');
  checkRect(rect, picture);
  const { width, height, data } = picture;
  const luma = width * height;
  const cw = width / 2;
  const chroma = luma / 4;
  if (rect.x === 0 && rect.w === width) {
    data.fill(colour.y, rect.y * width, (rect.y + rect.h) * width);
    data.fill(colour.u, luma + (rect.y / 2) * cw, luma + ((rect.y + rect.h) / 2) * cw);
    data.fill(colour.v, luma + chroma + (rect.y / 2) * cw, luma + chroma + ((rect.y + rect.h) / 2) * cw);
    return;
  }
  for (let row = rect.y; row < rect.y + rect.h; row++) {
    const start = row * width + rect.x;
    data.fill(colour.y, start, start + rect.w);
  }
  for (let row = rect.y / 2; row < (rect.y + rect.h) / 2; row++) {
    const start = row * cw + rect.x / 2;
    data.fill(colour.u, luma + start, luma + start + rect.w / 2);
    data.fill(colour.v, luma + chroma + start, luma + chroma + start + rect.w / 2);
  }
}

/**
 * Copies all of `src` into `dst` with its top left corner at (`x`, `y`) (even pixels), row by row.
 * @throws InvalidArgumentError when a picture is malformed or `src` does not fit there.
 */
export function copyPicture(src: RawPicture, dst: RawPicture, x: number, y: number): void {
  checkPicture(src, 'Source picture');
  checkPicture(dst, 'Destination picture');
  checkRect({ x, y, w: src.width, h: src.height }, dst);
  const srcPlanes = planes(src);
  const dstPlanes = planes(dst);
  for (let p = 0; p < 3; p++) {
    const s = srcPlanes[p];
    const d = dstPlanes[p];
    const px = p === 0 ? x : x / 2;
    const py = p === 0 ? y : y / 2;
    for (let row = 0; row < s.height; row++) {
      const from = s.offset + row * s.stride;
      s.data.copy(d.data, d.offset + (py + row) * d.stride + px, from, from + s.width);
    }
  }
}

/**
 * The largest rectangle of `src`'s aspect ratio that fits in `rect`, centred, with even position
 * and size (at least 2×2): where `blitScaled` puts the picture.
 */
export function fitRect(srcWidth: number, srcHeight: number, rect: Rect): Rect {
  let w: number;
  let h: number;
  if (srcWidth * rect.h >= srcHeight * rect.w) {
    w = rect.w;
    h = Math.min(rect.h, Math.max(2, Math.round((rect.w * srcHeight) / srcWidth / 2) * 2));
  } else {
    h = rect.h;
    w = Math.min(rect.w, Math.max(2, Math.round((rect.h * srcWidth) / srcHeight / 2) * 2));
  }
  return { x: rect.x + Math.floor((rect.w - w) / 4) * 2, y: rect.y + Math.floor((rect.h - h) / 4) * 2, w, h };
}

/**
 * Scales `src` into `rect` of `dst` keeping its aspect ratio (aspect fit): the picture is centred
 * and the rest of `rect` becomes black bars. Shrinking averages areas, growing is bilinear; a
 * picture of the rectangle's size is copied as is. Pixels of `dst` outside `rect` are untouched.
 * @param dstPixelAspect width/height of one `dst` pixel as displayed (12/11 for H.263's CIF
 *   family, default 1); `src` has square pixels. The picture keeps its displayed shape.
 * @throws InvalidArgumentError when a picture is malformed (odd size, data shorter than
 *   `width·height·3/2` octets) or `rect` is odd or outside `dst`.
 */
export function blitScaled(src: RawPicture, dst: RawPicture, rect: Rect, dstPixelAspect = 1): void {
  checkPicture(src, 'Source picture');
  checkPicture(dst, 'Destination picture');
  checkRect(rect, dst);
  const fit = fitRect(src.width / dstPixelAspect, src.height, rect);
  // Bars: the parts of rect above/below or left/right of the fitted picture.
  if (fit.y > rect.y) fillRect(dst, { x: rect.x, y: rect.y, w: rect.w, h: fit.y - rect.y }, BLACK);
  const below = rect.y + rect.h - (fit.y + fit.h);
  if (below > 0) fillRect(dst, { x: rect.x, y: fit.y + fit.h, w: rect.w, h: below }, BLACK);
  if (fit.x > rect.x) fillRect(dst, { x: rect.x, y: fit.y, w: fit.x - rect.x, h: fit.h }, BLACK);
  const right = rect.x + rect.w - (fit.x + fit.w);
  if (right > 0) fillRect(dst, { x: fit.x + fit.w, y: fit.y, w: right, h: fit.h }, BLACK);

  const srcPlanes = planes(src);
  const dstPlanes = planes(dst);
  for (let p = 0; p < 3; p++) {
    const d = dstPlanes[p];
    const shift = p === 0 ? 0 : 1;
    scalePlane(srcPlanes[p], {
      data: d.data,
      offset: d.offset + (fit.y >> shift) * d.stride + (fit.x >> shift),
      stride: d.stride,
      width: fit.w >> shift,
      height: fit.h >> shift,
    });
  }
}

/** Checks a picture's shape: even positive size, at least `width·height·3/2` octets. */
export function checkPicture(picture: RawPicture, what: string): void {
  checkSize(picture.width, picture.height, what);
  if (picture.data.length < (picture.width * picture.height * 3) / 2) {
    throw new InvalidArgumentError(`${what} data (${picture.data.length} octets) shorter than ${picture.width}x${picture.height} yuv420p`);
  }
}

/** True when `picture` is a well-formed yuv420p picture (see `checkPicture`). */
export function isValidPicture(picture: RawPicture): boolean {
  return (
    isEvenPositive(picture.width) &&
    isEvenPositive(picture.height) &&
    picture.data.length >= (picture.width * picture.height * 3) / 2
  );
}

/** Checks that `rect` is even and lies inside `picture`. */
export function checkRect(rect: Rect, picture: { width: number; height: number }): void {
  const evenOrZero = (n: number) => Number.isInteger(n) && n >= 0 && n % 2 === 0;
  if (!evenOrZero(rect.x) || !evenOrZero(rect.y) || !isEvenPositive(rect.w) || !isEvenPositive(rect.h)) {
    throw new InvalidArgumentError(`Rectangle ${rect.x},${rect.y} ${rect.w}x${rect.h} must be even and non-empty`);
  }
  if (rect.x + rect.w > picture.width || rect.y + rect.h > picture.height) {
    throw new InvalidArgumentError(`Rectangle ${rect.x},${rect.y} ${rect.w}x${rect.h} outside ${picture.width}x${picture.height}`);
  }
}

function checkSize(width: number, height: number, what: string): void {
  if (!isEvenPositive(width) || !isEvenPositive(height)) {
    throw new InvalidArgumentError(`${what} size ${width}x${height} must be even and positive`);
  }
}

function isEvenPositive(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && n % 2 === 0;
}

/** The Y, U and V planes of a yuv420p picture. */
function planes(p: RawPicture): [BufferPlane, BufferPlane, BufferPlane] {
  const luma = p.width * p.height;
  const cw = p.width / 2;
  const ch = p.height / 2;
  return [
    { data: p.data, offset: 0, stride: p.width, width: p.width, height: p.height },
    { data: p.data, offset: luma, stride: cw, width: cw, height: ch },
    { data: p.data, offset: luma + luma / 4, stride: cw, width: cw, height: ch },
  ];
}

/** A plane of a picture's buffer (see `PlaneView`). */
interface BufferPlane {
  readonly data: Buffer;
  readonly offset: number;
  readonly stride: number;
  readonly width: number;
  readonly height: number;
}
