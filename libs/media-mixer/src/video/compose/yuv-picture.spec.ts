import { InvalidArgumentError } from '../../errors';
import { meanYuv, rgbToYuv, solidPicture } from '../pipeline/raw-picture';
import type { RawPicture } from '../pipeline/raw-picture';
import { axisTable, halvePlane, scalePlane } from './plane-scaler';
import { BLACK, blitScaled, copyPicture, createPicture, fillRect, fitRect, type Rect } from './yuv-picture';

const RED = rgbToYuv(255, 0, 0);
const GREEN = rgbToYuv(0, 255, 0);
const SENTINEL = { y: 200, u: 60, v: 190 };

function expectColour(p: RawPicture, rect: Rect, colour: { y: number; u: number; v: number }, tolerance = 1): void {
  const m = meanYuv(p, rect);
  expect(Math.abs(m.y - colour.y)).toBeLessThanOrEqual(tolerance);
  expect(Math.abs(m.u - colour.u)).toBeLessThanOrEqual(tolerance);
  expect(Math.abs(m.v - colour.v)).toBeLessThanOrEqual(tolerance);
}

/** Every sample of the rect's three planes equals the colour exactly (reports the first that does not). */
function expectExactly(p: RawPicture, rect: Rect, colour: { y: number; u: number; v: number }): void {
  const luma = p.width * p.height;
  const wrong: string[] = [];
  for (let row = rect.y; row < rect.y + rect.h; row++) {
    for (let col = rect.x; col < rect.x + rect.w; col++) {
      const y = p.data[row * p.width + col];
      if (y !== colour.y) wrong.push(`Y(${col},${row})=${y}`);
    }
  }
  for (let row = rect.y / 2; row < (rect.y + rect.h) / 2; row++) {
    for (let col = rect.x / 2; col < (rect.x + rect.w) / 2; col++) {
      const u = p.data[luma + row * (p.width / 2) + col];
      const v = p.data[luma + luma / 4 + row * (p.width / 2) + col];
      if (u !== colour.u || v !== colour.v) wrong.push(`UV(${col},${row})=${u},${v}`);
    }
  }
  expect({ wrong: wrong.slice(0, 3), count: wrong.length }).toEqual({ wrong: [], count: 0 });
}

/** A picture whose luma is a horizontal ramp `f(column)` and chroma neutral. */
function rampPicture(width: number, height: number, f: (col: number) => number): RawPicture {
  const p = createPicture(width, height);
  for (let row = 0; row < height; row++) for (let col = 0; col < width; col++) p.data[row * width + col] = f(col);
  return p;
}

describe('fillRect / createPicture', () => {
  it('paints exactly the rectangle, in all three planes', () => {
    const p = createPicture(64, 32, SENTINEL);
    fillRect(p, { x: 10, y: 4, w: 20, h: 8 }, RED);
    expectExactly(p, { x: 10, y: 4, w: 20, h: 8 }, RED);
    expectExactly(p, { x: 0, y: 0, w: 64, h: 4 }, SENTINEL);
    expectExactly(p, { x: 0, y: 4, w: 10, h: 8 }, SENTINEL);
    expectExactly(p, { x: 30, y: 4, w: 34, h: 8 }, SENTINEL);
    expectExactly(p, { x: 0, y: 12, w: 64, h: 20 }, SENTINEL);
  });

  it('rejects odd or outside rectangles and odd pictures', () => {
    const p = createPicture(64, 32);
    expect(() => fillRect(p, { x: 1, y: 0, w: 4, h: 4 }, RED)).toThrow(InvalidArgumentError);
    expect(() => fillRect(p, { x: 0, y: 0, w: 3, h: 4 }, RED)).toThrow(InvalidArgumentError);
    expect(() => fillRect(p, { x: 62, y: 0, w: 4, h: 4 }, RED)).toThrow(InvalidArgumentError);
    expect(() => createPicture(63, 32)).toThrow(InvalidArgumentError);
  });
});

describe('copyPicture', () => {
  it('copies a picture to an even position and leaves the rest', () => {
    const dst = createPicture(64, 32, SENTINEL);
    copyPicture(solidPicture(16, 8, [0, 255, 0]), dst, 48, 24);
    expectExactly(dst, { x: 48, y: 24, w: 16, h: 8 }, GREEN);
    expectExactly(dst, { x: 0, y: 0, w: 48, h: 32 }, SENTINEL);
    expect(() => copyPicture(solidPicture(16, 8, [0, 255, 0]), dst, 50, 24)).toThrow(InvalidArgumentError);
  });
});

describe('fitRect', () => {
  it('centres the largest rectangle of the source aspect, even', () => {
    expect(fitRect(640, 360, { x: 0, y: 0, w: 320, h: 180 })).toEqual({ x: 0, y: 0, w: 320, h: 180 });
    expect(fitRect(320, 240, { x: 100, y: 20, w: 320, h: 180 })).toEqual({ x: 140, y: 20, w: 240, h: 180 });
    expect(fitRect(640, 360, { x: 0, y: 0, w: 180, h: 180 })).toEqual({ x: 0, y: 38, w: 180, h: 102 });
  });
});

describe('blitScaled', () => {
  it('halves a solid picture into a tile: exact colour inside, nothing outside touched', () => {
    const dst = createPicture(640, 360, SENTINEL);
    blitScaled(solidPicture(640, 360, [255, 0, 0]), dst, { x: 320, y: 180, w: 320, h: 180 });
    expectExactly(dst, { x: 320, y: 180, w: 320, h: 180 }, RED);
    expectExactly(dst, { x: 0, y: 0, w: 640, h: 180 }, SENTINEL);
    expectExactly(dst, { x: 0, y: 180, w: 320, h: 180 }, SENTINEL);
  });

  it.each([
    [352, 288, 212, 120],
    [1280, 720, 160, 90],
    [176, 144, 426, 240],
    [640, 360, 214, 120],
  ])('keeps a solid colour exact from %ix%i into a %ix%i rect (weights sum to one)', (sw, sh, w, h) => {
    const rw = w % 2 === 0 ? w : w + 1;
    const rh = h % 2 === 0 ? h : h + 1;
    const dst = createPicture(rw + 4, rh + 4, SENTINEL);
    blitScaled(solidPicture(sw, sh, [0, 255, 0]), dst, { x: 2, y: 2, w: rw, h: rh });
    const fit = fitRect(sw, sh, { x: 2, y: 2, w: rw, h: rh });
    expectExactly(dst, fit, GREEN);
  });

  it('letterboxes a 4:3 picture in a 16:9 tile with black bars left and right', () => {
    const dst = createPicture(640, 360, SENTINEL);
    const rect = { x: 320, y: 0, w: 320, h: 180 };
    blitScaled(solidPicture(320, 240, [0, 255, 0]), dst, rect);
    expectExactly(dst, { x: 320, y: 0, w: 40, h: 180 }, BLACK);
    expectExactly(dst, { x: 360, y: 0, w: 240, h: 180 }, GREEN);
    expectExactly(dst, { x: 600, y: 0, w: 40, h: 180 }, BLACK);
    expectExactly(dst, { x: 0, y: 0, w: 320, h: 360 }, SENTINEL);
    expectExactly(dst, { x: 320, y: 180, w: 320, h: 180 }, SENTINEL);
  });

  it('keeps the displayed shape in a picture of 12:11 pixels (CIF): a 4:3 picture fills it, a 16:9 one gets bars', () => {
    const cif = createPicture(352, 288, SENTINEL);
    blitScaled(solidPicture(384, 288, [0, 255, 0]), cif, { x: 0, y: 0, w: 352, h: 288 }, 12 / 11);
    expectExactly(cif, { x: 0, y: 0, w: 352, h: 288 }, GREEN);
    // 16:9 shown at 12:11 pixels: 352 columns display as 384, so the picture is 384×216 displayed, 216 rows.
    blitScaled(solidPicture(640, 360, [255, 0, 0]), cif, { x: 0, y: 0, w: 352, h: 288 }, 12 / 11);
    expectExactly(cif, { x: 0, y: 0, w: 352, h: 36 }, BLACK);
    expectExactly(cif, { x: 0, y: 36, w: 352, h: 216 }, RED);
    expectExactly(cif, { x: 0, y: 252, w: 352, h: 36 }, BLACK);
  });

  it('halves planes word by word exactly as the 2×2 mean, aligned or not, odd widths included', () => {
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    for (const [dw, dh, lead] of [[320, 180, 0], [160, 90, 0], [7, 5, 0], [33, 4, 4], [12, 3, 1], [1, 1, 0]] as const) {
      const stride = 2 * dw + (2 * dw) % 4;
      const data = new Uint8Array(lead + stride * 2 * dh);
      for (let i = 0; i < data.length; i++) data[i] = random();
      const src = { data, offset: lead, stride, width: 2 * dw, height: 2 * dh };
      const got = new Uint8Array(dw * dh);
      halvePlane(src, { data: got, offset: 0, stride: dw, width: dw, height: dh });
      const want = new Uint8Array(dw * dh);
      for (let y = 0; y < dh; y++) {
        for (let x = 0; x < dw; x++) {
          const a = lead + 2 * y * stride + 2 * x;
          want[y * dw + x] = (data[a] + data[a + 1] + data[a + stride] + data[a + stride + 1] + 2) >> 2;
        }
      }
      expect({ size: `${dw}x${dh}+${lead}`, same: Buffer.from(got).equals(Buffer.from(want)) }).toEqual({ size: `${dw}x${dh}+${lead}`, same: true });
    }
  });

  it('puts bars above and below a wide picture in a square tile', () => {
    const dst = createPicture(200, 200, SENTINEL);
    blitScaled(solidPicture(640, 360, [255, 0, 0]), dst, { x: 10, y: 10, w: 180, h: 180 });
    expectExactly(dst, { x: 10, y: 10, w: 180, h: 38 }, BLACK);
    expectExactly(dst, { x: 10, y: 48, w: 180, h: 102 }, RED);
    expectExactly(dst, { x: 10, y: 150, w: 180, h: 40 }, BLACK);
    expectExactly(dst, { x: 0, y: 0, w: 10, h: 200 }, SENTINEL);
  });

  it('averages areas when shrinking (a one-pixel checkerboard becomes uniform grey)', () => {
    const src = createPicture(64, 36);
    for (let row = 0; row < 36; row++) for (let col = 0; col < 64; col++) src.data[row * 64 + col] = (row + col) % 2 ? 235 : 16;
    const dst = createPicture(32, 18);
    blitScaled(src, dst, { x: 0, y: 0, w: 32, h: 18 });
    expect(new Set(dst.data.subarray(0, 32 * 18))).toEqual(new Set([126]));
    // A non-integer ratio still smooths: every output lies strictly between the two values.
    const odd = createPicture(22, 12);
    blitScaled(src, odd, { x: 0, y: 0, w: 22, h: 12 });
    const luma = [...odd.data.subarray(0, 22 * 12)];
    expect(Math.min(...luma)).toBeGreaterThan(90);
    expect(Math.max(...luma)).toBeLessThan(160);
  });

  it('follows a ramp when shrinking and interpolates it when growing', () => {
    const src = rampPicture(64, 4, (col) => 16 + 3 * col);
    const half = createPicture(32, 2);
    blitScaled(src, half, { x: 0, y: 0, w: 32, h: 2 });
    for (let col = 0; col < 32; col++) expect(half.data[col]).toBe(Math.round(16 + 3 * (2 * col + 0.5)));
    const small = rampPicture(8, 2, (col) => 16 + 20 * col);
    const big = createPicture(32, 8);
    blitScaled(small, big, { x: 0, y: 0, w: 32, h: 8 });
    for (let col = 1; col < 32; col++) expect(big.data[col]).toBeGreaterThanOrEqual(big.data[col - 1]);
    expect(big.data[0]).toBe(16);
    expect(big.data[31]).toBe(16 + 20 * 7);
    // Mid-way between source pixels 3 and 4 (output columns 15 and 16 straddle it).
    expect(Math.abs((big.data[15] + big.data[16]) / 2 - (16 + 20 * 3.5))).toBeLessThanOrEqual(1);
  });

  it.each([
    [64, 36, 32, 36],
    [64, 36, 64, 18],
    [64, 36, 22, 12],
    [64, 36, 16, 8],
    [96, 54, 10, 6],
    [30, 20, 64, 44],
  ])('matches a floating-point reference (area average, bilinear) from %ix%i to %ix%i within 1.5', (sw, sh, dw, dh) => {
    // Pseudo-random luma (fixed seed) so every tap matters.
    let seed = 12345;
    const src = createPicture(sw, sh);
    for (let i = 0; i < sw * sh; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      src.data[i] = 16 + (seed % 220);
    }
    const dst = createPicture(dw, dh);
    // The plane scaler itself (blitScaled would keep the aspect ratio).
    scalePlane({ data: src.data, offset: 0, stride: sw, width: sw, height: sh }, { data: dst.data, offset: 0, stride: dw, width: dw, height: dh });
    // Separable reference weights of one axis, in floating point.
    const axis = (n: number, m: number): Array<Array<[number, number]>> =>
      Array.from({ length: m }, (_, i) => {
        if (m < n) {
          const s = n / m;
          const taps: Array<[number, number]> = [];
          for (let j = Math.floor(i * s); j < Math.ceil((i + 1) * s); j++) {
            const overlap = Math.min((i + 1) * s, j + 1) - Math.max(i * s, j);
            if (overlap > 0) taps.push([j, overlap / s]);
          }
          return taps;
        }
        const pos = Math.min(n - 1, Math.max(0, (i + 0.5) * (n / m) - 0.5));
        const j = Math.floor(pos);
        return [[j, 1 - (pos - j)], [Math.min(n - 1, j + 1), pos - j]];
      });
    const ax = axis(sw, dw);
    const ay = axis(sh, dh);
    let worst = 0;
    for (let y = 0; y < dh; y++) {
      for (let x = 0; x < dw; x++) {
        let v = 0;
        for (const [j, wy] of ay[y]) for (const [i, wx] of ax[x]) v += src.data[j * sw + i] * wx * wy;
        worst = Math.max(worst, Math.abs(dst.data[y * dw + x] - v));
      }
    }
    expect(worst).toBeLessThanOrEqual(1.5);
  });

  it('caches the tables of each (source, destination) length', () => {
    expect(axisTable(640, 320)).toBe(axisTable(640, 320));
    expect(axisTable(640, 320)).not.toBe(axisTable(640, 322));
    const t = axisTable(640, 214);
    for (let i = 0; i < t.dstLength; i++) {
      let sum = 0;
      for (let k = 0; k < t.taps; k++) sum += t.weight[i * t.taps + k];
      expect(sum).toBe(256);
    }
  });

  it('rejects malformed pictures and rectangles', () => {
    const dst = createPicture(64, 32);
    const src = solidPicture(16, 16, [0, 0, 0]);
    expect(() => blitScaled({ width: 16, height: 16, data: Buffer.alloc(100) }, dst, { x: 0, y: 0, w: 16, h: 16 })).toThrow(InvalidArgumentError);
    expect(() => blitScaled(src, dst, { x: 0, y: 0, w: 66, h: 16 })).toThrow(InvalidArgumentError);
    expect(() => blitScaled(src, dst, { x: 0, y: 1, w: 16, h: 16 })).toThrow(InvalidArgumentError);
    expect(() => blitScaled({ width: 15, height: 16, data: Buffer.alloc(1000) }, dst, { x: 0, y: 0, w: 16, h: 16 })).toThrow(InvalidArgumentError);
  });

  it('keeps colours across planes for a many-colour picture (tiles of a 2×2 source)', () => {
    const src = createPicture(64, 36);
    const colours = [rgbToYuv(255, 0, 0), rgbToYuv(0, 255, 0), rgbToYuv(0, 0, 255), rgbToYuv(255, 255, 255)];
    colours.forEach((c, i) => fillRect(src, { x: (i % 2) * 32, y: Math.floor(i / 2) * 18, w: 32, h: 18 }, c));
    const dst = createPicture(128, 72);
    blitScaled(src, dst, { x: 0, y: 0, w: 128, h: 72 });
    colours.forEach((c, i) => expectColour(dst, { x: (i % 2) * 64 + 4, y: Math.floor(i / 2) * 36 + 4, w: 56, h: 28 }, c));
  });
});
