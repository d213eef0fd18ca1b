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

/**
 * Taps of one axis: output sample `i` is Σ `src[index[k]]·weight[k] / 256` for `k` in
 * `i·taps .. i·taps+taps-1` (every sample has `taps` taps; unused ones weigh 0).
 */
export interface AxisTable {
  readonly srcLength: number;
  readonly dstLength: number;
  /** Taps per output sample. */
  readonly taps: number;
  /** Source sample of each tap (`dstLength·taps`). */
  readonly index: Int32Array;
  /** Weight of each tap; the weights of one output sample sum to 256. */
  readonly weight: Int32Array;
}

const tableCache = new Map<number, AxisTable>();
/** One row of vertical sums (max 255·256, fits 16 bits); grown on demand, shared (single-threaded). */
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
 * Only the `dst.width×dst.height` samples of `dst` are written. Vertical pass first (row vectors,
 * no index look-ups, and shrinking leaves fewer rows for the horizontal pass).
 */
export function scalePlane(src: PlaneView, dst: PlaneView): void {
  if (src.width === dst.width && src.height === dst.height) {
    copyPlane(src, dst);
    return;
  }
  if (src.width === 2 * dst.width && src.height === 2 * dst.height) {
    halvePlane(src, dst);
    return;
  }
  const h = axisTable(src.width, dst.width);
  const v = axisTable(src.height, dst.height);
  const sw = src.width;
  const dw = dst.width;
  if (scratch.length < sw) scratch = new Uint16Array(sw);
  const acc = scratch;
  const sData = src.data;
  const dData = dst.data;
  const vTaps = v.taps;
  const vIndex = v.index;
  const vWeight = v.weight;
  const hTaps = h.taps;
  const hIndex = h.index;
  const hWeight = h.weight;
  for (let row = 0; row < dst.height; row++) {
    // Vertical: the weighted sum of this output row's source rows, 8 fractional bits (one store
    // per sample: the common tap counts are unrolled).
    const k0 = row * vTaps;
    const b0 = src.offset + vIndex[k0] * src.stride;
    const w0 = vWeight[k0];
    if (vTaps === 1) {
      for (let i = 0; i < sw; i++) acc[i] = sData[b0 + i] * w0;
    } else if (vTaps === 2) {
      const b1 = src.offset + vIndex[k0 + 1] * src.stride;
      const w1 = vWeight[k0 + 1];
      for (let i = 0; i < sw; i++) acc[i] = sData[b0 + i] * w0 + sData[b1 + i] * w1;
    } else if (vTaps === 3) {
      const b1 = src.offset + vIndex[k0 + 1] * src.stride;
      const b2 = src.offset + vIndex[k0 + 2] * src.stride;
      const w1 = vWeight[k0 + 1];
      const w2 = vWeight[k0 + 2];
      for (let i = 0; i < sw; i++) acc[i] = sData[b0 + i] * w0 + sData[b1 + i] * w1 + sData[b2 + i] * w2;
    } else {
      // Four taps at once, then any further ones (shrinking by more than 3:1) one by one.
      const b1 = src.offset + vIndex[k0 + 1] * src.stride;
      const b2 = src.offset + vIndex[k0 + 2] * src.stride;
      const b3 = src.offset + vIndex[k0 + 3] * src.stride;
      const w1 = vWeight[k0 + 1];
      const w2 = vWeight[k0 + 2];
      const w3 = vWeight[k0 + 3];
      for (let i = 0; i < sw; i++) acc[i] = sData[b0 + i] * w0 + sData[b1 + i] * w1 + sData[b2 + i] * w2 + sData[b3 + i] * w3;
      for (let k = k0 + 4; k < k0 + vTaps; k++) {
        const w = vWeight[k];
        if (w === 0) continue;
        const base = src.offset + vIndex[k] * src.stride;
        for (let i = 0; i < sw; i++) acc[i] += sData[base + i] * w;
      }
    }
    // Horizontal: taps of the summed row, rounded back to 8 bits.
    const out = dst.offset + row * dst.stride;
    if (hTaps === 1) {
      for (let i = 0; i < dw; i++) dData[out + i] = (acc[hIndex[i]] * 256 + 32768) >>> 16;
    } else if (hTaps === 2) {
      for (let i = 0, k = 0; i < dw; i++, k += 2) {
        dData[out + i] = (acc[hIndex[k]] * hWeight[k] + acc[hIndex[k + 1]] * hWeight[k + 1] + 32768) >>> 16;
      }
    } else if (hTaps === 3) {
      for (let i = 0, k = 0; i < dw; i++, k += 3) {
        dData[out + i] =
          (acc[hIndex[k]] * hWeight[k] + acc[hIndex[k + 1]] * hWeight[k + 1] + acc[hIndex[k + 2]] * hWeight[k + 2] + 32768) >>> 16;
      }
    } else if (hTaps === 4) {
      for (let i = 0, k = 0; i < dw; i++, k += 4) {
        dData[out + i] =
          (acc[hIndex[k]] * hWeight[k] +
            acc[hIndex[k + 1]] * hWeight[k + 1] +
            acc[hIndex[k + 2]] * hWeight[k + 2] +
            acc[hIndex[k + 3]] * hWeight[k + 3] +
            32768) >>>
          16;
      }
    } else {
      for (let i = 0, k = 0; i < dw; i++) {
        let sum = 32768;
        for (const end = k + hTaps; k < end; k++) sum += acc[hIndex[k]] * hWeight[k];
        dData[out + i] = sum >>> 16;
      }
    }
  }
}

/** Little-endian host: four samples read as one 32-bit word have sample 0 in the low octet. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Exact 2:1 reduction, the most common case (a grid of half-size tiles): the mean of each 2×2
 * block, rounded half up. Where the source rows are 4-octet aligned (decoded pictures are), two
 * output samples are computed from one 32-bit word of each source row, two 16-bit lanes at a time;
 * the result is the same as the sample-by-sample loop, which serves the other cases.
 */
export function halvePlane(src: PlaneView, dst: PlaneView): void {
  const base = src.data.byteOffset + src.offset;
  if (LITTLE_ENDIAN && base % 4 === 0 && src.stride % 4 === 0) halvePlaneWords(src, dst);
  else halvePlaneSamples(src, dst);
}

function halvePlaneWords(src: PlaneView, dst: PlaneView): void {
  const words = new Uint32Array(src.data.buffer, src.data.byteOffset + src.offset, ((src.data.length - src.offset) >>> 2));
  const rowWords = src.stride >>> 2;
  const dData = dst.data;
  const dw = dst.width;
  const pairs = dw >>> 1;
  for (let row = 0; row < dst.height; row++) {
    const a = 2 * row * rowWords;
    const b = a + rowWords;
    const out = dst.offset + row * dst.stride;
    for (let i = 0; i < pairs; i++) {
      const x = words[a + i];
      const y = words[b + i];
      // Lane 0: samples 0+1 of both rows, lane 1: samples 2+3 (each at most 4·255, no carry between lanes).
      const sum = (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff) + (y & 0x00ff00ff) + ((y >>> 8) & 0x00ff00ff) + 0x00020002;
      dData[out + 2 * i] = (sum & 0xffff) >>> 2;
      dData[out + 2 * i + 1] = sum >>> 18;
    }
    if (dw & 1) {
      const j = 2 * (dw - 1);
      const ra = src.offset + 2 * row * src.stride;
      const rb = ra + src.stride;
      const s = src.data;
      dData[out + dw - 1] = (s[ra + j] + s[ra + j + 1] + s[rb + j] + s[rb + j + 1] + 2) >> 2;
    }
  }
}

function halvePlaneSamples(src: PlaneView, dst: PlaneView): void {
  const sData = src.data;
  const dData = dst.data;
  const dw = dst.width;
  for (let row = 0; row < dst.height; row++) {
    const a = src.offset + 2 * row * src.stride;
    const b = a + src.stride;
    const out = dst.offset + row * dst.stride;
    for (let i = 0, j = 0; i < dw; i++, j += 2) {
      dData[out + i] = (sData[a + j] + sData[a + j + 1] + sData[b + j] + sData[b + j + 1] + 2) >> 2;
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
  const samples: Array<Array<[number, number]>> = [];
  for (let i = 0; i < dstLength; i++) {
    const lo = i * s;
    const hi = Math.min(srcLength, (i + 1) * s);
    const taps: Array<[number, number]> = [];
    for (let j = Math.floor(lo); j < Math.ceil(hi); j++) {
      const overlap = Math.min(hi, j + 1) - Math.max(lo, j);
      if (overlap > 1e-9) taps.push([j, overlap / (hi - lo)]);
    }
    samples.push(normalized(taps));
  }
  return packTable(srcLength, dstLength, samples);
}

/** Bilinear between sample centres (edge samples repeated). */
function bilinearTable(srcLength: number, dstLength: number): AxisTable {
  const samples: Array<Array<[number, number]>> = [];
  const ratio = srcLength / dstLength;
  for (let i = 0; i < dstLength; i++) {
    const pos = Math.min(srcLength - 1, Math.max(0, (i + 0.5) * ratio - 0.5));
    const j0 = Math.floor(pos);
    const f = pos - j0;
    const j1 = Math.min(srcLength - 1, j0 + 1);
    samples.push(normalized(f < 1e-9 || j1 === j0 ? [[j0, 1]] : [[j0, 1 - f], [j1, f]]));
  }
  return packTable(srcLength, dstLength, samples);
}

/** Quantizes real weights (summing to 1) to integers summing exactly to WEIGHT_ONE; drops zeros. */
function normalized(taps: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const q = taps.map(([, w]) => Math.round(w * WEIGHT_ONE));
  let largest = 0;
  for (let k = 1; k < q.length; k++) if (q[k] > q[largest]) largest = k;
  q[largest] += WEIGHT_ONE - q.reduce((a, b) => a + b, 0);
  return taps.map(([j], k): [number, number] => [j, q[k]]).filter(([, w]) => w > 0);
}

/** Packs per-sample taps into uniform arrays, padding with zero weights on the last tap's sample. */
function packTable(srcLength: number, dstLength: number, samples: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): AxisTable {
  const taps = Math.max(1, ...samples.map((t) => t.length));
  const index = new Int32Array(dstLength * taps);
  const weight = new Int32Array(dstLength * taps);
  samples.forEach((t, i) => {
    for (let k = 0; k < taps; k++) {
      const [j, w] = t[Math.min(k, t.length - 1)];
      index[i * taps + k] = j;
      weight[i * taps + k] = k < t.length ? w : 0;
    }
  });
  return { srcLength, dstLength, taps, index, weight };
}
