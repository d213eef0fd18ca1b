/**
 * Packet-loss concealment by pitch waveform substitution, after the method of ITU-T G.711
 * Appendix I: on a loss the last pitch period of the received audio is repeated, the repetition is
 * attenuated as the loss grows (silence after 60 ms), and the first good frame after a loss is
 * cross-faded with the synthetic continuation so that no click is heard.
 *
 * Codec-independent: works on mono 16-bit PCM at any rate.
 */

/** Pitch search range in seconds (G.711 Appendix I: 66–200 Hz fundamental, i.e. 5–15 ms). */
const MIN_PITCH_S = 0.0025;
const MAX_PITCH_S = 0.015;
/** Full level for the first 10 ms of a loss, then −20 % per 10 ms, silent after 60 ms. */
const HOLD_S = 0.01;
const FADE_S = 0.05;
/** Length of the cross-fade into the first good frame after a loss. */
const MERGE_S = 0.004;

/**
 * Keeps the recent history of one decoded stream and synthesizes audio for missing frames.
 * Feed every decoded frame through `accept()`; call `conceal()` for each missing frame.
 */
export class PacketLossConcealer {
  private readonly history: Float32Array;
  private filled = 0;
  private readonly minLag: number;
  private readonly maxLag: number;
  /** Pitch period in samples of the loss in progress; 0 when not concealing. */
  private pitch = 0;
  /** The last pitch period of real audio, captured when the loss began. */
  private period = new Float32Array(0);
  /** Position inside the repeated period, in samples. */
  private phase = 0;
  /** Samples synthesized since the loss began. */
  private lostSamples = 0;

  /** @param sampleRate PCM rate in Hz (8000, 16000, 48000, …). */
  constructor(private readonly sampleRate: number) {
    this.minLag = Math.max(1, Math.round(MIN_PITCH_S * sampleRate));
    this.maxLag = Math.round(MAX_PITCH_S * sampleRate);
    // Enough for the correlation window (one max lag) plus the largest lag searched.
    this.history = new Float32Array(2 * this.maxLag + this.minLag);
  }

  /**
   * Records a decoded frame. If it follows a concealed loss, its first 4 ms are cross-faded with the
   * synthetic signal (the frame is modified in place).
   * @returns the same array.
   */
  accept(frame: Int16Array): Int16Array {
    if (this.pitch > 0) {
      const merge = Math.min(frame.length, Math.round(MERGE_S * this.sampleRate));
      const synthetic = this.synthesize(merge);
      for (let i = 0; i < merge; i++) {
        const w = (i + 1) / (merge + 1);
        frame[i] = Math.round(w * frame[i] + (1 - w) * synthetic[i]);
      }
      this.pitch = 0;
    }
    this.lostSamples = 0;
    this.push(frame);
    return frame;
  }

  /**
   * Synthesizes `samples` samples continuing the stream across a loss.
   * @returns silence when nothing has been received yet or the loss exceeds 60 ms.
   */
  conceal(samples: number): Int16Array {
    if (this.filled < this.history.length) {
      this.lostSamples += samples;
      return new Int16Array(samples);
    }
    if (this.pitch === 0) {
      this.pitch = this.estimatePitch();
      this.period = this.history.slice(this.history.length - this.pitch);
      this.phase = 0;
    }
    const out = this.synthesize(samples);
    // The synthetic audio becomes history too, so a later loss continues smoothly.
    this.push(out);
    return out;
  }

  /** Periodic repetition of the last `pitch` samples of history, attenuated by loss duration. */
  private synthesize(samples: number): Int16Array {
    const out = new Int16Array(samples);
    const p = this.period;
    const hold = HOLD_S * this.sampleRate;
    const fade = FADE_S * this.sampleRate;
    for (let i = 0; i < samples; i++) {
      const t = this.lostSamples + i;
      const gain = t < hold ? 1 : Math.max(0, 1 - (t - hold) / fade);
      out[i] = Math.round(gain * p[(this.phase + i) % this.pitch]);
    }
    this.phase = (this.phase + samples) % this.pitch;
    this.lostSamples += samples;
    return out;
  }

  /** Lag in [minLag, maxLag] maximizing the normalized autocorrelation of the last maxLag samples. */
  private estimatePitch(): number {
    const h = this.history;
    const n = h.length;
    const window = this.maxLag;
    let bestLag = this.maxLag;
    let best = -Infinity;
    for (let lag = this.minLag; lag <= this.maxLag; lag++) {
      let cross = 0;
      let energy = 0;
      for (let i = n - window; i < n; i++) {
        cross += h[i] * h[i - lag];
        energy += h[i - lag] * h[i - lag];
      }
      const score = energy > 0 ? cross / Math.sqrt(energy) : 0;
      if (score > best) {
        best = score;
        bestLag = lag;
      }
    }
    return bestLag;
  }

  private push(frame: Int16Array): void {
    const h = this.history;
    const n = h.length;
    if (frame.length >= n) {
      for (let i = 0; i < n; i++) h[i] = frame[frame.length - n + i];
    } else {
      h.copyWithin(0, frame.length);
      for (let i = 0; i < frame.length; i++) h[n - frame.length + i] = frame[i];
    }
    this.filled = Math.min(n, this.filled + frame.length);
  }
}
