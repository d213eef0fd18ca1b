/**
 * ITU-T G.711 companding: µ-law (PCMU) and A-law (PCMA), RFC 3551 §4.5.14.
 *
 * Linear samples are 16-bit two's complement. µ-law works on 14-bit magnitudes (the 2 low bits are
 * dropped), A-law on 13-bit magnitudes (3 low bits dropped), as in G.711 Tables 1a/2a. Each code is
 * eight segments of sixteen quantization steps; the decoder returns the middle of the step.
 *
 *   µ-law code: | S | E E E | M M M M |   bits inverted on the wire (S=0 for negative after inversion)
 *   A-law code: | S | E E E | M M M M |   even bits inverted on the wire (XOR 0x55), S=1 for positive
 *
 * Encoding and decoding are table lookups: 256-entry decode tables and encode tables indexed by
 * the 14-bit (µ-law) or 13-bit (A-law) linear value, built once at load.
 */

/** µ-law bias added to the 14-bit magnitude before the segment search (G.711 §2, 33 = 0x84 >> 2). */
const ULAW_BIAS = 33;
/** Largest 14-bit magnitude µ-law represents before clipping (8159 + 33 = 2^13). */
const ULAW_CLIP = 8159;

function encodeUlawSample14(value14: number): number {
  let magnitude = value14;
  let mask = 0xff;
  if (magnitude < 0) {
    magnitude = -magnitude;
    mask = 0x7f;
  }
  if (magnitude > ULAW_CLIP) magnitude = ULAW_CLIP;
  magnitude += ULAW_BIAS;
  let segment = 0;
  while (segment < 8 && magnitude >= 0x40 << segment) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const code = (segment << 4) | ((magnitude >> (segment + 1)) & 0x0f);
  return code ^ mask;
}

function decodeUlawCode(code: number): number {
  const inverted = ~code & 0xff;
  const segment = (inverted >> 4) & 0x07;
  const step = inverted & 0x0f;
  // ((2·step + 33) · 2^segment − 33) in 14-bit units, scaled ×4 to 16 bits.
  const magnitude = (((step << 3) + 0x84) << segment) - 0x84;
  return inverted & 0x80 ? -magnitude : magnitude;
}

function encodeAlawSample13(value13: number): number {
  let magnitude = value13;
  let mask = 0xd5;
  if (magnitude < 0) {
    magnitude = -magnitude - 1;
    mask = 0x55;
  }
  let segment = 0;
  while (segment < 8 && magnitude >= 0x20 << segment) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (magnitude >> 1) & 0x0f : (magnitude >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

function decodeAlawCode(code: number): number {
  const value = code ^ 0x55;
  const segment = (value >> 4) & 0x07;
  let magnitude = (value & 0x0f) << 4;
  if (segment === 0) magnitude += 8;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

const ULAW_DECODE = Int16Array.from({ length: 256 }, (_, c) => decodeUlawCode(c));
const ALAW_DECODE = Int16Array.from({ length: 256 }, (_, c) => decodeAlawCode(c));
/** Indexed by (sample >> 2) + 8192. */
const ULAW_ENCODE = Uint8Array.from({ length: 16384 }, (_, i) => encodeUlawSample14(i - 8192));
/** Indexed by (sample >> 3) + 4096. */
const ALAW_ENCODE = Uint8Array.from({ length: 8192 }, (_, i) => encodeAlawSample13(i - 4096));

/**
 * Encodes 16-bit linear samples to µ-law octets (PCMU), one octet per sample.
 * @param pcm samples at 8000 Hz (any length).
 * @returns a Buffer of `pcm.length` octets.
 */
export function encodeUlaw(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = ULAW_ENCODE[(pcm[i] >> 2) + 8192];
  return out;
}

/**
 * Decodes µ-law octets (PCMU) to 16-bit linear samples (|x| ≤ 32124).
 * @returns `payload.length` samples at 8000 Hz.
 */
export function decodeUlaw(payload: Uint8Array): Int16Array {
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = ULAW_DECODE[payload[i]];
  return out;
}

/**
 * Encodes 16-bit linear samples to A-law octets (PCMA), one octet per sample.
 * @param pcm samples at 8000 Hz (any length).
 * @returns a Buffer of `pcm.length` octets.
 */
export function encodeAlaw(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = ALAW_ENCODE[(pcm[i] >> 3) + 4096];
  return out;
}

/**
 * Decodes A-law octets (PCMA) to 16-bit linear samples (|x| ≤ 32256).
 * @returns `payload.length` samples at 8000 Hz.
 */
export function decodeAlaw(payload: Uint8Array): Int16Array {
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = ALAW_DECODE[payload[i]];
  return out;
}

/** µ-law code of digital silence (+0), used to fill frames without audio. */
export const ULAW_SILENCE = 0xff;
/** A-law code of digital silence (+0). */
export const ALAW_SILENCE = 0xd5;
