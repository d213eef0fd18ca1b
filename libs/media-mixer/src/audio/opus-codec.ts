/**
 * Opus (RFC 7587) as an `AudioCodec`, on top of a libopus binding supplied by the caller. RTP runs
 * at 48 kHz whatever the audio bandwidth (RFC 7587 §4.1); the binding encodes and decodes at the
 * mixer's rate directly (libopus supports 8, 12, 16, 24 and 48 kHz), so no resampler is needed, and
 * a mono decoder downmixes stereo packets (mono/stereo decode, mono encode).
 *
 * The binding is injected so that this library does not pin an npm package: `@discordjs/opus`'s
 * `OpusEncoder` satisfies `OpusBinding` as is; `@evan/opus` does with its `Encoder` and `Decoder`.
 */
import { CodecError, InvalidArgumentError, PacketFormatError } from '../errors';
import type { AudioCodec } from './audio-codec';
import { readOpusPacket } from './opus-packet';
import { PacketLossConcealer } from './packet-loss-concealment';

/** A libopus encoder/decoder pair created for mono at `sampleRate`. */
export interface OpusBinding {
  /** Encodes one frame (2.5–60 ms) of 16-bit little-endian mono PCM. */
  encode(pcm: Buffer): Uint8Array;
  /** Decodes one packet to 16-bit little-endian mono PCM. */
  decode(packet: Buffer): Uint8Array;
}

const OPUS_RATES = new Set([8000, 12000, 16000, 24000, 48000]);

/** Opus codec of one call leg. SDP `opus/48000/2`, dynamic payload type. */
export class OpusCodec implements AudioCodec {
  readonly name = 'opus';
  readonly clockRate = 48000;
  readonly channels = 1;
  private readonly plc: PacketLossConcealer;

  /**
   * @param binding libopus encoder and decoder, mono, created at `sampleRate`.
   * @param sampleRate PCM rate of the binding, Hz (default 16000, the mixer's rate).
   * @throws InvalidArgumentError for a rate libopus does not support.
   */
  constructor(
    private readonly binding: OpusBinding,
    readonly sampleRate = 16000,
  ) {
    if (!OPUS_RATES.has(sampleRate)) throw new InvalidArgumentError(`Opus does not run at ${sampleRate} Hz`);
    this.plc = new PacketLossConcealer(sampleRate);
  }

  /** Encodes one frame; 20 ms at 16 kHz is 320 samples. Errors of the binding become CodecError. */
  encode(pcm: Int16Array): Buffer {
    try {
      return Buffer.from(this.binding.encode(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)));
    } catch (error) {
      throw new CodecError(`Opus encode failed: ${(error as Error).message}`);
    }
  }

  /**
   * Decodes one packet (stereo packets are downmixed).
   * @throws CodecError for a packet whose TOC is invalid or that libopus rejects.
   */
  decode(payload: Buffer): Int16Array {
    try {
      readOpusPacket(payload);
      const bytes = this.binding.decode(payload);
      const pcm = new Int16Array(bytes.byteLength >> 1);
      Buffer.from(pcm.buffer).set(bytes.subarray(0, pcm.byteLength)); // copy: the binding's buffer may be reused or unaligned
      return this.plc.accept(pcm);
    } catch (error) {
      const reason = error instanceof PacketFormatError ? error.reason : (error as Error).message;
      throw new CodecError(`Opus decode failed: ${reason}`);
    }
  }

  /** Waveform substitution for `samples` missing samples at `sampleRate`. */
  conceal(samples: number): Int16Array {
    return this.plc.conceal(samples);
  }

  /** Duration of a payload in RTP units (48 kHz), or undefined when its TOC is invalid. */
  static durationOf(payload: Uint8Array): number | undefined {
    try {
      return readOpusPacket(payload).samples48k;
    } catch (error) {
      if (error instanceof PacketFormatError) return undefined;
      throw error;
    }
  }
}
