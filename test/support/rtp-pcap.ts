/**
 * A pcap file of RTP packets carrying a PCMU tone, generated at test time so that SIPp's
 * `<exec play_pcap_audio="…"/>` plays our own media (no third-party capture is used).
 *
 * Layout (libpcap format, link type 1 = Ethernet): global header (24 octets), then per packet a record
 * header (16 octets) and Ethernet (14) + IPv4 (20, RFC 791) + UDP (8, RFC 768) + RTP (12, RFC 3550 §5.1)
 * + 160 octets of G.711 µ-law (20 ms at 8000 Hz, RFC 3551 §4.5.14). SIPp replaces addresses and ports
 * when it plays the file; only the UDP payload matters.
 */
import * as fs from 'node:fs';

/** What to generate. */
export interface RtpToneOptions {
  /** Length of the tone in ms (multiple of 20; default 3000). */
  durationMs?: number;
  /** Tone frequency in Hz (default 440). */
  frequencyHz?: number;
  /** RTP SSRC (default 0x7e55e7a). */
  ssrc?: number;
}

const SAMPLE_RATE = 8000;
const PTIME_MS = 20;
const SAMPLES_PER_PACKET = (SAMPLE_RATE * PTIME_MS) / 1000;
const PCMU_PAYLOAD_TYPE = 0;

/**
 * ITU-T G.711 µ-law encoding of one 16-bit linear sample (bias 0x84, clip 32635, bits inverted).
 *
 * @param sample linear PCM, −32768…32767
 * @returns one µ-law octet
 */
export function linearToMulaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** RFC 791 header checksum: one's complement of the one's-complement sum of 16-bit words. */
function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One Ethernet/IPv4/UDP frame around `payload` from 10.0.0.1:40000 to 10.0.0.2:40002. */
function frame(payload: Buffer, ipId: number): Buffer {
  const ethernet = Buffer.alloc(14);
  Buffer.from([0x02, 0, 0, 0, 0, 0x02]).copy(ethernet, 0); // destination MAC (locally administered)
  Buffer.from([0x02, 0, 0, 0, 0, 0x01]).copy(ethernet, 6); // source MAC
  ethernet.writeUInt16BE(0x0800, 12); // EtherType IPv4

  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(40002, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  udp.writeUInt16BE(0, 6); // checksum optional over IPv4 (RFC 768)

  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0); // version 4, IHL 5 words
  ip.writeUInt16BE(20 + udp.length + payload.length, 2);
  ip.writeUInt16BE(ipId & 0xffff, 4);
  ip.writeUInt8(64, 8); // TTL
  ip.writeUInt8(17, 9); // protocol UDP
  Buffer.from([10, 0, 0, 1]).copy(ip, 12);
  Buffer.from([10, 0, 0, 2]).copy(ip, 16);
  ip.writeUInt16BE(ipv4Checksum(ip), 10);

  return Buffer.concat([ethernet, ip, udp, payload]);
}

/**
 * Writes a pcap of `durationMs / 20` RTP packets (PT 0 PCMU, 20 ms apart, sequence and timestamp
 * increasing by 1 and 160) carrying a sine tone at −6 dBFS.
 *
 * @returns the number of RTP packets written
 * @throws Error when `durationMs` is not a positive multiple of 20, or the file cannot be written
 */
export function writeRtpTonePcap(file: string, options: RtpToneOptions = {}): number {
  const durationMs = options.durationMs ?? 3000;
  if (durationMs <= 0 || durationMs % PTIME_MS !== 0) {
    throw new Error(`durationMs must be a positive multiple of ${PTIME_MS}, got ${durationMs}`);
  }
  const frequency = options.frequencyHz ?? 440;
  const ssrc = options.ssrc ?? 0x07e55e7a;
  const packets = durationMs / PTIME_MS;

  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0); // magic, microsecond timestamps
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeInt32LE(0, 8); // thiszone
  global.writeUInt32LE(0, 12); // sigfigs
  global.writeUInt32LE(65535, 16); // snaplen
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const chunks: Buffer[] = [global];

  for (let n = 0; n < packets; n++) {
    const rtp = Buffer.alloc(12 + SAMPLES_PER_PACKET);
    rtp.writeUInt8(0x80, 0); // V=2, P=0, X=0, CC=0
    rtp.writeUInt8((n === 0 ? 0x80 : 0) | PCMU_PAYLOAD_TYPE, 1); // marker on the first packet of the talkspurt
    rtp.writeUInt16BE((1000 + n) & 0xffff, 2);
    rtp.writeUInt32BE((n * SAMPLES_PER_PACKET) >>> 0, 4);
    rtp.writeUInt32BE(ssrc >>> 0, 8);
    for (let i = 0; i < SAMPLES_PER_PACKET; i++) {
      const t = (n * SAMPLES_PER_PACKET + i) / SAMPLE_RATE;
      rtp[12 + i] = linearToMulaw(16384 * Math.sin(2 * Math.PI * frequency * t));
    }
    const data = frame(rtp, n);
    const record = Buffer.alloc(16);
    const usec = n * PTIME_MS * 1000;
    record.writeUInt32LE(Math.floor(usec / 1e6), 0);
    record.writeUInt32LE(usec % 1e6, 4);
    record.writeUInt32LE(data.length, 8);
    record.writeUInt32LE(data.length, 12);
    chunks.push(record, data);
  }
  fs.writeFileSync(file, Buffer.concat(chunks));
  return packets;
}
