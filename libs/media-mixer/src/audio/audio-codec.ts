/**
 * The contract every audio codec of the media plane implements (one instance per call leg and
 * direction pair: codecs such as G.722 keep predictor state between frames).
 */

/**
 * An RTP audio payload format with its encoder, decoder and packet-loss concealment.
 *
 * Units: `pcm` and concealed audio are 16-bit signed samples at `sampleRate` Hz, interleaved when
 * `channels > 1`; RTP timestamps advance at `clockRate` Hz, which differs from `sampleRate` for
 * G.722 (RFC 3551 §4.5.2: clock 8000 Hz for 16 kHz audio).
 */
export interface AudioCodec {
  /** Encoding name as in SDP `a=rtpmap` (RFC 4566 §6), e.g. `PCMU`, `PCMA`, `G722`, `opus`. */
  readonly name: string;
  /** RTP timestamp rate in Hz (RFC 3551 Table 4). */
  readonly clockRate: number;
  /** Rate of the linear PCM this codec consumes and produces, in Hz. */
  readonly sampleRate: number;
  /** Number of audio channels of the PCM (1 = mono). */
  readonly channels: number;
  /**
   * Encodes one frame (a whole packet time, e.g. 20 ms = 160 samples for PCMU).
   * @throws CodecError when the frame length is not acceptable to the codec.
   */
  encode(pcm: Int16Array): Buffer;
  /**
   * Decodes one RTP payload.
   * @throws CodecError when the payload cannot be decoded (its length does not fit the format).
   */
  decode(payload: Buffer): Int16Array;
  /**
   * Synthesizes audio for a missing frame of `samples` samples (per channel, at `sampleRate`),
   * continuing from the last decoded audio and fading to silence over long losses.
   */
  conceal(samples: number): Int16Array;
  /** Releases native state (e.g. libopus's) when the leg drops the codec. Optional; idempotent. */
  close?(): void;
}

/** Converts an RTP timestamp span of a codec into a count of PCM samples (per channel). */
export function rtpUnitsToSamples(codec: Pick<AudioCodec, 'clockRate' | 'sampleRate'>, units: number): number {
  return Math.round((units * codec.sampleRate) / codec.clockRate);
}
