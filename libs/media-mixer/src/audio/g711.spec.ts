import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from './g711';

const enc = (f: (p: Int16Array) => Buffer, x: number): number => f(Int16Array.of(x))[0];
const dec = (f: (p: Uint8Array) => Int16Array, c: number): number => f(Uint8Array.of(c))[0];

/** G.711 Table 2a (µ-law): output of code (after bit inversion) = ±((2q+33)·2^s − 33), 14-bit units. */
function ituUlaw(code: number): number {
  const i = ~code & 0xff;
  const s = (i >> 4) & 7;
  const q = i & 15;
  const y = ((2 * q + 33) * 2 ** s - 33) * 4;
  return i & 0x80 ? -y || 0 : y;
}

/** G.711 Table 1a (A-law): output = ±(2q+1) for s=0, ±(2q+33)·2^(s−1) otherwise, 13-bit units. */
function ituAlaw(code: number): number {
  const v = code ^ 0x55;
  const s = (v >> 4) & 7;
  const q = v & 15;
  const y = (s === 0 ? 2 * q + 1 : (2 * q + 33) * 2 ** (s - 1)) * 8;
  return v & 0x80 ? y : -y;
}

describe('G.711 µ-law (PCMU)', () => {
  it.each([
    [0, 0xff],
    [-1, 0x7e],
    [32767, 0x80],
    [-32768, 0x00],
    [32124, 0x80],
    [-32124, 0x00],
    [1000, 0xce],
    [-1000, 0x4e],
  ])('encodes %p as 0x%s', (x, code) => {
    expect(enc(encodeUlaw, x)).toBe(code);
  });

  it.each([
    [0xff, 0],
    [0x7f, 0],
    [0x80, 32124],
    [0x00, -32124],
    [0x01, -31100],
    [0xfe, 8],
    [0xce, 988],
  ])('decodes 0x%s as %p (Sun reference table)', (code, x) => {
    expect(dec(decodeUlaw, code)).toBe(x);
  });

  it('decodes every code to the G.711 Table 2a value', () => {
    for (let c = 0; c < 256; c++) expect(dec(decodeUlaw, c)).toBe(ituUlaw(c));
  });

  it('re-encodes every decoded value to its own code (negative zero becomes positive zero)', () => {
    for (let c = 0; c < 256; c++) expect(enc(encodeUlaw, dec(decodeUlaw, c))).toBe(c === 0x7f ? 0xff : c);
  });

  it('keeps the round-trip error within half a quantization step over all 16-bit inputs', () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const back = decodeUlaw(encodeUlaw(all));
    const codes = encodeUlaw(all);
    const bad: number[] = [];
    for (let i = 0; i < all.length; i++) {
      const x = all[i];
      const y = back[i];
      const segment = (~codes[i] >> 4) & 7;
      const halfStep = 2 ** (segment + 1) * 2; // step 2^(s+1) in 14-bit units, ×4, halved
      const clipped = Math.abs(x) > 32124 + 512 && Math.abs(y) === 32124;
      if (!clipped && Math.abs(x - y) > halfStep + 4) bad.push(x);
      if (i > 0 && y < back[i - 1]) bad.push(x); // monotonic
    }
    expect(bad).toEqual([]);
  });
});

describe('G.711 A-law (PCMA)', () => {
  it.each([
    [0, 0xd5],
    [-1, 0x55],
    [32767, 0xaa],
    [-32768, 0x2a],
    [1000, 0xfa],
    [-1000, 0x7a],
  ])('encodes %p as 0x%s', (x, code) => {
    expect(enc(encodeAlaw, x)).toBe(code);
  });

  it.each([
    [0xd5, 8],
    [0x55, -8],
    [0xaa, 32256],
    [0x2a, -32256],
    [0x00, -5504],
    [0x80, 5504],
    [0xfa, 1008],
  ])('decodes 0x%s as %p (Sun reference table)', (code, x) => {
    expect(dec(decodeAlaw, code)).toBe(x);
  });

  it('decodes every code to the G.711 Table 1a value', () => {
    for (let c = 0; c < 256; c++) expect(dec(decodeAlaw, c)).toBe(ituAlaw(c));
  });

  it('re-encodes every decoded value to its own code', () => {
    for (let c = 0; c < 256; c++) expect(enc(encodeAlaw, dec(decodeAlaw, c))).toBe(c);
  });

  it('keeps the round-trip error within half a quantization step over all 16-bit inputs', () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const back = decodeAlaw(encodeAlaw(all));
    const codes = encodeAlaw(all);
    const bad: number[] = [];
    for (let i = 0; i < all.length; i++) {
      const x = all[i];
      const y = back[i];
      const segment = ((codes[i] ^ 0x55) >> 4) & 7;
      const halfStep = (2 ** Math.max(segment, 1) * 8) / 2; // step 2 (s ≤ 1) or 2^s in 13-bit units
      if (Math.abs(x - y) > halfStep + 8) bad.push(x);
      if (i > 0 && y < back[i - 1]) bad.push(x);
    }
    expect(bad).toEqual([]);
  });
});

describe('G.711 on a tone', () => {
  it.each([
    ['µ-law', encodeUlaw, decodeUlaw],
    ['A-law', encodeAlaw, decodeAlaw],
  ] as const)('%s round trip of a 1 kHz tone at -10 dBFS has SNR above 33 dB', (_name, e, d) => {
    const n = 8000;
    const amp = 32767 * 10 ** (-10 / 20);
    const x = Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * 1000 * i) / 8000 + 0.3)));
    const y = d(e(x));
    let sig = 0;
    let noise = 0;
    for (let i = 0; i < n; i++) {
      sig += x[i] ** 2;
      noise += (x[i] - y[i]) ** 2;
    }
    expect(10 * Math.log10(sig / noise)).toBeGreaterThan(33);
  });
});
