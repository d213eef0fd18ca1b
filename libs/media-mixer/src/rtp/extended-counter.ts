/**
 * Unwrapping of RTP's modular counters into monotonic "extended" values (RFC 3550 §A.1: the
 * extended highest sequence number; the same idea for 32-bit timestamps, §5.1).
 *
 * Each new value is placed at the extended position closest to the reference value (the highest
 * seen so far), so wrap-around in either direction (including reordering across the wrap) is
 * resolved as long as consecutive values differ by less than half the modulus.
 */

/** Unwraps a counter of `bits` bits (16 for sequence numbers, 32 for timestamps). */
export class ExtendedCounter {
  private readonly modulus: number;
  private readonly half: number;
  private highest: number | undefined;

  /** @param bits counter width in bits, 1…32. */
  constructor(bits: 16 | 32) {
    this.modulus = 2 ** bits;
    this.half = this.modulus / 2;
  }

  /**
   * Extends `value` (0 ≤ value < 2^bits) relative to the highest value seen so far and records it.
   * The first value extends to itself. The result may be lower than earlier results (reordering)
   * and may be negative when a packet from before the first one arrives across a wrap.
   */
  extend(value: number): number {
    const ext = this.peek(value);
    if (this.highest === undefined || ext > this.highest) this.highest = ext;
    return ext;
  }

  /** Like `extend()` without recording the value. */
  peek(value: number): number {
    if (this.highest === undefined) return value;
    const base = ((this.highest % this.modulus) + this.modulus) % this.modulus;
    let delta = (value - base) % this.modulus;
    if (delta < 0) delta += this.modulus;
    if (delta >= this.half) delta -= this.modulus;
    return this.highest + delta;
  }

  /** Highest extended value recorded, or `undefined` before the first. */
  max(): number | undefined {
    return this.highest;
  }

  /** Forgets all values (new SSRC). */
  reset(): void {
    this.highest = undefined;
  }
}
