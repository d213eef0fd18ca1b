/**
 * H.264 SDP format parameters (RFC 6184 §8.1): `sprop-parameter-sets` (the SPS and PPS in base64,
 * comma separated) and `profile-level-id` (three octets in hex: profile_idc, profile-iop, level_idc).
 */
import { CodecError } from '../errors';
import { NalUnitType, nalUnitType } from './h264-nal-unit';

/** The parameter sets a decoder needs before the first IDR. */
export interface H264ParameterSets {
  /** Sequence parameter set NAL units (type 7), header included. */
  readonly sps: readonly Buffer[];
  /** Picture parameter set NAL units (type 8), header included. */
  readonly pps: readonly Buffer[];
}

/**
 * Parses `sprop-parameter-sets` (RFC 6184 §8.1): comma-separated base64 NAL units. Entries that are
 * neither SPS nor PPS are ignored, as are empty entries.
 * @throws CodecError for an entry that is not base64.
 */
export function parseSpropParameterSets(value: string): H264ParameterSets {
  const sps: Buffer[] = [];
  const pps: Buffer[] = [];
  for (const entry of value.split(',')) {
    const text = entry.trim();
    if (text === '') continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new CodecError(`sprop-parameter-sets entry is not base64: ${text}`);
    const nal = Buffer.from(text, 'base64');
    const type = nalUnitType(nal);
    if (type === NalUnitType.Sps) sps.push(nal);
    else if (type === NalUnitType.Pps) pps.push(nal);
  }
  return { sps, pps };
}

/** Formats parameter sets as `sprop-parameter-sets`: SPS first, then PPS (RFC 6184 §8.1). */
export function formatSpropParameterSets(sets: H264ParameterSets): string {
  return [...sets.sps, ...sets.pps].map((nal) => nal.toString('base64')).join(',');
}

/** H.264 profiles named by RFC 6184 Table 5 (and RFC 6184 §8.1 for the level rules). */
export type H264Profile = 'constrained-baseline' | 'baseline' | 'main' | 'extended' | 'high' | 'other';

/** A decoded `profile-level-id`. */
export interface ProfileLevelId {
  /** profile_idc (e.g. 0x42 Baseline, 0x4d Main, 0x64 High). */
  readonly profileIdc: number;
  /** profile-iop: constraint_set0..5 flags and two reserved zero bits (H.264 §7.4.2.1.1). */
  readonly profileIop: number;
  /** level_idc (e.g. 31 for level 3.1); level 1b is reported as `level: '1b'`. */
  readonly levelIdc: number;
  /** The profile the three octets denote. */
  readonly profile: H264Profile;
  /** Level as H.264 writes it: '1b', '1', '1.1', … '3.1', … '5.2'. */
  readonly level: string;
}

/** Constrained Baseline, level 3.1: what the MCU offers and expects at least. */
export const CONSTRAINED_BASELINE_3_1 = '42e01f';

/**
 * Parses `profile-level-id` (RFC 6184 §8.1, six hex digits). The profile follows RFC 6184 Table 5:
 * Constrained Baseline is profile_idc 0x42 with constraint_set1, 0x4d with constraint_set0, or
 * 0x58 with constraint_set0 and constraint_set1 (the other flags as listed there).
 * @throws CodecError when the value is not six hex digits.
 */
export function parseProfileLevelId(value: string): ProfileLevelId {
  if (!/^[0-9a-fA-F]{6}$/.test(value)) throw new CodecError(`profile-level-id must be six hex digits: ${value}`);
  const profileIdc = parseInt(value.slice(0, 2), 16);
  const profileIop = parseInt(value.slice(2, 4), 16);
  const levelIdc = parseInt(value.slice(4, 6), 16);
  const set3 = (profileIop & 0x10) !== 0;
  return { profileIdc, profileIop, levelIdc, profile: profileOf(profileIdc, profileIop), level: levelName(profileIdc, levelIdc, set3) };
}

/** Formats the three octets as six lowercase hex digits. */
export function formatProfileLevelId(profileIdc: number, profileIop: number, levelIdc: number): string {
  return [profileIdc, profileIop, levelIdc].map((v) => (v & 0xff).toString(16).padStart(2, '0')).join('');
}

/**
 * True when a decoder of Constrained Baseline can decode a stream of this `profile-level-id`
 * (the profile is Constrained Baseline), i.e. the MCU's H.264 encoder output is acceptable to it
 * and its output is decodable with the MCU's baseline expectations.
 */
export function isConstrainedBaseline(value: string): boolean {
  try {
    return parseProfileLevelId(value).profile === 'constrained-baseline';
  } catch (err) {
    if (err instanceof CodecError) return false;
    throw err;
  }
}

function profileOf(idc: number, iop: number): H264Profile {
  const masked = (mask: number, value: number): boolean => (iop & mask) === value;
  // RFC 6184 Table 5: profile_idc, profile-iop mask (x = don't care).
  if (idc === 0x42 && masked(0x4f, 0x40)) return 'constrained-baseline'; // x1xx0000
  if (idc === 0x4d && masked(0x8f, 0x80)) return 'constrained-baseline'; // 1xxx0000
  if (idc === 0x58 && masked(0xcf, 0xc0)) return 'constrained-baseline'; // 11xx0000
  if (idc === 0x42 && masked(0x4f, 0x00)) return 'baseline'; // x0xx0000
  if (idc === 0x58 && masked(0xcf, 0x80)) return 'baseline'; // 10xx0000
  if (idc === 0x4d && masked(0xaf, 0x00)) return 'main'; // 0x0x0000
  if (idc === 0x58 && masked(0xff, 0x00)) return 'extended'; // 00000000
  if (idc === 0x64 && iop === 0) return 'high';
  return 'other';
}

function levelName(idc: number, levelIdc: number, set3: boolean): string {
  // Level 1b: level_idc 11 with constraint_set3 in Baseline, Main and Extended (H.264 §7.4.2.1.1),
  // level_idc 9 in the other profiles.
  const lowProfile = idc === 0x42 || idc === 0x4d || idc === 0x58;
  if ((lowProfile && levelIdc === 11 && set3) || levelIdc === 9) return '1b';
  return levelIdc % 10 === 0 ? String(levelIdc / 10) : `${Math.floor(levelIdc / 10)}.${levelIdc % 10}`;
}
