/**
 * A first-in first-out queue of 16-bit mono samples, for the places where audio arrives in one
 * frame size and leaves in another (decoded packets → mixer ticks, mixer ticks → packet times).
 */

/** Growable FIFO of Int16 samples; amortized O(1) per sample. */
export class SampleFifo {
  private buffer: Int16Array;
  private start = 0;
  private end = 0;

  /** @param initialCapacity samples the buffer holds before it grows. */
  constructor(initialCapacity = 1024) {
    this.buffer = new Int16Array(Math.max(16, initialCapacity));
  }

  /** Samples queued. */
  get length(): number {
    return this.end - this.start;
  }

  /** Appends samples. */
  push(samples: Int16Array): void {
    this.reserve(samples.length);
    this.buffer.set(samples, this.end);
    this.end += samples.length;
  }

  /** Appends `count` zero samples. */
  pushSilence(count: number): void {
    if (count <= 0) return;
    this.reserve(count);
    this.buffer.fill(0, this.end, this.end + count);
    this.end += count;
  }

  /**
   * Removes and returns the oldest `count` samples; missing samples (underrun) are zeros.
   * @returns a new array of exactly `count` samples.
   */
  take(count: number): Int16Array {
    const out = new Int16Array(count);
    const available = Math.min(count, this.length);
    out.set(this.buffer.subarray(this.start, this.start + available));
    this.start += available;
    if (this.start === this.end) this.start = this.end = 0;
    return out;
  }

  /** Drops the oldest `count` samples (all when `count` exceeds the length). */
  discard(count: number): void {
    this.start = Math.min(this.end, this.start + Math.max(0, count));
    if (this.start === this.end) this.start = this.end = 0;
  }

  /** Empties the queue. */
  clear(): void {
    this.start = this.end = 0;
  }

  private reserve(extra: number): void {
    if (this.end + extra <= this.buffer.length) return;
    const length = this.length;
    if (length + extra <= this.buffer.length / 2) {
      this.buffer.copyWithin(0, this.start, this.end);
    } else {
      const grown = new Int16Array(Math.max(this.buffer.length * 2, length + extra));
      grown.set(this.buffer.subarray(this.start, this.end));
      this.buffer = grown;
    }
    this.start = 0;
    this.end = length;
  }
}
