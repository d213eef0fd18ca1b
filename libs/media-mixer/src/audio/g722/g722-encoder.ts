/**
 * G.722 SB-ADPCM encoder, 64 kbit/s (ITU-T G.722 §3 and §6.2.1–6.2.2: QUANTL, INVQAL, QUANTH,
 * INVQAH with the shared adaptation of `SubBandPredictor`).
 *
 * Octet layout (§1.4.4): | IH1 IH2 | IL1 … IL6 |, the 2-bit higher-band code in the top bits.
 */
import { CodecError } from '../../errors';
import { HIGHER_BAND, LOWER_BAND, SubBandPredictor, add, mult } from './g722-subband';
import { IHN, IHP, Q2_LEVEL, Q6, QM2, QM4, WH_BY_IH, WL_BY_RIL, iln, ilp } from './g722-tables';
import { TransmitQmf } from './g722-qmf';

/** Magnitude used by both quantizers: e for e ≥ 0, −e − 1 otherwise (one's complement). */
function magnitude(e: number): number {
  return e >= 0 ? e : 32767 - (e & 32767);
}

/** Encoder state of one stream; 16 kHz 16-bit PCM in, one octet per two samples out. */
export class G722Encoder {
  private readonly qmf = new TransmitQmf();
  private readonly lower = new SubBandPredictor(LOWER_BAND);
  private readonly higher = new SubBandPredictor(HIGHER_BAND);

  /**
   * Encodes `pcm.length / 2` octets.
   * @param pcm 16 kHz samples; the length must be even.
   * @throws CodecError for an odd number of samples.
   */
  encode(pcm: Int16Array): Buffer {
    if (pcm.length % 2 !== 0) throw new CodecError(`G.722 encodes sample pairs; got ${pcm.length} samples`);
    const out = Buffer.allocUnsafe(pcm.length / 2);
    for (let i = 0, j = 0; i < pcm.length; i += 2, j++) {
      this.qmf.split(pcm[i], pcm[i + 1]);
      out[j] = (this.encodeHigher(this.qmf.xh) << 6) | this.encodeLower(this.qmf.xl);
    }
    return out;
  }

  /** Lower sub-band: SUBTRA, QUANTL (6-bit), INVQAL (4-bit), adaptation. */
  private encodeLower(xl: number): number {
    const band = this.lower;
    const el = add(xl, -band.s);
    const wd = magnitude(el);
    let m = 1;
    while (m < 30 && wd >= mult(Q6[m] << 3, band.det)) m++;
    const il = el >= 0 ? ilp(m) : iln(m);
    const ril = il >> 2;
    band.adapt(mult(band.det, QM4[ril]), WL_BY_RIL[ril]);
    return il;
  }

  /** Higher sub-band: SUBTRA, QUANTH (2-bit), INVQAH, adaptation. */
  private encodeHigher(xh: number): number {
    const band = this.higher;
    const eh = add(xh, -band.s);
    const m = magnitude(eh) >= mult(Q2_LEVEL << 3, band.det) ? 2 : 1;
    const ih = eh >= 0 ? IHP[m] : IHN[m];
    band.adapt(mult(band.det, QM2[ih]), WH_BY_IH[ih]);
    return ih;
  }
}
