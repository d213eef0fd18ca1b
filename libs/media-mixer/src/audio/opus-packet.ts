/**
 * Opus packet framing (RFC 6716 §3.1–3.2), enough to know how much audio a packet carries without
 * decoding it: the jitter buffer needs durations, because Opus packets may hold 2.5 to 120 ms.
 *
 *    0 1 2 3 4 5 6 7
 *   +-+-+-+-+-+-+-+-+
 *   | config  |s| c |     TOC byte: configuration (mode, bandwidth, frame size), stereo flag,
 *   +-+-+-+-+-+-+-+-+     frame count code c (0: 1 frame, 1 and 2: 2 frames, 3: count in byte 1)
 */
import { PacketFormatError } from '../errors';

/** Frame sizes in units of 1/400 s (2.5 ms) per configuration number (RFC 6716 Table 2). */
function frameUnits(config: number): number {
  if (config < 12) return [4, 8, 16, 24][config % 4]; // SILK-only: 10, 20, 40, 60 ms
  if (config < 16) return [4, 8][config % 2]; // Hybrid: 10, 20 ms
  return [1, 2, 4, 8][config % 4]; // CELT-only: 2.5, 5, 10, 20 ms
}

/** What the TOC byte (and frame count byte) of an Opus packet says. */
export interface OpusPacketInfo {
  /** Configuration number 0…31 (RFC 6716 Table 2). */
  config: number;
  /** True when the packet is coded in stereo. */
  stereo: boolean;
  /** Number of frames in the packet. */
  frames: number;
  /** Duration of the packet's audio in 48 kHz samples (the RTP clock of RFC 7587 §4.1). */
  samples48k: number;
}

/**
 * Reads the TOC of an Opus packet.
 * @throws PacketFormatError for an empty packet, a code-3 packet without its frame count byte, a
 *   frame count of zero, or a duration beyond 120 ms (RFC 6716 §3.2.5, R5).
 */
export function readOpusPacket(packet: Uint8Array): OpusPacketInfo {
  if (packet.length < 1) throw new PacketFormatError('Empty Opus packet');
  const toc = packet[0];
  const config = toc >> 3;
  const code = toc & 0x03;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 3) {
    if (packet.length < 2) throw new PacketFormatError('Opus code 3 packet without frame count');
    frames = packet[1] & 0x3f;
    if (frames === 0) throw new PacketFormatError('Opus code 3 packet with zero frames');
  } else frames = 2;
  const samples48k = frames * frameUnits(config) * 120;
  if (samples48k > 5760) throw new PacketFormatError('Opus packet longer than 120 ms');
  return { config, stereo: (toc & 0x04) !== 0, frames, samples48k };
}
