/**
 * Opus (RFC 7587) as an `AudioCodec`, on top of a libopus binding supplied by the caller. RTP runs
 * at 48 kHz whatever the audio bandwidth (RFC 7587 §4.1); the binding encodes and decodes at the
 * mixer's rate directly (libopus supports 8, 12, 16, 24 and 48 kHz), so no resampler is needed, and
 * a mono decoder downmixes stereo packets (mono/stereo decode, mono encode).
 *
 * The binding is injected so that this library does not pin an npm package: `@discordjs/opus`'s
 * `OpusEncoder` satisfies `OpusBinding` as is; `@evan/opus` does with its `Encoder` and `Decoder`.
 * A binding that also offers `decodeFec` lets a lost frame be rebuilt from the low-bitrate
 * redundancy (LBRR, RFC 6716 §2.1.7 and §4.2.4) that the sender put into the packet after it
 * (in-band FEC, RFC 7587 §3.3 `useinbandfec`).
 */
import { CodecError, InvalidArgumentError, PacketFormatError } from '../errors';
import type { AudioCodec } from './audio-codec';
import { type OpusPacketInfo, readOpusPacket } from './opus-packet';
import { PacketLossConcealer } from './packet-loss-concealment';

/** A libopus encoder/decoder pair created for mono at `sampleRate`. */
export interface OpusBinding {
  /** Encodes one frame (2.5–60 ms) of 16-bit little-endian mono PCM. */
  encode(pcm: Buffer): Uint8Array;
  /** Decodes one packet to 16-bit little-endian mono PCM. */
  decode(packet: Buffer): Uint8Array;
  /**
   * Decodes the frame before `nextPacket` from the LBRR data `nextPacket` carries (libopus
   * `opus_decode(…, decode_fec = 1)`, RFC 6716 §2.1.7), as 16-bit little-endian mono PCM of
   * `frameSamples` samples at the binding's rate. Optional: bindings without it get concealment.
   */
  decodeFec?(nextPacket: Buffer, frameSamples: number): Uint8Array;
  /** Releases the binding's libopus state; the binding is not used afterwards. Optional; idempotent. */
  close?(): void;
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
      return this.plc.accept(toPcm(this.binding.decode(payload)));
    } catch (error) {
      const reason = error instanceof PacketFormatError ? error.reason : (error as Error).message;
      throw new CodecError(`Opus decode failed: ${reason}`);
    }
  }

  /**
   * Rebuilds a lost frame of `samples` samples (at `sampleRate`) from the in-band FEC of the packet
   * that follows it (RFC 6716 §2.1.7; RFC 7587 §3.3). Undefined — conceal instead — when the binding
   * cannot decode FEC, `nextPacket` carries no LBRR data for its first frame (CELT-only packets
   * never do, RFC 6716 §3.1), or libopus rejects the packet. Must be called before `nextPacket` is
   * decoded itself, since libopus decodes the two in order.
   */
  recover(nextPacket: Buffer, samples: number): Int16Array | undefined {
    if (!this.binding.decodeFec || !OpusCodec.carriesFec(nextPacket)) return undefined;
    let pcm: Int16Array;
    try {
      pcm = toPcm(this.binding.decodeFec(nextPacket, samples));
    } catch {
      return undefined; // a packet libopus refuses here is counted when it is decoded in turn
    }
    if (pcm.length !== samples) return undefined;
    return this.plc.accept(pcm);
  }

  /** Releases the binding's libopus state (when it has a `close`). Idempotent as the binding is. */
  close(): void {
    this.binding.close?.();
  }

  /**
   * Does the first frame of this packet carry LBRR data (RFC 6716 §4.2.3, §4.2.4)? The SILK layer
   * (SILK-only and hybrid modes) opens with one VAD flag per 20 ms SILK frame and then the LBRR
   * flag, each range-coded with probability ½ — which, at the start of a range-coded frame
   * (RFC 6716 §4.1.1: the decoder skips the first bit), are the frame's bits 1, 2, … in order.
   */
  static carriesFec(packet: Uint8Array): boolean {
    let info: OpusPacketInfo;
    try {
      info = readOpusPacket(packet);
    } catch (error) {
      if (error instanceof PacketFormatError) return false;
      throw error;
    }
    if (info.config >= 16) return false; // CELT-only: no SILK layer
    const start = firstFrameOffset(packet);
    if (start === undefined || start >= packet.length) return false;
    const silkFrames = info.config < 12 ? [1, 1, 2, 3][info.config % 4] : 1; // 10/20/40/60 ms; hybrid: 10/20 ms
    const bit = 1 + silkFrames; // MSB-first bit index of the mid channel's LBRR flag
    return ((packet[start] >> (7 - bit)) & 1) === 1;
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

/** Copies s16le octets into samples (the binding's buffer may be reused or unaligned). */
function toPcm(bytes: Uint8Array): Int16Array {
  const pcm = new Int16Array(bytes.byteLength >> 1);
  Buffer.from(pcm.buffer).set(bytes.subarray(0, pcm.byteLength));
  return pcm;
}

/** Offset of the first frame's data (RFC 6716 §3.2.2–3.2.5), or undefined when the lengths run out. */
function firstFrameOffset(packet: Uint8Array): number | undefined {
  const code = packet[0] & 0x03;
  if (code === 0 || code === 1) return 1;
  if (code === 2) return packet.length > 1 && packet[1] >= 252 ? 3 : 2;
  const count = packet[1];
  let i = 2;
  if (count & 0x40) {
    // padding: each 255 adds 254 octets plus another length octet
    while (i < packet.length && packet[i] === 255) i++;
    i++;
  }
  if (count & 0x80) {
    for (let f = 0; f < (count & 0x3f) - 1; f++) {
      if (i >= packet.length) return undefined;
      i += packet[i] >= 252 ? 2 : 1;
    }
  }
  return i <= packet.length ? i : undefined;
}
