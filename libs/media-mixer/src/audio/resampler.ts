/**
 * Streaming sample-rate conversion between rational rates (8, 16, 48 kHz and their ratios) with a
 * polyphase Kaiser-windowed-sinc low-pass filter.
 *
 * Conversion by L/M (L = out/g, M = in/g, g = gcd): conceptually upsample by L (zero stuffing), low-pass
 * at min(in, out)/2, keep every M-th sample. The polyphase form evaluates only the taps that meet
 * non-zero input: output k is at input time k·M/L, phase p = (k·M) mod L selects the sub-filter.
 */
import { InvalidArgumentError } from '../errors';

/** Options of a `Resampler`. */
export interface ResamplerOptions {
  /**
   * Filter length in samples of the lower of the two rates; longer filters are steeper. Default 32
   * (4 ms at 8 kHz), giving a pass band flat to 0.1 dB up to 3 kHz for 8 kHz audio.
   */
  tapsPerPhase?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency. Default 0.9 (3.6 kHz for 8 kHz audio). */
  cutoff?: number;
  /** Kaiser window β; 8 gives about 80 dB stop-band attenuation. Default 8. */
  kaiserBeta?: number;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Zeroth-order modified Bessel function of the first kind (series), for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/**
 * Converts a mono 16-bit stream from `inputRate` to `outputRate`, keeping filter state between
 * calls so consecutive frames join without discontinuity. Delay: tapsPerPhase/2 samples of the
 * lower rate (2 ms with the defaults at 8 kHz).
 *
 * For 20 ms frames at 8/16/48 kHz every call returns exactly `input.length · out/in` samples.
 */
export class Resampler {
  /** Upsampling factor L. */
  private readonly up: number;
  /** Downsampling factor M. */
  private readonly down: number;
  private readonly taps: number;
  /** `up` sub-filters of `taps` coefficients each; phase p coefficient j multiplies x[i − j]. */
  private readonly phases: Float32Array[];
  /** The last `taps − 1` input samples of the previous call, oldest first. */
  private readonly history: Float32Array;
  /** Position of the next output in units of 1/L input samples, relative to the current call's first input. */
  private position = 0;
  /** Scratch buffer holding history + input of one call. */
  private work = new Float32Array(0);

  /**
   * @param inputRate input sample rate in Hz (positive integer).
   * @param outputRate output sample rate in Hz (positive integer).
   * @throws InvalidArgumentError for non-integer or non-positive rates or a bad option.
   */
  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
    opts: ResamplerOptions = {},
  ) {
    if (!Number.isInteger(inputRate) || !Number.isInteger(outputRate) || inputRate <= 0 || outputRate <= 0) {
      throw new InvalidArgumentError(`Invalid resampling rates ${inputRate} → ${outputRate}`);
    }
    const g = gcd(inputRate, outputRate);
    this.up = outputRate / g;
    this.down = inputRate / g;
    if (this.up > 1000) throw new InvalidArgumentError(`Resampling ratio ${outputRate}/${inputRate} too fine`);
    const tapsPerPhase = opts.tapsPerPhase ?? 32;
    const cutoff = opts.cutoff ?? 0.9;
    if (!Number.isInteger(tapsPerPhase) || tapsPerPhase < 2 || !(cutoff > 0 && cutoff <= 1)) {
      throw new InvalidArgumentError('Resampler needs tapsPerPhase ≥ 2 and 0 < cutoff ≤ 1');
    }
    // When decimating, the filter must span as many samples of the lower (output) rate as when
    // interpolating, so it grows with M/L (e.g. 48k → 8k: 6 × 32 taps at 48 kHz).
    this.taps = tapsPerPhase * Math.max(1, Math.ceil(this.down / this.up));
    this.phases = this.design(cutoff, opts.kaiserBeta ?? 8);
    this.history = new Float32Array(this.taps - 1);
  }

  /** Builds the prototype low-pass at rate L·inputRate and splits it into L phases. */
  private design(cutoff: number, beta: number): Float32Array[] {
    const L = this.up;
    const length = this.taps * L;
    // Cut-off relative to the upsampled rate: fc / (L·fin), fc = cutoff · min(fin, fout)/2.
    const fc = (cutoff * Math.min(this.inputRate, this.outputRate)) / 2 / (L * this.inputRate);
    const centre = (length - 1) / 2;
    const i0Beta = besselI0(beta);
    const proto = new Float64Array(length);
    for (let n = 0; n < length; n++) {
      const t = n - centre;
      const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
      const r = (2 * n) / (length - 1) - 1;
      proto[n] = sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta);
    }
    const phases = Array.from({ length: L }, () => new Float32Array(this.taps));
    for (let p = 0; p < L; p++) {
      // Each phase is normalized to unit DC gain, which also compensates the zero stuffing.
      let sum = 0;
      for (let j = 0; j < this.taps; j++) sum += proto[p + j * L];
      for (let j = 0; j < this.taps; j++) phases[p][j] = proto[p + j * L] / sum;
    }
    return phases;
  }

  /** Number of output samples the next `process()` of `inputLength` samples will return. */
  outputLength(inputLength: number): number {
    const end = inputLength * this.up;
    return this.position >= end ? 0 : Math.ceil((end - this.position) / this.down);
  }

  /**
   * Converts the next chunk of the stream.
   * @param input mono samples at `inputRate`.
   * @returns samples at `outputRate`, rounded and clamped to 16 bits.
   */
  process(input: Int16Array): Int16Array {
    if (this.up === this.down) return input.slice();
    const out = new Int16Array(this.outputLength(input.length));
    const h = this.history.length; // taps − 1
    // Contiguous view: history followed by the input, so x[i − j] is buf[h + i − j].
    if (this.work.length < h + input.length) this.work = new Float32Array(h + input.length);
    const buf = this.work;
    buf.set(this.history, 0);
    buf.set(input, h);
    const taps = this.taps;
    const up = this.up;
    const down = this.down;
    const phases = this.phases;
    let pos = this.position;
    let i = Math.floor(pos / up);
    let phase = pos - i * up;
    for (let k = 0; k < out.length; k++) {
      const coeffs = phases[phase];
      let base = h + i;
      // Four accumulators: independent additions pipeline better than one serial chain.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let j = 0;
      for (; j + 3 < taps; j += 4, base -= 4) {
        a0 += coeffs[j] * buf[base];
        a1 += coeffs[j + 1] * buf[base - 1];
        a2 += coeffs[j + 2] * buf[base - 2];
        a3 += coeffs[j + 3] * buf[base - 3];
      }
      for (; j < taps; j++, base--) a0 += coeffs[j] * buf[base];
      const acc = a0 + a1 + a2 + a3;
      out[k] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
      phase += down;
      while (phase >= up) {
        phase -= up;
        i++;
      }
    }
    pos = i * up + phase;
    this.position = pos - input.length * this.up;
    this.keepHistory(input);
    return out;
  }

  /** Forgets the stream (a new SSRC or a gap): the next call starts from silence. */
  reset(): void {
    this.history.fill(0);
    this.position = 0;
  }

  private keepHistory(input: Int16Array): void {
    const hist = this.history;
    const h = hist.length;
    if (input.length >= h) {
      for (let j = 0; j < h; j++) hist[j] = input[input.length - h + j];
    } else {
      hist.copyWithin(0, input.length);
      for (let j = 0; j < input.length; j++) hist[h - input.length + j] = input[j];
    }
  }
}
