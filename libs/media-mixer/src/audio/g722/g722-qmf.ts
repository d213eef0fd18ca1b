/**
 * G.722 quadrature mirror filters (ITU-T G.722 §3.2 transmit, §4.4 receive; coefficients Table 11).
 *
 * Transmit: two 16 kHz samples in, one lower- and one higher-band sample at 8 kHz out:
 *   xA = Σ h(2i)·x(j−2i),  xB = Σ h(2i+1)·x(j−2i−1),  xL = xA + xB,  xH = xA − xB   (i = 0…11)
 * Receive: one sample of each band in, two 16 kHz samples out:
 *   xd = rL − rH,  xs = rL + rH,  out(j) = 2·Σ h(2i)·xd(j−i),  out(j+1) = 2·Σ h(2i+1)·xs(j−i)
 *
 * Our PCM is 16-bit where the Recommendation's is 15-bit (Table 9), so the analysis bank scales by
 * 2^−14 (one more than 2^−13) and the synthesis bank by 2^−11 (G.722 §5.2.1 Note 2 permits
 * rescaling the accumulators).
 */
import { QMF_COEFFICIENTS } from './g722-tables';
import { sat16 } from './g722-subband';

const EVEN = Int32Array.from({ length: 12 }, (_, i) => QMF_COEFFICIENTS[2 * i]);
const ODD = Int32Array.from({ length: 12 }, (_, i) => QMF_COEFFICIENTS[2 * i + 1]);

function clamp15(x: number): number {
  return x > 16383 ? 16383 : x < -16384 ? -16384 : x;
}

/** Analysis filter bank of the encoder. */
export class TransmitQmf {
  /** x(j), x(j−2), …, x(j−22): the later sample of each pair, newest first. */
  private readonly later = new Int32Array(12);
  /** x(j−1), x(j−3), …, x(j−23). */
  private readonly earlier = new Int32Array(12);

  /** Lower-band output xL of the last `split()`, 15-bit, 8 kHz. */
  xl = 0;
  /** Higher-band output xH of the last `split()`, 15-bit, 8 kHz. */
  xh = 0;

  /** Splits one pair of consecutive 16 kHz samples into `xl` and `xh`. */
  split(first: number, second: number): void {
    this.later.copyWithin(1, 0, 11);
    this.earlier.copyWithin(1, 0, 11);
    this.later[0] = second;
    this.earlier[0] = first;
    let xa = 0;
    let xb = 0;
    for (let i = 0; i < 12; i++) {
      xa += EVEN[i] * this.later[i];
      xb += ODD[i] * this.earlier[i];
    }
    this.xl = clamp15((xa + xb) >> 14);
    this.xh = clamp15((xa - xb) >> 14);
  }
}

/** Synthesis filter bank of the decoder. */
export class ReceiveQmf {
  /** xd(j), xd(j−1), …, xd(j−11), newest first. */
  private readonly difference = new Int32Array(12);
  /** xs(j), …, xs(j−11). */
  private readonly sum = new Int32Array(12);

  /** First (earlier) 16 kHz output sample of the last `merge()`. */
  first = 0;
  /** Second 16 kHz output sample of the last `merge()`. */
  second = 0;

  /** Recombines one lower- and one higher-band sample into `first` and `second`. */
  merge(rl: number, rh: number): void {
    this.difference.copyWithin(1, 0, 11);
    this.sum.copyWithin(1, 0, 11);
    this.difference[0] = rl - rh;
    this.sum[0] = rl + rh;
    let first = 0;
    let second = 0;
    for (let i = 0; i < 12; i++) {
      first += EVEN[i] * this.difference[i];
      second += ODD[i] * this.sum[i];
    }
    this.first = sat16(first >> 11);
    this.second = sat16(second >> 11);
  }
}
