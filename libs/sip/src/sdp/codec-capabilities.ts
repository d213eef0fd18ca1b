/**
 * The codecs the MCU can receive and send, as RTP payload formats (RFC 3551 §6, RFC 7587, RFC 6184,
 * RFC 7741, RFC 4629, RFC 2190, RFC 4587, RFC 4733), and the matching of offered `a=rtpmap`/`a=fmtp`
 * lines against them.
 */
import { answerH264, parseFmtpParameters, type H264Support } from './h264-parameters';

/** Kind of an m-line the MCU handles. */
export type MediaKind = 'audio' | 'video';

/** One payload format the local side supports. */
export interface CodecCapability {
  kind: MediaKind;
  /** Encoding name as registered (RFC 4855), e.g. `PCMU`, `opus`, `H264`; matched case-insensitively. */
  name: string;
  /** RTP clock rate in Hz (G.722 uses 8000 per RFC 3551 §4.5.2 although it samples at 16 kHz). */
  clockRate: number;
  /** Audio channels (1 unless stated; opus is always written `/2`, RFC 7587 §7). */
  channels: number;
  /** The static payload type of RFC 3551 Table 4/5, when the format has one. */
  staticPayloadType?: number;
  /** Dynamic payload type (96..127) used when the local side makes the offer. */
  offerPayloadType?: number;
  /** fmtp config written in a local offer. */
  offerFmtp?: string;
  /**
   * Decide on an offered fmtp config: return the config to put in the answer (`''` for none), or
   * `undefined` when the offered parameters cannot be accepted. Absent: any parameters are accepted
   * and the answer carries no fmtp.
   */
  answerFmtp?: (offered: string | undefined) => string | undefined;
}

/** Name of the RFC 4733 payload format, negotiated alongside the audio codec. */
export const TELEPHONE_EVENT = 'telephone-event';

/** Payload formats with static payload types (RFC 3551 Tables 4 and 5) that may arrive without rtpmap. */
export const STATIC_PAYLOAD_TYPES: Readonly<Record<number, { name: string; clockRate: number; channels: number }>> = {
  0: { name: 'PCMU', clockRate: 8000, channels: 1 },
  3: { name: 'GSM', clockRate: 8000, channels: 1 },
  4: { name: 'G723', clockRate: 8000, channels: 1 },
  5: { name: 'DVI4', clockRate: 8000, channels: 1 },
  6: { name: 'DVI4', clockRate: 16000, channels: 1 },
  7: { name: 'LPC', clockRate: 8000, channels: 1 },
  8: { name: 'PCMA', clockRate: 8000, channels: 1 },
  9: { name: 'G722', clockRate: 8000, channels: 1 },
  10: { name: 'L16', clockRate: 44100, channels: 2 },
  11: { name: 'L16', clockRate: 44100, channels: 1 },
  12: { name: 'QCELP', clockRate: 8000, channels: 1 },
  13: { name: 'CN', clockRate: 8000, channels: 1 },
  14: { name: 'MPA', clockRate: 90000, channels: 1 },
  15: { name: 'G728', clockRate: 8000, channels: 1 },
  18: { name: 'G729', clockRate: 8000, channels: 1 },
  25: { name: 'CelB', clockRate: 90000, channels: 1 },
  26: { name: 'JPEG', clockRate: 90000, channels: 1 },
  28: { name: 'nv', clockRate: 90000, channels: 1 },
  31: { name: 'H261', clockRate: 90000, channels: 1 },
  32: { name: 'MPV', clockRate: 90000, channels: 1 },
  33: { name: 'MP2T', clockRate: 90000, channels: 1 },
  34: { name: 'H263', clockRate: 90000, channels: 1 },
};

/** H.264 as the MCU handles it: Baseline/Main/High up to level 3.1, packetization modes 0 and 1. */
export const H264_SUPPORT: H264Support = { profiles: [0x42, 0x4d, 0x64], maxLevelIdc: 0x1f, packetizationModes: [0, 1] };

/**
 * Picture sizes the MCU receives in H.263 and H.261 (RFC 4629 §8.1.1, RFC 4587 §6.1: `<size>=<MPI>`,
 * the minimum picture interval in units of 1/29.97 s): CIF and QCIF at up to 29.97 pictures/s.
 */
export const H263_RECEIVE_FMTP = 'CIF=1;QCIF=1';

/**
 * Answer an offered H.263-2000 payload type (RFC 4629 §8.1.2): only the baseline profile (0, the
 * default) is accepted, since the MCU codes plain H.263+ pictures.
 */
function answerH2632000(offered: string | undefined): string | undefined {
  const profile = parseFmtpParameters(offered).get('profile');
  return profile === undefined || profile === '0' ? H263_RECEIVE_FMTP : undefined;
}

/** Events 0-15 (DTMF digits, * # A-D) are what the MCU understands (RFC 4733 §3.2). */
function answerTelephoneEvent(): string {
  return '0-15';
}

/**
 * The default local capabilities, in the order used for a local offer: G.711 µ-law and A-law, G.722,
 * opus, RFC 4733 events; H.264 (packetization modes 1 and 0), VP8, H.263-1998 (RFC 4629), H.263
 * (RFC 2190, static 34), H.261 (RFC 4587, static 31). H.263-2000 is accepted but not offered.
 * Callers filter the list by what their media plane runs (ffmpeg's build).
 */
export const DEFAULT_CODECS: readonly CodecCapability[] = [
  { kind: 'audio', name: 'PCMU', clockRate: 8000, channels: 1, staticPayloadType: 0 },
  { kind: 'audio', name: 'PCMA', clockRate: 8000, channels: 1, staticPayloadType: 8 },
  { kind: 'audio', name: 'G722', clockRate: 8000, channels: 1, staticPayloadType: 9 },
  { kind: 'audio', name: 'opus', clockRate: 48000, channels: 2, offerPayloadType: 111, offerFmtp: 'useinbandfec=1' },
  {
    kind: 'audio',
    name: TELEPHONE_EVENT,
    clockRate: 8000,
    channels: 1,
    offerPayloadType: 101,
    offerFmtp: '0-15',
    answerFmtp: answerTelephoneEvent,
  },
  {
    kind: 'video',
    name: 'H264',
    clockRate: 90000,
    channels: 1,
    offerPayloadType: 96,
    offerFmtp: 'profile-level-id=42e01f;packetization-mode=1',
    answerFmtp: (offered) => answerH264(offered, H264_SUPPORT),
  },
  {
    kind: 'video',
    name: 'H264',
    clockRate: 90000,
    channels: 1,
    offerPayloadType: 97,
    offerFmtp: 'profile-level-id=42e01f',
    answerFmtp: (offered) => answerH264(offered, H264_SUPPORT),
  },
  { kind: 'video', name: 'VP8', clockRate: 90000, channels: 1, offerPayloadType: 98 },
  { kind: 'video', name: 'H263-1998', clockRate: 90000, channels: 1, offerPayloadType: 99, offerFmtp: H263_RECEIVE_FMTP, answerFmtp: () => H263_RECEIVE_FMTP },
  { kind: 'video', name: 'H263-2000', clockRate: 90000, channels: 1, answerFmtp: answerH2632000 },
  { kind: 'video', name: 'H263', clockRate: 90000, channels: 1, staticPayloadType: 34, offerFmtp: H263_RECEIVE_FMTP, answerFmtp: () => H263_RECEIVE_FMTP },
  { kind: 'video', name: 'H261', clockRate: 90000, channels: 1, staticPayloadType: 31, offerFmtp: H263_RECEIVE_FMTP, answerFmtp: () => H263_RECEIVE_FMTP },
];

/** An offered payload type resolved to its encoding (from `a=rtpmap`, or RFC 3551 for static types). */
export interface OfferedFormat {
  payloadType: number;
  /** Encoding name as written (case kept). */
  name: string;
  clockRate: number;
  channels: number;
  /** The `a=fmtp` config of this payload type, if any. */
  fmtp?: string;
}

/**
 * Whether an offered format is the given capability: same encoding name (case-insensitive, RFC 4855 §3)
 * and clock rate; channel counts are compared for audio except for opus (always `/2`, RFC 7587 §7,
 * though some agents omit it).
 */
export function sameEncoding(offered: OfferedFormat, cap: CodecCapability): boolean {
  if (offered.name.toLowerCase() !== cap.name.toLowerCase()) return false;
  if (cap.name.toLowerCase() === 'opus') return offered.clockRate === 48000;
  if (cap.name.toLowerCase() === 'g722') return offered.clockRate === 8000 || offered.clockRate === 16000;
  // RFC 4733 §2.1 asks for the audio codec's rate; agents offering opus often add telephone-event/48000.
  if (cap.name === TELEPHONE_EVENT) return offered.clockRate === 8000 || offered.clockRate === 48000;
  if (offered.clockRate !== cap.clockRate) return false;
  return cap.kind !== 'audio' || offered.channels === cap.channels;
}

/**
 * Match one offered format against the capabilities of its kind.
 * @returns the capability and the fmtp config for the answer (`''` for none), or `undefined`.
 */
export function matchCapability(
  offered: OfferedFormat,
  capabilities: readonly CodecCapability[],
): { capability: CodecCapability; answerFmtp: string } | undefined {
  for (const cap of capabilities) {
    if (!sameEncoding(offered, cap)) continue;
    if (!cap.answerFmtp) return { capability: cap, answerFmtp: '' };
    const fmtp = cap.answerFmtp(offered.fmtp);
    if (fmtp !== undefined) return { capability: cap, answerFmtp: fmtp };
  }
  return undefined;
}
