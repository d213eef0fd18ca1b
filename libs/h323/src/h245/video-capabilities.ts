/**
 * Video capabilities in H.245 terms (H.245 §6.2.8 VideoCapability; H.245 Annex B.2.2.3): H.263 as
 * `h263VideoCapability` (minimum picture intervals per picture size, maxBitRate) and H.264 as
 * `genericVideoCapability` per H.241 §8.3 (capabilityIdentifier 0.0.8.241.0.0.1, collapsing parameters profile
 * (41) and level (42), maxBitRate). Both directions: the same description builds our TerminalCapabilitySet
 * entries and OpenLogicalChannel data types, and is parsed back out of the remote's.
 *
 * Bit rates are in H.245's unit, 100 bit/s. Picture intervals (MPI) are in units of 1/29.97 s (1 = 29.97
 * pictures/s, 2 = 14.985, …; H.263 §5.1.3).
 */
import type { H245Types } from '../asn1/generated';

/** Video codecs the MCU announces and accepts on H.323. */
export type VideoCodecName = 'h264' | 'h263';

/** Every video codec, in the default preference order (H.264 first, H.263 for older endpoints). */
export const VIDEO_CODECS: readonly VideoCodecName[] = ['h264', 'h263'];

/** capabilityIdentifier of H.264 in genericVideoCapability (H.241 §8.3.1). */
export const H241_H264_CAPABILITY_OID = '0.0.8.241.0.0.1';
/** payloadDescriptor OIDs of the H.264 RTP packetization modes in mediaPacketization (H.241 §8.3.2). */
export const H241_SINGLE_NAL_OID = '0.0.8.241.0.0.0.0';
export const H241_NON_INTERLEAVED_OID = '0.0.8.241.0.0.0.1';
/** ParameterIdentifier standard values of H.241 Table 8-4: profile (booleanArray) and level (unsignedMin). */
export const H241_PARAMETER_PROFILE = 41;
export const H241_PARAMETER_LEVEL = 42;
/** H.241 profile booleanArray value of the Baseline profile (bit 1 of the array, value 64; H.241 Table 8-5). */
export const H241_PROFILE_BASELINE = 64;
/** RTP static payload type of H.263 (RFC 3551 §6, RFC 2190). */
export const H263_STATIC_PAYLOAD_TYPE = 34;

/** One video capability, as we announce it or understood from the remote. */
export interface VideoCapabilityDescription {
  readonly codec: VideoCodecName;
  /** maxBitRate, units of 100 bit/s (1..19200 for H.263; 1..2^32−1 for generic capabilities). */
  readonly maxBitRate: number;
  /** H.263: minimum picture interval (1..32, in 1/29.97 s) per supported size; absent = size not supported. */
  readonly sqcifMPI?: number;
  readonly qcifMPI?: number;
  readonly cifMPI?: number;
  /** H.264: H.241 profile booleanArray (64 Baseline) and H.241 level (e.g. 29 = 1.2, 36 = 1.3, 64 = 3, 71 = 3.1). */
  readonly profile?: number;
  readonly level?: number;
}

/** H.241 level value (Table 8-6) → H.264 level_idc (Annex A); 1b is given as 11 with the constraint flag. */
const H241_LEVEL_IDC: ReadonlyArray<readonly [number, number]> = [
  [15, 10],
  [19, 11],
  [22, 11],
  [29, 12],
  [36, 13],
  [43, 20],
  [50, 21],
  [57, 22],
  [64, 30],
  [71, 31],
  [78, 32],
  [85, 40],
  [92, 41],
  [99, 42],
  [106, 50],
  [113, 51],
];

/**
 * The RFC 6184 profile-level-id (6 hex digits) for an H.241 level, Constrained Baseline (42e0xx): the largest
 * level_idc whose H.241 value does not exceed `level`; level 1 (0a) below 22.
 */
export function profileLevelIdOf(level: number | undefined): string {
  let idc = 10;
  for (const [h241, levelIdc] of H241_LEVEL_IDC) if (level !== undefined && h241 <= level) idc = levelIdc;
  return `42e0${idc.toString(16).padStart(2, '0')}`;
}

/**
 * The H.245 VideoCapability of a description (H.245 §6.2.8; H.241 §8.3 for H.264).
 * @throws RangeError when maxBitRate is not a positive integer, or an H.263 description names no picture size.
 */
export function videoCapability(d: VideoCapabilityDescription): H245Types.VideoCapability {
  if (!Number.isInteger(d.maxBitRate) || d.maxBitRate < 1) throw new RangeError(`maxBitRate must be a positive integer (100 bit/s), got ${d.maxBitRate}`);
  if (d.codec === 'h263') {
    if (d.sqcifMPI === undefined && d.qcifMPI === undefined && d.cifMPI === undefined) throw new RangeError('an H.263 capability needs at least one picture size');
    return {
      tag: 'h263VideoCapability',
      value: {
        ...(d.sqcifMPI === undefined ? {} : { sqcifMPI: d.sqcifMPI }),
        ...(d.qcifMPI === undefined ? {} : { qcifMPI: d.qcifMPI }),
        ...(d.cifMPI === undefined ? {} : { cifMPI: d.cifMPI }),
        maxBitRate: Math.min(d.maxBitRate, 19200),
        unrestrictedVector: false,
        arithmeticCoding: false,
        advancedPrediction: false,
        pbFrames: false,
        temporalSpatialTradeOffCapability: false,
        errorCompensation: false,
      },
    };
  }
  return {
    tag: 'genericVideoCapability',
    value: {
      capabilityIdentifier: { tag: 'standard', value: H241_H264_CAPABILITY_OID },
      maxBitRate: d.maxBitRate,
      collapsing: [
        { parameterIdentifier: { tag: 'standard', value: H241_PARAMETER_PROFILE }, parameterValue: { tag: 'booleanArray', value: d.profile ?? H241_PROFILE_BASELINE } },
        { parameterIdentifier: { tag: 'standard', value: H241_PARAMETER_LEVEL }, parameterValue: { tag: 'unsignedMin', value: d.level ?? 29 } },
      ],
    },
  };
}

/**
 * Reads a VideoCapability we understand (H.263; H.264 generic capability per H.241) back into a description;
 * undefined for anything else (H.261, H.262, non-standard, another generic capability, Baseline not in the
 * profile set). Never throws.
 */
export function parseVideoCapability(v: H245Types.VideoCapability): VideoCapabilityDescription | undefined {
  if (v.tag === 'h263VideoCapability') {
    const c = v.value;
    if (c.sqcifMPI === undefined && c.qcifMPI === undefined && c.cifMPI === undefined) return undefined;
    return {
      codec: 'h263',
      maxBitRate: c.maxBitRate,
      ...(c.sqcifMPI === undefined ? {} : { sqcifMPI: c.sqcifMPI }),
      ...(c.qcifMPI === undefined ? {} : { qcifMPI: c.qcifMPI }),
      ...(c.cifMPI === undefined ? {} : { cifMPI: c.cifMPI }),
    };
  }
  if (v.tag === 'genericVideoCapability') {
    const g = v.value;
    if (g.capabilityIdentifier.tag !== 'standard' || g.capabilityIdentifier.value !== H241_H264_CAPABILITY_OID) return undefined;
    let profile: number | undefined;
    let level: number | undefined;
    for (const p of [...(g.collapsing ?? []), ...(g.nonCollapsing ?? [])]) {
      if (p.parameterIdentifier.tag !== 'standard') continue;
      const value = p.parameterValue.tag === '$unknown' ? undefined : p.parameterValue.value;
      if (typeof value !== 'number') continue;
      if (p.parameterIdentifier.value === H241_PARAMETER_PROFILE) profile = value;
      else if (p.parameterIdentifier.value === H241_PARAMETER_LEVEL) level = value;
    }
    // H.241 §8.3.2.1: profile is mandatory; we decode Baseline only (Constrained Baseline is a subset).
    if (profile === undefined || (profile & H241_PROFILE_BASELINE) === 0) return undefined;
    return { codec: 'h264', maxBitRate: g.maxBitRate ?? 0, profile, level: level ?? 15 };
  }
  return undefined;
}

/** Picture size, pixels, of an H.263 description: CIF (352×288) when CIF is allowed (or nothing says), else QCIF, else SQCIF. */
export function h263PictureSize(d: Pick<VideoCapabilityDescription, 'sqcifMPI' | 'qcifMPI' | 'cifMPI'>): { width: number; height: number } {
  if (d.cifMPI !== undefined) return { width: 352, height: 288 };
  if (d.qcifMPI !== undefined) return { width: 176, height: 144 };
  if (d.sqcifMPI !== undefined) return { width: 128, height: 96 };
  return { width: 352, height: 288 };
}

/**
 * What we send on a video channel to a receiver that announced `remote`, given what we can send (`local`): the
 * lower of the two maxBitRates, H.263 the picture sizes both have (the larger MPI of each), H.264 Baseline at the
 * lower level. Undefined when the codecs differ or H.263 has no size in common.
 */
export function intersectVideo(local: VideoCapabilityDescription, remote: VideoCapabilityDescription): VideoCapabilityDescription | undefined {
  if (local.codec !== remote.codec) return undefined;
  const maxBitRate = remote.maxBitRate > 0 ? Math.min(local.maxBitRate, remote.maxBitRate) : local.maxBitRate;
  if (local.codec === 'h263') {
    const pick = (a?: number, b?: number): number | undefined => (a === undefined || b === undefined ? undefined : Math.max(a, b));
    const sqcifMPI = pick(local.sqcifMPI, remote.sqcifMPI);
    const qcifMPI = pick(local.qcifMPI, remote.qcifMPI);
    const cifMPI = pick(local.cifMPI, remote.cifMPI);
    if (sqcifMPI === undefined && qcifMPI === undefined && cifMPI === undefined) return undefined;
    return { codec: 'h263', maxBitRate, ...(sqcifMPI === undefined ? {} : { sqcifMPI }), ...(qcifMPI === undefined ? {} : { qcifMPI }), ...(cifMPI === undefined ? {} : { cifMPI }) };
  }
  return { codec: 'h264', maxBitRate, profile: H241_PROFILE_BASELINE, level: Math.min(local.level ?? 29, remote.level ?? 15) };
}

/**
 * Chooses the codec of our transmit video channel: the first of `preference` (default H.264, then H.263) that
 * both we can send and the remote can receive, intersected ({@link intersectVideo}).
 */
export function chooseTransmitVideo(
  local: readonly VideoCapabilityDescription[],
  remoteReceive: readonly VideoCapabilityDescription[],
  preference: readonly VideoCodecName[] = VIDEO_CODECS,
): VideoCapabilityDescription | undefined {
  for (const codec of preference) {
    const ours = local.find((c) => c.codec === codec);
    if (!ours) continue;
    for (const theirs of remoteReceive.filter((c) => c.codec === codec)) {
      const both = intersectVideo(ours, theirs);
      if (both) return both;
    }
  }
  return undefined;
}

/** The H.264 packetization mode a mediaPacketization names (H.241 §8.3.2); 0 (single NAL unit) when absent. */
export function packetizationModeOf(mediaPacketization: H245Types.H2250LogicalChannelParameters['mediaPacketization']): 0 | 1 | undefined {
  if (mediaPacketization === undefined) return 0;
  if (mediaPacketization.tag !== 'rtpPayloadType') return undefined;
  const d = mediaPacketization.value.payloadDescriptor;
  if (d.tag !== 'oid') return undefined;
  if (d.value === H241_SINGLE_NAL_OID) return 0;
  if (d.value === H241_NON_INTERLEAVED_OID) return 1;
  return undefined;
}

/** The mediaPacketization of an H.264 channel in `mode` with dynamic payload type `payloadType` (H.241 §8.3.2). */
export function h264MediaPacketization(mode: 0 | 1, payloadType: number): NonNullable<H245Types.H2250LogicalChannelParameters['mediaPacketization']> {
  return { tag: 'rtpPayloadType', value: { payloadDescriptor: { tag: 'oid', value: mode === 1 ? H241_NON_INTERLEAVED_OID : H241_SINGLE_NAL_OID }, payloadType } };
}
