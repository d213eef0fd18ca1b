import { BitReader } from './bit-reader';
import { BitWriter } from './bit-writer';
import { PerDecodeError } from './per-error';

/** The X.691 §10 procedures of BitWriter/BitReader, checked against hand-computed ALIGNED encodings. */
function written(build: (w: BitWriter) => void): string {
  const w = new BitWriter(4);
  build(w);
  return w.finish().toString('hex');
}

function reader(hex: string): BitReader {
  return new BitReader(Buffer.from(hex, 'hex'));
}

describe('constrained whole number (X.691 §10.5, ALIGNED)', () => {
  it.each([
    ['range 1: no bits', 7, 7, 7, '00'],
    ['bit-field of minimal width', 5, 0, 7, 'a0'],
    ['bit-field, lb offset', 253, 250, 253, 'c0'],
    ['range 256: one aligned octet', 255, 1, 256, 'fe'],
    ['range 64K: two aligned octets', 300, 0, 65535, '012c'],
    ['range > 64K: length 1 of 4 then one octet', 0, 0, 4294967295, '0000'],
    ['range > 64K: two octets', 256, 0, 4294967295, '400100'],
    ['range > 64K: four octets', 4294967295, 0, 4294967295, 'c0ffffffff'],
    ['range > 64K with lb', 1, 1, 4294967295, '0000'],
  ])('%s', (_name, value, lb, ub, hex) => {
    expect(written((w) => w.writeConstrainedWholeNumber(value, lb, ub))).toBe(hex);
    expect(reader(hex).readConstrainedWholeNumber(lb, ub)).toBe(value);
  });

  it('pads before the octet-aligned cases but not before bit-fields', () => {
    expect(written((w) => (w.writeBit(1), w.writeConstrainedWholeNumber(5, 0, 255)))).toBe('8005');
    expect(written((w) => (w.writeBit(1), w.writeConstrainedWholeNumber(3, 0, 3)))).toBe('e0');
  });

  it('rejects an offset beyond the range', () => {
    expect(() => reader('e0').readConstrainedWholeNumber(0, 4)).toThrow(PerDecodeError);
    expect(() => reader('0200').readConstrainedWholeNumber(0, 300)).toThrow(/above upper bound/);
  });
});

describe('normally small non-negative whole number (X.691 §10.6)', () => {
  it.each([
    [0, '00'],
    [5, '0a'],
    [63, '7e'],
    [64, '800140'],
    [300, '8002012c'],
  ])('%i', (n, hex) => {
    expect(written((w) => w.writeNormallySmallNonNegativeWholeNumber(n))).toBe(hex);
    expect(reader(hex).readNormallySmallNonNegativeWholeNumber()).toBe(n);
  });
});

describe('semi-constrained and unconstrained whole numbers (X.691 §10.7, §10.8)', () => {
  it.each([
    [0, 0, '0100'],
    [255, 0, '01ff'],
    [256, 0, '020100'],
    [1, 1, '0100'],
    [2 ** 40, 0, '060100000000 00'.replace(' ', '')],
  ])('semi-constrained %d (lb %d)', (value, lb, hex) => {
    expect(written((w) => w.writeSemiConstrainedWholeNumber(value, lb))).toBe(hex);
    expect(reader(hex).readSemiConstrainedWholeNumber(lb)).toBe(value);
  });

  it('semi-constrained beyond 2^53 as bigint', () => {
    const value = 2n ** 64n + 5n;
    const hex = written((w) => w.writeSemiConstrainedWholeNumber(value, 0));
    expect(hex).toBe('09010000000000000005');
    expect(reader(hex).readSemiConstrainedWholeNumber(0)).toBe(value);
  });

  it.each([
    [0, '0100'],
    [127, '017f'],
    [128, '020080'],
    [-1, '01ff'],
    [-128, '0180'],
    [-129, '02ff7f'],
    [2 ** 31, '050080000000'],
  ])('unconstrained %d', (value, hex) => {
    expect(written((w) => w.writeUnconstrainedWholeNumber(value))).toBe(hex);
    expect(reader(hex).readUnconstrainedWholeNumber()).toBe(value);
  });

  it('reads integers of thousands of octets in linear time', () => {
    const value = (1n << 32000n) + 12345n;
    const hex = written((w) => w.writeUnconstrainedWholeNumber(value));
    expect(hex.slice(0, 6)).toBe('8fa101');
    expect(reader(hex).readUnconstrainedWholeNumber()).toBe(value);
    expect(reader(written((w) => w.writeSemiConstrainedWholeNumber(value, 0))).readSemiConstrainedWholeNumber(0)).toBe(value);
  });

  it('unconstrained beyond ±2^53 as bigint', () => {
    for (const value of [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 80n]) {
      const hex = written((w) => w.writeUnconstrainedWholeNumber(value));
      expect(reader(hex).readUnconstrainedWholeNumber()).toBe(value);
    }
  });
});

describe('length determinant (X.691 §10.9)', () => {
  it.each([
    [0, '00'],
    [127, '7f'],
    [128, '8080'],
    [16383, 'bfff'],
  ])('unconstrained %i', (n, hex) => {
    expect(written((w) => expect(w.writeLengthDeterminant(n, 0, undefined)).toBe(n))).toBe(hex);
    const r = reader(hex);
    expect(r.readLengthDeterminant(0, undefined)).toBe(n);
    expect(r.fragment).toBe(false);
  });

  it.each([
    [16384, 16384, 'c1'],
    [40000, 32768, 'c2'],
    [50000, 49152, 'c3'],
    [70000, 65536, 'c4'],
    [300000, 65536, 'c4'],
  ])('fragments %i: announces %i items with %s', (n, covered, hex) => {
    expect(written((w) => expect(w.writeLengthDeterminant(n, 0, undefined)).toBe(covered))).toBe(hex);
    const r = reader(hex);
    expect(r.readLengthDeterminant(0, undefined)).toBe(covered);
    expect(r.fragment).toBe(true);
  });

  it('is a constrained whole number below a 64K upper bound, octet-aligned form at or above', () => {
    expect(written((w) => w.writeLengthDeterminant(3, 1, 4))).toBe('80');
    expect(written((w) => w.writeLengthDeterminant(3, 0, 65535))).toBe('0003');
    expect(written((w) => w.writeLengthDeterminant(3, 0, 65536))).toBe('03');
  });

  it('rejects fragment sizes other than 1..4 × 16K', () => {
    expect(() => reader('c5').readLengthDeterminant(0, undefined)).toThrow(/fragment size code 5/);
    expect(() => reader('c0').readLengthDeterminant(0, undefined)).toThrow(PerDecodeError);
  });

  it.each([
    [1, '00'],
    [64, '7e'],
    [65, '8041'],
  ])('normally small length %i (§10.9.3.4)', (n, hex) => {
    expect(written((w) => w.writeNormallySmallLength(n))).toBe(hex);
    expect(reader(hex).readNormallySmallLength()).toBe(n);
  });
});

describe('bit reader bounds', () => {
  it('reports the path and bit offset of a truncated read', () => {
    const r = reader('ff');
    r.enter('outer');
    r.enter(2);
    r.readBits(5);
    try {
      r.readBits(4);
      throw new Error('expected a PerDecodeError');
    } catch (error) {
      expect(error).toBeInstanceOf(PerDecodeError);
      expect((error as PerDecodeError).path).toBe('outer[2]');
      expect((error as PerDecodeError).bitOffset).toBe(5);
    }
  });

  it('reads and writes 32-bit fields', () => {
    expect(written((w) => (w.writeBit(1), w.writeBits(0xdeadbeef, 32)))).toBe('ef56df7780');
    const r = reader('ef56df7780');
    expect(r.readBit()).toBe(1);
    expect(r.readBits(32)).toBe(0xdeadbeef);
  });
});
