import { readFileSync } from 'fs';
import { join } from 'path';
import { compileAsn1 } from '../asn1/compiler';
import { decode, decodePrefix, encode } from './codec';
import type { PerType } from './compiled-type';
import { PerDecodeError, PerEncodeError } from './per-error';

const schema = compileAsn1([
  { name: 'codec-cases.asn', text: readFileSync(join(__dirname, 'fixtures', 'codec-cases.asn'), 'latin1') },
]);
const type = (name: string): PerType<unknown> => schema.get('Codec-Cases', name);
const hex = (t: string, value: unknown): string => encode(type(t), value).toString('hex');

function roundTrip(t: string, value: unknown): Buffer {
  const bytes = encode(type(t), value);
  expect(decode(type(t), bytes)).toEqual(value);
  return bytes;
}

describe('fragmented lengths (X.691 §10.9.3.8)', () => {
  it('splits a 70000-octet OCTET STRING into a 64K fragment and a 4464-octet remainder', () => {
    const value = Buffer.alloc(70000, 0xab);
    const bytes = roundTrip('Octets', value);
    expect(bytes.length).toBe(1 + 65536 + 2 + 4464);
    expect(bytes[0]).toBe(0xc4);
    expect(bytes.readUInt16BE(1 + 65536)).toBe(0x8000 | 4464);
  });

  it('ends a length that is a multiple of 16K with a zero length octet', () => {
    const bytes = roundTrip('Octets', Buffer.alloc(16384, 1));
    expect(bytes[0]).toBe(0xc1);
    expect(bytes.length).toBe(1 + 16384 + 1);
    expect(bytes[bytes.length - 1]).toBe(0);
  });

  it('fragments character strings, bit strings and SEQUENCE OF counts', () => {
    roundTrip('Text', 'x'.repeat(50000));
    const bits = Buffer.alloc(8200, 0x5a);
    bits[8199] = 0x50;
    roundTrip('Bits', { bits, length: 65596 });
    const flags = roundTrip('Flags', Array.from({ length: 16385 }, (_, i) => i % 3 === 0));
    expect(flags[0]).toBe(0xc1);
    expect(flags[1 + 2048]).toBe(0x01);
  });

  it('rejects more zero-bit items than the decoder allows', () => {
    const bytes = encode(type('Nulls'), new Array(70000).fill(null));
    expect(bytes.toString('hex')).toBe('c49170');
    expect(() => decode(type('Nulls'), bytes)).toThrow(/more than 65536 items/);
  });
});

describe('alignment of strings (X.691 §16, §27)', () => {
  it('encodes dialled digits as 4-bit indexes into the permitted alphabet after an aligned length', () => {
    expect(hex('Digits', '123#')).toBe('064560');
    expect(decode(type('Digits'), Buffer.from('064560', 'hex'))).toBe('123#');
  });

  it('encodes NumericString characters as indexes of " 0123456789"', () => {
    expect(hex('Numeric', '0 9')).toBe('20' + '10a0');
    roundTrip('Numeric', '1234567890 1234');
  });

  it('keeps 8-bit values when the permitted alphabet fits (signalType)', () => {
    expect(hex('Signal', '#')).toBe('23');
    expect(() => encode(type('Signal'), '##')).toThrow(PerEncodeError);
  });

  it('does not align fixed OCTET STRINGs of two octets, aligns those of three', () => {
    expect(hex('ShortFixed', { flag: true, two: Buffer.from('abcd', 'hex') })).toBe('d5e680');
    expect(hex('LongFixed', { flag: true, three: Buffer.from('abcdef', 'hex') })).toBe('80abcdef');
  });

  it('adds no padding for a zero-length octet-aligned field', () => {
    expect(hex('EmptyVariable', { v: Buffer.alloc(0), flag: true })).toBe('08');
    expect(hex('EmptyVariable', { v: Buffer.from([0xff]), flag: true })).toBe('10ff80');
    roundTrip('EmptyVariable', { v: Buffer.alloc(0), flag: false });
  });
});

describe('extensible INTEGER (X.691 §12.1)', () => {
  it('encodes root values as constrained and others as unconstrained whole numbers', () => {
    expect(hex('Ext', 5)).toBe('28');
    expect(hex('Ext', 11)).toBe('80010b');
    expect(hex('Ext', -1)).toBe('8001ff');
    roundTrip('Ext', 1000000);
  });
});

describe('extension additions as open types (X.691 §18.9)', () => {
  it('writes one-octet, two-octet and fragmented open type lengths', () => {
    const small = roundTrip('Big', { a: true, blob: Buffer.alloc(100, 7) });
    // extension bit, a, bitmap length 1 (0 000000), bitmap 1; then the open type: length, contents
    expect(small.subarray(0, 4).toString('hex')).toBe('c0406564');
    const medium = roundTrip('Big', { a: true, blob: Buffer.alloc(200, 7) });
    expect(medium.subarray(0, 6).toString('hex')).toBe('c04080ca80c8');
    const large = roundTrip('Big', { a: false, blob: Buffer.alloc(20000, 7) });
    expect(large[2]).toBe(0xc1);
  });

  it('decodes additions a peer does not know, keeps them, and re-encodes them identically', () => {
    const newer = { a: 5, b: true, c: Buffer.from('0102', 'hex'), d: -7, e: 'hi' };
    const bytes = encode(type('V2'), newer);
    const older = decode(type('V1'), bytes) as Record<string, unknown>;
    expect(older).toEqual({
      a: 5,
      b: true,
      $unknownExtensions: [
        { index: 1, encoding: expect.any(Buffer) },
        { index: 2, encoding: expect.any(Buffer) },
      ],
    });
    expect(encode(type('V1'), older).equals(bytes)).toBe(true);
    expect(decode(type('V2'), encode(type('V1'), older))).toEqual(newer);
  });

  it('reads an older encoding with the newer schema', () => {
    expect(decode(type('V2'), encode(type('V1'), { a: 1, b: false }))).toEqual({ a: 1, b: false });
    expect(decode(type('V2'), encode(type('V1'), { a: 1 }))).toEqual({ a: 1 });
  });

  it('reproduces an extension bitmap longer than needed', () => {
    const canonical = encode(type('V1'), { a: 5, b: true });
    const padded = encode(type('V1'), { a: 5, b: true, $extensionBitmapLength: 3 });
    expect(padded.equals(canonical)).toBe(false);
    const value = decode(type('V1'), padded);
    expect(value).toEqual({ a: 5, b: true, $extensionBitmapLength: 3 });
    expect(encode(type('V1'), value).equals(padded)).toBe(true);
  });

  it('keeps unknown CHOICE alternatives and ENUMERATED additions', () => {
    for (const value of [{ tag: 'z', value: 'abc' }, { tag: 'w', value: 99 }]) {
      const bytes = encode(type('C2'), value);
      const seen = decode(type('C1'), bytes) as { tag: string; index: number };
      expect(seen.tag).toBe('$unknown');
      expect(encode(type('C1'), seen).equals(bytes)).toBe(true);
    }
    const black = encode(type('E2'), 'black');
    expect(decode(type('E1'), black)).toBe('$unknown-1');
    expect(encode(type('E1'), '$unknown-1').equals(black)).toBe(true);
    expect(decode(type('E2'), black)).toBe('black');
  });
});

describe('encode errors', () => {
  it.each([
    ['V1', {}, /missing mandatory component \(at a,/],
    ['V1', { a: 8 }, /INTEGER value 8 outside 0\.\.7 \(at a,/],
    ['Digits', '12a', /outside the permitted alphabet/],
    ['Digits', '', /size 0 outside SIZE\(1\.\.128\)/],
    ['C1', { tag: 'nope', value: null }, /CHOICE has no alternative "nope"/],
    ['E1', 'blue', /ENUMERATED has no item "blue"/],
    ['Octets', 'not octets', /OCTET STRING value must be a Buffer/],
    ['V2', { a: 1, e: 'x' }, /missing mandatory component \(at d,/],
    ['V1', { a: 1, $unknownExtensions: [{ index: 1e6, encoding: Buffer.alloc(1) }] }, /extension bitmap of 1000001 bits/],
    ['V1', { a: 1, $unknownExtensions: [{ index: 0, encoding: Buffer.alloc(1) }] }, /not beyond known additions/],
  ])('%s %j', (name, value, message) => {
    expect(() => encode(type(name), value)).toThrow(PerEncodeError);
    expect(() => encode(type(name), value)).toThrow(message);
  });
});

describe('decodePrefix', () => {
  it('tells how many octets the encoding took', () => {
    const bytes = Buffer.concat([encode(type('V1'), { a: 3 }), Buffer.from('ffff', 'hex')]);
    expect(decodePrefix(type('V1'), bytes)).toEqual({ value: { a: 3 }, octets: 1 });
  });

  it('throws only PerDecodeError for an empty input', () => {
    expect(() => decode(type('V1'), Buffer.alloc(0))).toThrow(PerDecodeError);
  });
});
