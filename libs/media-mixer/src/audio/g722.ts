/**
 * G.722 as an `AudioCodec` (ITU-T G.722 at 64 kbit/s; RFC 3551 §4.5.2): 16 kHz audio, one octet per
 * two samples, RTP clock rate 8000 Hz although the audio is sampled at 16000 Hz (so a 20 ms packet
 * carries 160 octets and advances the RTP timestamp by 160). Static payload type 9.
 */
import type { AudioCodec } from './audio-codec';
import { G722Decoder } from './g722/g722-decoder';
import { G722Encoder } from './g722/g722-encoder';
import { PacketLossConcealer } from './packet-loss-concealment';

export { G722Encoder } from './g722/g722-encoder';
export { G722Decoder } from './g722/g722-decoder';

/** G.722 codec of one call leg: an encoder and a decoder, each with its own ADPCM state. */
export class G722Codec implements AudioCodec {
  readonly name = 'G722';
  /** RFC 3551 §4.5.2: 8000 for historical reasons, though the audio is 16 kHz. */
  readonly clockRate = 8000;
  readonly sampleRate = 16000;
  readonly channels = 1;
  private readonly encoder = new G722Encoder();
  private readonly decoder = new G722Decoder();
  private readonly plc = new PacketLossConcealer(16000);

  /**
   * @param pcm 16 kHz samples, even count (20 ms = 320 samples → 160 octets).
   * @throws CodecError for an odd number of samples.
   */
  encode(pcm: Int16Array): Buffer {
    return this.encoder.encode(pcm);
  }

  /** Every octet is a valid code word; `payload.length` octets give twice as many samples. */
  decode(payload: Buffer): Int16Array {
    return this.plc.accept(this.decoder.decode(payload));
  }

  /** Waveform substitution for `samples` missing samples at 16 kHz. */
  conceal(samples: number): Int16Array {
    return this.plc.conceal(samples);
  }
}
