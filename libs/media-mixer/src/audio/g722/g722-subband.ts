/**
 * The adaptive part shared by both G.722 sub-bands and by encoder and decoder: scale-factor
 * adaptation (LOGSCL/SCALEL, LOGSCH/SCALEH) and the pole-zero adaptive predictor (Block 4:
 * RECONS, PARREC, UPPOL2, UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC), ITU-T G.722 §6.2.
 *
 * Arithmetic is the Recommendation's 16-bit fixed point: additions saturate, `mult` is
 * (a·b) >> 15, signs are the top bit.
 */
import { ILB } from './g722-tables';

/** 16-bit saturation. */
export function sat16(x: number): number {
  return x > 32767 ? 32767 : x < -32768 ? -32768 : x;
}

/** Saturating 16-bit addition (ITU basic operator `add`). */
export function add(a: number, b: number): number {
  return sat16(a + b);
}

/** Fractional multiply (ITU basic operator `mult`): (a·b) >> 15, saturated. */
export function mult(a: number, b: number): number {
  return sat16((a * b) >> 15);
}

/** Parameters that differ between the sub-bands. */
export interface SubBandKind {
  /** Initial scale factor DETL = 32 / DETH = 8. */
  readonly initialDet: number;
  /** Upper bound of the log scale factor NBL = 18432 / NBH = 22528. */
  readonly nbMax: number;
  /** Exponent offset of SCALEL (8) / SCALEH (10). */
  readonly scaleShift: number;
}

export const LOWER_BAND: SubBandKind = { initialDet: 32, nbMax: 18432, scaleShift: 8 };
export const HIGHER_BAND: SubBandKind = { initialDet: 8, nbMax: 22528, scaleShift: 10 };

/**
 * State of one sub-band ADPCM loop. `s` is the signal estimate SL/SH for the current sample and
 * `det` the current quantizer scale factor DETL/DETH; `adapt()` consumes the quantized difference
 * of the current sample and prepares both for the next one.
 */
export class SubBandPredictor {
  /** Signal estimate for the current sample (SL / SH). */
  s = 0;
  /** Quantizer scale factor for the current sample (DETL / DETH). */
  det: number;
  /** Log scale factor (NBL / NBH). */
  private nb = 0;
  /** Zero-section output for the current sample (SZL / SZH). */
  private sz = 0;
  /** Pole coefficients a1, a2 (AL1/AL2). */
  private a1 = 0;
  private a2 = 0;
  /** Zero coefficients b1…b6 (index 0 unused). */
  private readonly b = new Int32Array(7);
  /** Quantized differences d(n−1)…d(n−6) (index 0 unused). */
  private readonly d = new Int32Array(7);
  /** Partially reconstructed signals p(n−1), p(n−2). */
  private p1 = 0;
  private p2 = 0;
  /** Reconstructed signals r(n−1), r(n−2). */
  private r1 = 0;
  private r2 = 0;

  constructor(private readonly kind: SubBandKind) {
    this.det = kind.initialDet;
  }

  /**
   * Runs LOGSCL/SCALEL and Block 4 for one sample.
   * @param dq the quantized difference DLT (from the 4-bit code) or DH.
   * @param w the log scale-factor multiplier WL/WH of the sample's code word.
   */
  adapt(dq: number, w: number): void {
    // LOGSCL / LOGSCH: NB(n) = NB(n−1)·(1 − 2^−7) + W, limited to [0, nbMax].
    let nb = add(mult(this.nb, 32512), w);
    if (nb < 0) nb = 0;
    else if (nb > this.kind.nbMax) nb = this.kind.nbMax;
    this.nb = nb;
    // SCALEL / SCALEH: DET = 2^(NB/2048 + …) via the ILB table, times 4.
    const mantissa = ILB[(nb >> 6) & 31];
    const shift = this.kind.scaleShift - (nb >> 11);
    this.det = (shift >= 0 ? mantissa >> shift : mantissa << -shift) << 2;

    // RECONS and PARREC.
    const r0 = add(this.s, dq);
    const p0 = add(dq, this.sz);

    // UPPOL2: a2 update from the signs of p(n), p(n−1), p(n−2).
    const sg0 = p0 >> 15;
    const sg1 = this.p1 >> 15;
    const sg2 = this.p2 >> 15;
    const a1x4 = add(add(this.a1, this.a1), add(this.a1, this.a1));
    const t = sg0 === sg1 ? sat16(-a1x4) : a1x4;
    let a2 = add(add(t >> 7, sg0 === sg2 ? 128 : -128), mult(this.a2, 32512));
    if (a2 > 12288) a2 = 12288;
    else if (a2 < -12288) a2 = -12288;

    // UPPOL1: a1 update, limited by 15360 − a2 (stability constraint).
    let a1 = add(sg0 === sg1 ? 192 : -192, mult(this.a1, 32640));
    const limit = add(15360, -a2);
    if (a1 > limit) a1 = limit;
    else if (a1 < -limit) a1 = -limit;

    // UPZERO: sign-sign update of b1…b6 with leakage 1 − 2^−8.
    const step = dq === 0 ? 0 : 128;
    const sgd = dq >> 15;
    for (let i = 1; i <= 6; i++) {
      this.b[i] = add((this.d[i] >> 15) === sgd ? step : -step, mult(this.b[i], 32640));
    }

    // DELAYA.
    for (let i = 6; i > 1; i--) this.d[i] = this.d[i - 1];
    this.d[1] = dq;
    this.p2 = this.p1;
    this.p1 = p0;
    this.r2 = this.r1;
    this.r1 = r0;
    this.a1 = a1;
    this.a2 = a2;

    // FILTEZ, FILTEP, PREDIC: the estimate for the next sample.
    let sz = 0;
    for (let i = 1; i <= 6; i++) sz = add(sz, mult(this.b[i], add(this.d[i], this.d[i])));
    this.sz = sz;
    const sp = add(mult(this.a1, add(this.r1, this.r1)), mult(this.a2, add(this.r2, this.r2)));
    this.s = add(sp, sz);
  }
}
