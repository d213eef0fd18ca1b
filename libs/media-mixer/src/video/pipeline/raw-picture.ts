/**
 * Uncoded pictures as they travel between the decoders, the compositor and the encoders of the
 * video pipeline (docs/video-pipeline.md): planar yuv420p, the pixel format of ffmpeg's
 * `-f rawvideo -pix_fmt yuv420p` pipes.
 */
import { InvalidArgumentError } from '../../errors';

/**
 * A yuv420p planar picture: Y (`width·height` octets) then U and V (`width/2·height/2` octets
 * each), rows without padding. Width and height are even pixels.
 */
export interface RawPicture {
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

/** Octets of a yuv420p picture of `width×height` pixels (`width·height·3/2`). */
export function yuv420pOctets(width: number, height: number): number {
  return (width * height * 3) / 2;
}

/** BT.601 limited-range YUV of an RGB colour (0..255 each), as ffmpeg's `color` source codes it. */
export function rgbToYuv(r: number, g: number, b: number): { y: number; u: number; v: number } {
  return {
    y: Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255),
    u: Math.round(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255),
    v: Math.round(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255),
  };
}

/**
 * A picture of one solid colour (BT.601 limited range).
 * @throws InvalidArgumentError for an odd or empty size.
 */
export function solidPicture(width: number, height: number, rgb: readonly [number, number, number]): RawPicture {
  checkEvenSize(width, height);
  const { y, u, v } = rgbToYuv(rgb[0], rgb[1], rgb[2]);
  const data = Buffer.alloc(yuv420pOctets(width, height));
  const luma = width * height;
  data.fill(y, 0, luma);
  data.fill(u, luma, luma + luma / 4);
  data.fill(v, luma + luma / 4);
  return { width, height, data };
}

/**
 * Mean Y, U and V of the rectangle `x,y,w,h` (pixels, even) of a picture.
 * @throws InvalidArgumentError when the rectangle leaves the picture or the data is too short.
 */
export function meanYuv(p: RawPicture, rect?: { x: number; y: number; w: number; h: number }): { y: number; u: number; v: number } {
  const r = rect ?? { x: 0, y: 0, w: p.width, h: p.height };
  if (r.x < 0 || r.y < 0 || r.w <= 0 || r.h <= 0 || r.x + r.w > p.width || r.y + r.h > p.height) {
    throw new InvalidArgumentError(`Rectangle ${r.x},${r.y} ${r.w}x${r.h} outside ${p.width}x${p.height}`);
  }
  if (p.data.length < yuv420pOctets(p.width, p.height)) throw new InvalidArgumentError('Picture data shorter than its size');
  const luma = p.width * p.height;
  const cw = p.width / 2;
  let ys = 0;
  for (let row = r.y; row < r.y + r.h; row++) for (let col = r.x; col < r.x + r.w; col++) ys += p.data[row * p.width + col];
  let us = 0;
  let vs = 0;
  let n = 0;
  for (let row = r.y >> 1; row < (r.y + r.h) >> 1; row++) {
    for (let col = r.x >> 1; col < (r.x + r.w) >> 1; col++) {
      us += p.data[luma + row * cw + col];
      vs += p.data[luma + luma / 4 + row * cw + col];
      n++;
    }
  }
  return { y: ys / (r.w * r.h), u: us / Math.max(1, n), v: vs / Math.max(1, n) };
}

function checkEvenSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2 || width % 2 !== 0 || height % 2 !== 0) {
    throw new InvalidArgumentError(`Picture size ${width}x${height} must be even and positive`);
  }
}
