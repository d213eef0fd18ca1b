/**
 * Codec instances by SDP encoding name and clock rate (`a=rtpmap:<pt> <name>/<rate>[/<channels>]`,
 * RFC 4566 §6; names and rates of RFC 3551 Table 4 and RFC 7587). Names compare case-insensitively.
 */
import type { AudioCodec } from './audio-codec';
import { G722Codec } from './g722';
import { PcmaCodec, PcmuCodec } from './g711-codec';
import { OpusBinding, OpusCodec } from './opus-codec';

/** Options of `createAudioCodec`. */
export interface AudioCodecFactoryOptions {
  /** Creates a libopus binding (mono, at `opusSampleRate`); without it Opus is unsupported. */
  opusBinding?: (sampleRate: number) => OpusBinding;
  /** PCM rate for Opus legs, Hz (default 16000, the mixer's rate). */
  opusSampleRate?: number;
}

/** Static payload types of RFC 3551 Table 4 for the codecs that have one. */
export const STATIC_AUDIO_PAYLOAD_TYPES: Readonly<Record<string, number>> = { PCMU: 0, PCMA: 8, G722: 9 };

/**
 * A new codec instance (own encoder/decoder state) for one leg.
 * @returns undefined when the name/rate pair is not supported (the SDP answer rejects it).
 */
export function createAudioCodec(name: string, clockRate: number, opts: AudioCodecFactoryOptions = {}): AudioCodec | undefined {
  switch (name.toUpperCase()) {
    case 'PCMU':
      return clockRate === 8000 ? new PcmuCodec() : undefined;
    case 'PCMA':
      return clockRate === 8000 ? new PcmaCodec() : undefined;
    case 'G722':
      return clockRate === 8000 ? new G722Codec() : undefined;
    case 'OPUS': {
      if (clockRate !== 48000 || !opts.opusBinding) return undefined;
      const rate = opts.opusSampleRate ?? 16000;
      return new OpusCodec(opts.opusBinding(rate), rate);
    }
    default:
      return undefined;
  }
}
