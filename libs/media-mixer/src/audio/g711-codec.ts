/**
 * PCMU and PCMA as `AudioCodec`s (RFC 3551 §4.5.14): 8000 Hz clock and audio, mono, one octet per
 * sample, any packet time. Static payload types 0 (PCMU) and 8 (PCMA), RFC 3551 Table 4.
 */
import type { AudioCodec } from './audio-codec';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from './g711';
import { PacketLossConcealer } from './packet-loss-concealment';

abstract class G711Codec implements AudioCodec {
  abstract readonly name: string;
  readonly clockRate = 8000;
  readonly sampleRate = 8000;
  readonly channels = 1;
  private readonly plc = new PacketLossConcealer(8000);

  protected abstract encodeSamples(pcm: Int16Array): Buffer;
  protected abstract decodeOctets(payload: Buffer): Int16Array;

  /** Encodes `pcm` (8000 Hz mono) to one octet per sample. Never throws. */
  encode(pcm: Int16Array): Buffer {
    return this.encodeSamples(pcm);
  }

  /** Decodes one octet per sample; every length is valid (an empty payload yields no samples). */
  decode(payload: Buffer): Int16Array {
    return this.plc.accept(this.decodeOctets(payload));
  }

  /** G.711 Appendix I style waveform substitution for `samples` missing samples at 8000 Hz. */
  conceal(samples: number): Int16Array {
    return this.plc.conceal(samples);
  }
}

/** µ-law, SDP `PCMU/8000`, static payload type 0. */
export class PcmuCodec extends G711Codec {
  readonly name = 'PCMU';
  protected encodeSamples(pcm: Int16Array): Buffer {
    return encodeUlaw(pcm);
  }
  protected decodeOctets(payload: Buffer): Int16Array {
    return decodeUlaw(payload);
  }
}

/** A-law, SDP `PCMA/8000`, static payload type 8. */
export class PcmaCodec extends G711Codec {
  readonly name = 'PCMA';
  protected encodeSamples(pcm: Int16Array): Buffer {
    return encodeAlaw(pcm);
  }
  protected decodeOctets(payload: Buffer): Int16Array {
    return decodeAlaw(payload);
  }
}
