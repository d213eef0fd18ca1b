/**
 * Resampling of one 8-bit picture plane (a yuv420p Y, U or V plane) to another size, separable:
 * a horizontal pass into a 16-bit scratch plane, then a vertical pass into the destination.
 *
 * Downscaling averages the source area each output pixel covers (box filter: a 2:1 reduction is
 * the mean of each 2×2 block); upscaling interpolates bilinearly between pixel centres. The taps
 * and weights of each axis depend only on (source length, destination length) and are computed
 * once and cached, so a steady stream of pictures of the same sizes costs only the two passes.
 */

/** Weights of each axis sum to this (8 fractional bits per pass, 16 in all). */
const WEIGHT_ONE = 256;
/** Cached axis tables beyond this number are dropped (all at once; they rebuild in microseconds). */
const MAX_CACHED_TABLES = 128;

/** Taps of one axis: output sample `i` is Σ `src[index[k]]·weight[k]` for `k` in `first[i]..first[i+1]-1`. */
export interface AxisTable {
  readonly srcLength: number;
  readonly dstLength: number;
  /** `dstLength + 1` offsets into `index`/`weight`. */
  readonly first: Int32Array;
  /** Source sample of each tap. */
  readonly index: Int32Array;
  /** Weight of each tap; the weights of one output sample sum to 256. */
  readonly weight: Int32Array;
}

const tableCache = new Map<number, AxisTable>();
let scratch = new Uint16Array(0);

/**
 * The (cached) taps that map `srcLength` samples onto `dstLength` samples: area average when
 * shrinking, bilinear between sample centres when growing, a plain copy when equal.
 * Lengths are positive integers (pixels); the caller checks them.
 */
export function axisTable(srcLength: number, dstLength: number): AxisTable {
  const key = srcLength * 65536 + dstLength;
  const cached = tableCache.get(key);
  if (cached) return cached;
  const table = dstLength < srcLength ? boxTable(srcLength, dstLength) : bilinearTable(srcLength, dstLength);
  if (tableCache.size >= MAX_CACHED_TABLES) tableCache.clear();
  tableCache.set(key, table);
  return table;
}

/** Number of axis tables currently cached (for tests of the cache). */
export function cachedAxisTables(): number {
  return tableCache.size;
}

/** A plane: `width×height` samples of `data`, row `r` starting at `offset + r·stride`. */
export interface PlaneView {
  readonly data: Uint8Array;
  readonly offset: number;
  readonly stride: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Resamples `src` into `dst` (both planes of 8-bit samples; sizes in pixels, any positive size).
 * Only the `dst.width×dst.height` samples of `dst` are written.
 */
export function scalePlane(src: PlaneView, dst: PlaneView): void {
  if (src.width === dst.width && src.height === dst.height) {
    copyPlane(src, dst);
    return;
  }
  const h = axisTable(src.width, dst.width);
  const v = axisTable(src.height, dst.height);
  const dw = dst.width;
  const needed = src.height * dw;
  if (scratch.length < needed) scratch = new Uint16Array(needed);
  const tmp = scratch;
  const sData = src.data;
  const hFirst = h.first;
  const hIndex = h.index;
  const hWeight = h.weight;
  // Horizontal pass: every source row to dst.width samples, 8 fractional bits kept.
  for (let row = 0; row < src.height; row++) {
    const rowStart = src.offset + row * src.stride;
    const tmpRow = row * dw;
    for (let i = 0; i < dw; i++) {
      let acc = 0;
      const end = hFirst[i + 1];
      for (let k = hFirst[i]; k < end; k++) acc += sData[rowStart + hIndex[k]] * hWeight[k];
      tmp[tmpRow + i] = acc;
    }
  }
  // Vertical pass: each output row from the rows of its taps, rounded back to 8 bits.
  const dData = dst.data;
  const vFirst = v.first;
  const vIndex = v.index;
  const vWeight = v.weight;
  for (let row = 0; row < dst.height; row++) {
    const out = dst.offset + row * dst.stride;
    const k0 = vFirst[row];
    const k1 = vFirst[row + 1];
    if (k1 - k0 === 2) {
      const r0 = vIndex[k0] * dw;
      const r1 = vIndex[k0 + 1] * dw;
      const w0 = vWeight[k0];
      const w1 = vWeight[k0 + 1];
      for (let i = 0; i < dw; i++) dData[out + i] = (tmp[r0 + i] * w0 + tmp[r1 + i] * w1 + 32768) >>> 16;
    } else {
      for (let i = 0; i < dw; i++) {
        let acc = 32768;
        for (let k = k0; k < k1; k++) acc += tmp[vIndex[k] * dw + i] * vWeight[k];
        dData[out + i] = acc >>> 16;
      }
    }
  }
}

function copyPlane(src: PlaneView, dst: PlaneView): void {
  if (src.stride === src.width && dst.stride === dst.width) {
    dst.data.set(src.data.subarray(src.offset, src.offset + src.width * src.height), dst.offset);
    return;
  }
  for (let row = 0; row < src.height; row++) {
    const from = src.offset + row * src.stride;
    dst.data.set(src.data.subarray(from, from + src.width), dst.offset + row * dst.stride);
  }
}

/** Area average: output sample i covers source interval [i·s, (i+1)·s) with s = src/dst > 1. */
function boxTable(srcLength: number, dstLength: number): AxisTable {
  const s = srcLength / dstLength;
  const first = new Int32Array(dstLength + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < dstLength; i++) {
    first[i] = index.length;
    const lo = i * s;
    const hi = Math.min(srcLength, (i + 1) * s);
    const taps: Array<[number, number]> = [];
    for (let j = Math.floor(lo); j < Math.ceil(hi); j++) {
      const overlap = Math.min(hi, j + 1) - Math.max(lo, j);
      if (overlap > 1e-9) taps.push([j, overlap / (hi - lo)]);
    }
    pushNormalized(taps, index, weight);
  }
  first[dstLength] = index.length;
  return { srcLength, dstLength, first, index: Int32Array.from(index), weight: Int32Array.from(weight) };
}

/** Bilinear between sample centres (edge samples repeated); a copy when the lengths are equal. */
function bilinearTable(srcLength: number, dstLength: number): AxisTable {
  const first = new Int32Array(dstLength + 1);
  const index: number[] = [];
  const weight: number[] = [];
  const ratio = srcLength / dstLength;
  for (let i = 0; i < dstLength; i++) {
    first[i] = index.length;
    const pos = Math.min(srcLength - 1, Math.max(0, (i + 0.5) * ratio - 0.5));
    const j0 = Math.floor(pos);
    const f = pos - j0;
    const j1 = Math.min(srcLength - 1, j0 + 1);
    pushNormalized(f < 1e-9 || j1 === j0 ? [[j0, 1]] : [[j0, 1 - f], [j1, f]], index, weight);
  }
  first[dstLength] = index.length;
  return { srcLength, dstLength, first, index: Int32Array.from(index), weight: Int32Array.from(weight) };
}

/** Quantizes real weights (summing to 1) to integers summing exactly to WEIGHT_ONE; drops zeros. */
function pushNormalized(taps: ReadonlyArray<readonly [number, number]>, index: number[], weight: number[]): void {
  const q = taps.map(([, w]) => Math.round(w * WEIGHT_ONE));
  let largest = 0;
  for (let k = 1; k < q.length; k++) if (q[k] > q[largest]) largest = k;
  q[largest] += WEIGHT_ONE - q.reduce((a, b) => a + b, 0);
  taps.forEach(([j], k) => {
    if (q[k] > 0) {
      index.push(j);
      weight.push(q[k]);
    }
  });
}
