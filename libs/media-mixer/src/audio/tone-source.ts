/**
 * A generated call-progress tone (a sum of sines switched on and off by a cadence), produced frame by
 * frame at the mixer rate: what a caller hears while the MCU waits for it (e.g. to key a room PIN).
 * The phase runs on across frames and across the silent parts of the cadence, so a tone has no clicks
 * at frame edges.
 */
import { InvalidArgumentError } from '../errors';

/** What a tone sounds like. */
export interface TonePrompt {
  /** Frequencies summed, Hz (each above 0 and below half the sample rate); 1 to 4 of them. */
  frequencies: readonly number[];
  /**
   * Alternating on/off durations, ms, starting with "on" and repeating (e.g. `[200, 200, 200, 2400]`:
   * two 200 ms beeps every 3 s). Empty or absent: a continuous tone. Each entry a multiple of 1 ms, > 0.
   */
  cadenceMs?: readonly number[];
  /** Peak level of the summed tone, dBFS (≤ 0; default −16). */
  levelDbfs?: number;
}

/**
 * The PIN prompt: two 200 ms beeps of 1000 Hz at −16 dBFS every 3 s — unlike dial tone (continuous
 * 350+440 or 425 Hz) and ringback (long bursts), so the caller hears that the MCU expects input.
 */
export const PIN_PROMPT_TONE: TonePrompt = { frequencies: [1000], cadenceMs: [200, 200, 200, 2400], levelDbfs: -16 };

const DEFAULT_LEVEL_DBFS = -16;

/** Produces a `TonePrompt` as 16-bit mono frames. */
export class ToneSource {
  private readonly amplitude: number;
  private readonly steps: number[];
  private readonly cadence: number[];
  private readonly cycleSamples: number;
  private readonly phases: number[];
  /** Samples produced so far, modulo the cadence cycle. */
  private position = 0;

  /**
   * @param sampleRate output rate, Hz (the mixer's 16000).
   * @param frameSamples samples per `next()` frame (320 for 20 ms at 16 kHz).
   * @throws InvalidArgumentError for no or too many frequencies, a frequency outside (0, sampleRate/2),
   *   a level above 0 dBFS, a non-positive cadence entry, or a bad rate or frame size.
   */
  constructor(
    prompt: TonePrompt,
    readonly sampleRate: number,
    readonly frameSamples: number,
  ) {
    if (!(sampleRate > 0) || !Number.isInteger(frameSamples) || frameSamples <= 0) {
      throw new InvalidArgumentError(`Invalid tone format ${sampleRate} Hz × ${frameSamples} samples`);
    }
    const { frequencies } = prompt;
    if (frequencies.length < 1 || frequencies.length > 4) throw new InvalidArgumentError(`A tone needs 1 to 4 frequencies, got ${frequencies.length}`);
    for (const f of frequencies) {
      if (!(f > 0 && f < sampleRate / 2)) throw new InvalidArgumentError(`Tone frequency ${f} Hz outside (0, ${sampleRate / 2})`);
    }
    const level = prompt.levelDbfs ?? DEFAULT_LEVEL_DBFS;
    if (!(level <= 0)) throw new InvalidArgumentError(`Tone level ${level} dBFS above full scale`);
    const cadenceMs = prompt.cadenceMs ?? [];
    for (const ms of cadenceMs) {
      if (!(ms > 0) || !Number.isFinite(ms)) throw new InvalidArgumentError(`Invalid tone cadence entry ${ms} ms`);
    }
    this.amplitude = (32767 * 10 ** (level / 20)) / frequencies.length;
    this.steps = frequencies.map((f) => (2 * Math.PI * f) / sampleRate);
    this.phases = frequencies.map(() => 0);
    // An odd-length cadence repeats with on/off swapped, so its cycle is the list twice.
    const cadence = cadenceMs.length % 2 === 1 ? [...cadenceMs, ...cadenceMs] : [...cadenceMs];
    this.cadence = cadence.map((ms) => Math.round((ms * sampleRate) / 1000));
    this.cycleSamples = this.cadence.reduce((a, b) => a + b, 0);
  }

  /** The next frame: `frameSamples` samples of tone or (in the cadence's off parts) silence. */
  next(): Int16Array {
    const out = new Int16Array(this.frameSamples);
    for (let i = 0; i < out.length; i++) {
      let sum = 0;
      for (let k = 0; k < this.steps.length; k++) {
        sum += Math.sin(this.phases[k]);
        this.phases[k] += this.steps[k];
        if (this.phases[k] > 2 * Math.PI) this.phases[k] -= 2 * Math.PI;
      }
      if (this.sounding()) out[i] = Math.round(this.amplitude * sum);
      if (this.cycleSamples > 0) this.position = (this.position + 1) % this.cycleSamples;
    }
    return out;
  }

  /** Whether the cadence is in an "on" part at the current position. */
  private sounding(): boolean {
    if (this.cycleSamples === 0) return true;
    let at = this.position;
    for (let i = 0; i < this.cadence.length; i++) {
      if (at < this.cadence[i]) return i % 2 === 0;
      at -= this.cadence[i];
    }
    return false;
  }
}
