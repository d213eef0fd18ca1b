import { DECODE_BOX, decodeSizeFor, sameDecodeSize } from './decode-size';

describe('decodeSizeFor', () => {
  it('gives unknown cameras the whole box, padded', () => {
    expect(decodeSizeFor(undefined)).toEqual({ width: 640, height: 360, fit: 'pad' });
    expect(decodeSizeFor({ width: 0, height: 0, displayAspect: 0 })).toEqual({ ...DECODE_BOX, fit: 'pad' });
    expect(decodeSizeFor({ width: 640, height: 480, displayAspect: Number.NaN }).fit).toBe('pad');
  });

  it.each([
    ['16:9 HD camera', { width: 1280, height: 720, displayAspect: 16 / 9 }, 640, 360],
    ['4:3 VGA camera', { width: 640, height: 480, displayAspect: 4 / 3 }, 480, 360],
    ['CIF (12:11 pixels, 4:3 picture)', { width: 352, height: 288, displayAspect: 4 / 3 }, 384, 288],
    ['QCIF, not enlarged', { width: 176, height: 144, displayAspect: 4 / 3 }, 192, 144],
    ['wider than 16:9', { width: 1920, height: 800, displayAspect: 2.4 }, 640, 266],
    ['portrait phone camera', { width: 720, height: 1280, displayAspect: 9 / 16 }, 202, 360],
  ])('keeps the display aspect of a %s inside the box', (_name, coded, width, height) => {
    const size = decodeSizeFor(coded);
    expect(size).toEqual({ width, height, fit: 'stretch' });
    expect(Math.abs(size.width / size.height - coded.displayAspect)).toBeLessThan(0.02);
  });

  it('always gives even sizes of at least 2 inside the box', () => {
    for (let w = 2; w < 2000; w += 37) {
      for (let h = 2; h < 1200; h += 41) {
        const size = decodeSizeFor({ width: w, height: h, displayAspect: w / h });
        expect(size.width % 2 + (size.height % 2)).toBe(0);
        expect(size.width).toBeGreaterThanOrEqual(2);
        expect(size.height).toBeGreaterThanOrEqual(2);
        expect(size.width).toBeLessThanOrEqual(DECODE_BOX.width);
        expect(size.height).toBeLessThanOrEqual(DECODE_BOX.height);
      }
    }
  });

  it('compares sizes with their fit', () => {
    expect(sameDecodeSize(undefined, { width: 2, height: 2, fit: 'pad' })).toBe(false);
    expect(sameDecodeSize({ width: 640, height: 360, fit: 'pad' }, { width: 640, height: 360, fit: 'stretch' })).toBe(false);
    expect(sameDecodeSize({ width: 480, height: 360, fit: 'stretch' }, { width: 480, height: 360, fit: 'stretch' })).toBe(true);
  });
});
