/**
 * libopus for the media plane through `@evan/opus` (libopus compiled into the npm package: a native
 * addon with a WebAssembly fallback, so `npm ci` downloads and builds nothing). Each call gives a
 * fresh mono encoder/decoder pair at the requested rate; a mono decoder downmixes stereo packets
 * (RFC 7587 §3.4: a receiver may decode any packet to mono).
 */
import { Decoder, Encoder } from '@evan/opus';
import type { OpusBindingFactory } from '@mcu/media-mixer';

/** PCM rates libopus runs at, Hz (RFC 7587 §4.1 keeps the RTP clock at 48 kHz whatever this is). */
const OPUS_PCM_RATES = [8000, 12000, 16000, 24000, 48000] as const;
type OpusPcmRate = (typeof OPUS_PCM_RATES)[number];

function isOpusPcmRate(rate: number): rate is OpusPcmRate {
  return (OPUS_PCM_RATES as readonly number[]).includes(rate);
}

/**
 * The `OpusBindingFactory` of the MCU: `(sampleRate) => { encode, decode }` over 16-bit
 * little-endian mono PCM at `sampleRate` Hz. The encoder runs in VoIP mode.
 * @throws RangeError for a rate libopus does not support (8, 12, 16, 24 or 48 kHz only).
 */
export const createOpusBinding: OpusBindingFactory = (sampleRate) => {
  if (!isOpusPcmRate(sampleRate)) throw new RangeError(`libopus does not run at ${sampleRate} Hz`);
  const encoder = new Encoder({ channels: 1, sample_rate: sampleRate, application: 'voip' });
  const decoder = new Decoder({ channels: 1, sample_rate: sampleRate });
  return {
    encode: (pcm) => encoder.encode(pcm),
    decode: (packet) => decoder.decode(packet),
  };
};
