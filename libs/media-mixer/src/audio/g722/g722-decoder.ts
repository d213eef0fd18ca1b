/**
 * G.722 SB-ADPCM decoder, mode 1 (64 kbit/s): ITU-T G.722 §4 and §6.2.1–6.2.2 (INVQBL with the
 * 6-bit code for the output, INVQAL with the 4-bit truncated code for the adaptation, LIMIT,
 * INVQAH), then the receive QMF.
 */
import { HIGHER_BAND, LOWER_BAND, SubBandPredictor, add, mult } from './g722-subband';
import { QM2, QM4, QM6, WH_BY_IH, WL_BY_RIL } from './g722-tables';
import { ReceiveQmf } from './g722-qmf';

function limit(y: number): number {
  return y > 16383 ? 16383 : y < -16384 ? -16384 : y;
}

/** Decoder state of one stream; one octet in, two 16 kHz 16-bit samples out. Every octet is valid. */
export class G722Decoder {
  private readonly qmf = new ReceiveQmf();
  private readonly lower = new SubBandPredictor(LOWER_BAND);
  private readonly higher = new SubBandPredictor(HIGHER_BAND);

  /** Decodes `payload.length` octets into `2 · payload.length` samples at 16 kHz. */
  decode(payload: Uint8Array): Int16Array {
    const out = new Int16Array(payload.length * 2);
    for (let j = 0; j < payload.length; j++) {
      const code = payload[j];
      this.qmf.merge(this.decodeLower(code & 0x3f), this.decodeHigher(code >> 6));
      out[2 * j] = this.qmf.first;
      out[2 * j + 1] = this.qmf.second;
    }
    return out;
  }

  private decodeLower(il: number): number {
    const band = this.lower;
    const rl = limit(add(band.s, mult(band.det, QM6[il])));
    const ril = il >> 2;
    band.adapt(mult(band.det, QM4[ril]), WL_BY_RIL[ril]);
    return rl;
  }

  private decodeHigher(ih: number): number {
    const band = this.higher;
    const dh = mult(band.det, QM2[ih]);
    const rh = limit(add(band.s, dh));
    band.adapt(dh, WH_BY_IH[ih]);
    return rh;
  }
}
