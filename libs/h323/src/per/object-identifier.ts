import type { BitReader } from './bit-reader';
import type { BitWriter } from './bit-writer';
import { readOpenTypeContents } from './open-type';

/**
 * OBJECT IDENTIFIER, X.691 §23: the BER contents octets (X.690 §8.19: the first two arcs combined as 40·X + Y,
 * every subidentifier in base 128 with the high bit set on all but its last octet) preceded by an
 * unconstrained length in octets. Values are dotted strings such as `"0.0.8.2250.0.7"`. Encodings of recent
 * OIDs are cached both ways (protocol identifiers repeat in every message).
 * @throws PerEncodeError for a malformed dotted string
 */
export function encodeObjectIdentifier(w: BitWriter, v: unknown): void {
  if (typeof v !== 'string') w.fail(`OBJECT IDENTIFIER value must be a dotted string, got ${typeof v}`);
  let contents = encodeCache.get(v);
  if (contents === undefined) {
    contents = oidContents(v);
    if (contents === undefined) w.fail(`invalid OBJECT IDENTIFIER ${JSON.stringify(v)}`);
    remember(encodeCache, v, contents);
  }
  w.writeFragmentedOctets(contents);
}

/** Decodes an OBJECT IDENTIFIER; see {@link encodeObjectIdentifier}. */
export function decodeObjectIdentifier(r: BitReader): string {
  const contents = readOpenTypeContents(r);
  const key = Buffer.from(contents.buffer, contents.byteOffset, contents.length).toString('latin1');
  const cached = decodeCache.get(key);
  if (cached !== undefined) return cached;
  const text = oidText(contents);
  if (text === undefined) r.fail('malformed OBJECT IDENTIFIER contents');
  remember(decodeCache, key, text);
  return text;
}

const CACHE_LIMIT = 512;
const encodeCache = new Map<string, Buffer>();
const decodeCache = new Map<string, string>();

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

/** BER contents octets of a dotted OID (X.690 §8.19), or undefined when the text is not a valid OID. */
export function oidContents(text: string): Buffer | undefined {
  if (!/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/.test(text)) return undefined;
  const arcs = text.split('.').map((arc) => BigInt(arc));
  if (arcs[0] > 2n || (arcs[0] < 2n && arcs[1] > 39n)) return undefined;
  const subidentifiers = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  const out: number[] = [];
  for (const sub of subidentifiers) {
    const septets: number[] = [Number(sub & 0x7fn)];
    for (let rest = sub >> 7n; rest > 0n; rest >>= 7n) septets.unshift(Number(rest & 0x7fn) | 0x80);
    out.push(...septets);
  }
  return Buffer.from(out);
}

/** Dotted text of BER OID contents, or undefined when they are malformed. */
export function oidText(contents: Uint8Array): string | undefined {
  if (contents.length === 0 || (contents[contents.length - 1] & 0x80) !== 0) return undefined;
  const arcs: string[] = [];
  let value = 0;
  let big: bigint | undefined;
  let started = false;
  for (let i = 0; i < contents.length; i++) {
    const octet = contents[i];
    if (!started && octet === 0x80) return undefined;
    started = true;
    if (big !== undefined) big = (big << 7n) | BigInt(octet & 0x7f);
    else if (value < 2 ** 45) value = value * 128 + (octet & 0x7f);
    else big = (BigInt(value) << 7n) | BigInt(octet & 0x7f);
    if ((octet & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = big ?? BigInt(value);
        const x = first < 40n ? 0n : first < 80n ? 1n : 2n;
        arcs.push(String(x), String(first - 40n * x));
      } else {
        arcs.push(big !== undefined ? String(big) : String(value));
      }
      value = 0;
      big = undefined;
      started = false;
    }
  }
  return arcs.join('.');
}
