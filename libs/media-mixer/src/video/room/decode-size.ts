/**
 * Picture geometry of the pipeline (docs/video-pipeline.md, "Decoders"): the size a camera is
 * decoded to, its own display aspect inside a 640×360 box, so that the compositor letterboxes each
 * camera once, into its tile, instead of twice (once to a fixed 16:9 picture, again into a 4:3
 * tile); and the pixel aspect of an output picture, so that a camera keeps its shape in H.263 and
 * H.261 pictures, whose pixels are 12:11. Cameras smaller than the box are not enlarged by the
 * decoder (the compositor scales per tile anyway).
 */
import type { CodedPictureSize } from '../coded-picture-size';
import type { VideoPayloadFormat } from '../video-leg-params';

/** Size of a decoder's output pictures and how its ffmpeg gets there (`decoderArgs` `fit`). */
export interface DecodeSize {
  /** Pixels, even, at least 2. */
  readonly width: number;
  readonly height: number;
  /** `stretch`: the size has the camera's display aspect; `pad`: unknown camera, fit and black bars. */
  readonly fit: 'pad' | 'stretch';
}

/** The box every camera is decoded into: the largest tile any layout draws at 640×360. */
export const DECODE_BOX = { width: 640, height: 360 } as const;

const even = (v: number): number => Math.max(2, Math.round(v / 2) * 2);

/**
 * The decode size for a camera whose key frame announced `coded` (undefined: not readable), in
 * pixels: the largest size of its display aspect that fits both `DECODE_BOX` and the camera's
 * own picture height (no enlargement), rounded to even numbers; unknown cameras get the whole box
 * with `pad`.
 */
export function decodeSizeFor(coded: CodedPictureSize | undefined): DecodeSize {
  if (!coded || !(coded.displayAspect > 0) || !Number.isFinite(coded.displayAspect) || coded.height < 2 || coded.width < 2) {
    return { ...DECODE_BOX, fit: 'pad' };
  }
  const aspect = coded.displayAspect;
  let height = Math.min(DECODE_BOX.height, coded.height);
  let width = height * aspect;
  if (width > DECODE_BOX.width) {
    width = DECODE_BOX.width;
    height = width / aspect;
  }
  return { width: Math.min(DECODE_BOX.width, even(width)), height: Math.min(DECODE_BOX.height, even(height)), fit: 'stretch' };
}

/** True when both sizes are the same (size and fit). */
export function sameDecodeSize(a: DecodeSize | undefined, b: DecodeSize): boolean {
  return a !== undefined && a.width === b.width && a.height === b.height && a.fit === b.fit;
}

/** Sizes of the H.263 standard picture formats (H.263 Table 1, also H.261's QCIF and CIF). */
const H263_STANDARD_SIZES = new Set(['128x96', '176x144', '352x288', '704x576', '1408x1152']);

/**
 * Pixel aspect (width/height of one pixel as displayed) of the pictures an encoder of `codec`
 * sends at `width`×`height`: 12/11 for H.263 (H.263 §4.2.1: every standard format) and H.261
 * (H.261 §3.1) at a standard size, 1 otherwise (H.264 and VP8 are encoded with square pixels).
 */
export function outputPixelAspect(codec: VideoPayloadFormat, width: number, height: number): number {
  const cif = codec === 'H263' || codec === 'H263-1998' || codec === 'H261';
  return cif && H263_STANDARD_SIZES.has(`${width}x${height}`) ? 12 / 11 : 1;
}
