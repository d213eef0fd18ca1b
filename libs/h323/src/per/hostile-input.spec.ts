import { readFileSync } from 'fs';
import { join } from 'path';
import { isDeepStrictEqual } from 'util';
import fixture from '../asn1/fixtures/capture-pdus.json';
import { H225, H245, type H245Types } from '../asn1/generated';
import { compileAsn1 } from '../asn1/compiler';
import { decode, encode } from './codec';
import type { PerType } from './compiled-type';
import { PerDecodeError } from './per-error';

/**
 * Hostile input: truncated PDUs, mutated capture PDUs, random bytes, lengths announcing more than the input
 * holds and hostile nesting. The decoder must throw PerDecodeError and nothing else (never an internal error
 * wrapped as one); whatever it accepts must re-encode and decode to the same value.
 */
const TYPES: Record<string, PerType<unknown>> = {
  'H323-UserInformation': H225.H323_UserInformation,
  RasMessage: H225.RasMessage,
  MultimediaSystemControlMessage: H245.MultimediaSystemControlMessage,
};
const pdus = fixture.pdus.map((p) => ({ type: TYPES[p.type], bytes: Buffer.from(p.hex, 'hex') }));

/** Deterministic PRNG (mulberry32) so every run fuzzes the same inputs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = 'rejected' | 'accepted';

function check(type: PerType<unknown>, bytes: Buffer): Outcome {
  let value: unknown;
  try {
    value = decode(type, bytes);
  } catch (error) {
    if (!(error instanceof PerDecodeError) || error.cause !== undefined) {
      throw new Error(`unexpected ${String(error)} for ${bytes.toString('hex')}`);
    }
    return 'rejected';
  }
  const again = decode(type, encode(type, value));
  if (!isDeepStrictEqual(again, value)) throw new Error(`accepted value does not round-trip: ${bytes.toString('hex')}`);
  return 'accepted';
}

function mutate(bytes: Buffer, next: () => number): Buffer {
  const out = Array.from(bytes);
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * Math.max(1, out.length));
    switch (Math.floor(next() * 5)) {
      case 0:
        out[at] ^= 1 << Math.floor(next() * 8);
        break;
      case 1:
        out[at] = Math.floor(next() * 256);
        break;
      case 2:
        out.splice(at, 0, Math.floor(next() * 256));
        break;
      case 3:
        out.splice(at, 1);
        break;
      default:
        out.splice(at, 0, ...out.slice(at, at + 1 + Math.floor(next() * 8)));
    }
  }
  return Buffer.from(out);
}

describe('hostile input', () => {
  it('rejects every truncation of every capture PDU', () => {
    let cases = 0;
    for (const { type, bytes } of pdus) {
      for (let length = 0; length < bytes.length; length++) {
        expect(check(type, bytes.subarray(0, length))).toBe('rejected');
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(5000);
  });

  it('decodes 5000 mutated capture PDUs to PerDecodeError or to values that round-trip', () => {
    const next = random(0x1720);
    const outcomes = { rejected: 0, accepted: 0 };
    for (let i = 0; i < 5000; i++) {
      const { type, bytes } = pdus[Math.floor(next() * pdus.length)];
      outcomes[check(type, mutate(bytes, next))]++;
    }
    expect(outcomes.rejected).toBeGreaterThan(500);
    expect(outcomes.accepted).toBeGreaterThan(500);
  });

  it('decodes 3000 random byte strings to PerDecodeError or to values that round-trip', () => {
    const next = random(0x245);
    const types = Object.values(TYPES);
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.alloc(Math.floor(next() * 200));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(next() * 256);
      check(types[i % types.length], bytes);
    }
  });

  describe('lengths beyond the input', () => {
    const cases = compileAsn1([
      { name: 'codec-cases.asn', text: readFileSync(join(__dirname, 'fixtures', 'codec-cases.asn'), 'latin1') },
    ]);
    it.each([
      ['Octets', 'c4', /truncated encoding: 524288 more bits needed/],
      ['Octets', 'bfff00', /truncated encoding: 131064 more bits needed, 8 left/],
      ['Text', 'bfff', /truncated encoding/],
      ['Bits', 'c4', /truncated encoding/],
      ['Flags', 'bfff01', /16383 items cannot fit in the 8 bits left/],
      ['Flags', 'c4', /65536 items cannot fit in the 0 bits left/],
      ['Nulls', 'c4c4', /more than 65536 items/],
    ])('%s %s', (name, hex, message) => {
      expect(() => decode(cases.get('Codec-Cases', name), Buffer.from(hex, 'hex'))).toThrow(PerDecodeError);
      expect(() => decode(cases.get('Codec-Cases', name), Buffer.from(hex, 'hex'))).toThrow(message);
    });
  });

  it('rejects nesting deeper than the decoder follows, with the path of the deepest field', () => {
    const nested = (depth: number): H245Types.GenericParameter => ({
      parameterIdentifier: { tag: 'standard', value: depth % 128 },
      parameterValue:
        depth === 0 ? { tag: 'logical', value: null } : { tag: 'genericParameter', value: [nested(depth - 1)] },
    });
    const shallow = encode(H245.GenericParameter, nested(20));
    expect(decode(H245.GenericParameter, shallow)).toEqual(nested(20));
    const deep = encode(H245.GenericParameter, nested(1000));
    expect(() => decode(H245.GenericParameter, deep)).toThrow(/nesting deeper than 128 levels \(at parameterValue\.genericParameter\[0\]/);
  });
});
