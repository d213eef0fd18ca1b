/**
 * H.264 payload format parameters in SDP (RFC 6184 §8.1) and their offer/answer rules (RFC 6184 §8.2.2).
 *
 *   a=fmtp:<pt> profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1
 *
 * `profile-level-id` is three octets in hex: profile_idc, profile-iop (constraint flags), level_idc
 * (RFC 6184 §8.1, H.264 Table A-1). Absent, it means 42000a (Baseline, level 1.0). `packetization-mode`
 * absent means 0 (single NAL unit mode).
 */

/** Parsed H.264 format parameters of one payload type. */
export interface H264Parameters {
  /** profile_idc (H.264 §7.4.2.1.1): 0x42 Baseline, 0x4d Main, 0x58 Extended, 0x64 High, … */
  profileIdc: number;
  /** profile-iop: constraint_set0..5 flags in the high bits. */
  profileIop: number;
  /** level_idc: ten times the level number (0x1f = 31 = level 3.1). */
  levelIdc: number;
  /** 0 single NAL unit, 1 non-interleaved, 2 interleaved (RFC 6184 §6). */
  packetizationMode: number;
  /** `level-asymmetry-allowed=1` (RFC 6184 §8.1). */
  levelAsymmetryAllowed: boolean;
  /** `sprop-parameter-sets`: the sender's SPS and PPS, base64, comma separated (RFC 6184 §8.1). */
  spropParameterSets?: string;
}

/** The default profile-level-id when none is given: Baseline, level 1.0 (RFC 6184 §8.1). */
const DEFAULT_PROFILE_LEVEL_ID = 0x42000a;

/** Split an fmtp config (`a=1;b=2; c=3`) into lower-case names and raw values. */
export function parseFmtpParameters(config: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!config) return out;
  for (const part of config.split(';')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq < 0) out.set(item.toLowerCase(), '');
    else out.set(item.slice(0, eq).trim().toLowerCase(), item.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Read the H.264 parameters of an fmtp config; `undefined` config yields the defaults.
 * Returns `undefined` when a value is malformed (such a payload type is not used, RFC 6184 §8.2.2).
 */
export function parseH264Parameters(config: string | undefined): H264Parameters | undefined {
  const params = parseFmtpParameters(config);
  let pli = DEFAULT_PROFILE_LEVEL_ID;
  const pliText = params.get('profile-level-id');
  if (pliText !== undefined) {
    if (!/^[0-9a-fA-F]{6}$/.test(pliText)) return undefined;
    pli = parseInt(pliText, 16);
  }
  let packetizationMode = 0;
  const pm = params.get('packetization-mode');
  if (pm !== undefined) {
    if (!/^[0-2]$/.test(pm)) return undefined;
    packetizationMode = Number(pm);
  }
  return {
    profileIdc: (pli >> 16) & 0xff,
    profileIop: (pli >> 8) & 0xff,
    levelIdc: pli & 0xff,
    packetizationMode,
    levelAsymmetryAllowed: params.get('level-asymmetry-allowed') === '1',
    ...(params.get('sprop-parameter-sets') ? { spropParameterSets: params.get('sprop-parameter-sets') } : {}),
  };
}

/** Format profile-level-id as six lower-case hex digits. */
export function formatProfileLevelId(p: Pick<H264Parameters, 'profileIdc' | 'profileIop' | 'levelIdc'>): string {
  return [p.profileIdc, p.profileIop, p.levelIdc].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the local side can receive and send of H.264. */
export interface H264Support {
  /** profile_idc values accepted (e.g. 0x42, 0x4d, 0x64). */
  profiles: readonly number[];
  /** Highest level_idc supported (0x1f = level 3.1). */
  maxLevelIdc: number;
  /** Packetization modes supported. */
  packetizationModes: readonly number[];
}

/**
 * Answer one offered H.264 payload type (RFC 6184 §8.2.2): the profile must be one we support and stay
 * the same in the answer; the level is the lower of the offered one and ours; the packetization mode is
 * echoed when supported.
 * @returns the fmtp config for the answer, or `undefined` when this payload type cannot be accepted.
 */
export function answerH264(offeredConfig: string | undefined, support: H264Support): string | undefined {
  const offered = parseH264Parameters(offeredConfig);
  if (!offered) return undefined;
  if (!support.profiles.includes(offered.profileIdc)) return undefined;
  if (!support.packetizationModes.includes(offered.packetizationMode)) return undefined;
  const levelIdc = Math.min(offered.levelIdc, support.maxLevelIdc);
  const parts = [`profile-level-id=${formatProfileLevelId({ ...offered, levelIdc })}`];
  if (offered.packetizationMode !== 0) parts.push(`packetization-mode=${offered.packetizationMode}`);
  if (offered.levelAsymmetryAllowed) parts.push('level-asymmetry-allowed=1');
  return parts.join(';');
}
