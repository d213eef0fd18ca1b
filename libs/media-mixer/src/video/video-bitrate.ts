/**
 * The bitrate an encoder targets for one receiver, from what signalling negotiated:
 * SDP `b=TIAS` (RFC 3890: bit/s without IP/UDP/RTP overhead), SDP `b=AS` (RFC 4566 §5.8: kbit/s
 * including that overhead), and H.245 `maxBitRate` (H.245 VideoCapability: units of 100 bit/s).
 */
import { InvalidArgumentError } from '../errors';

/** IPv4 (20) + UDP (8) + RTP (12) header octets per packet (RFC 3890 §6.5 example overhead). */
export const PACKET_OVERHEAD_OCTETS = 40;

/** The limits one receiver announced, and the MCU's own policy. */
export interface BitrateLimits {
  /** `b=TIAS` of the media section in bit/s. */
  readonly tiasBps?: number;
  /** `b=AS` of the media section in kbit/s. */
  readonly asKbps?: number;
  /** H.245 maxBitRate in units of 100 bit/s. */
  readonly h245MaxBitRate?: number;
  /** Frame rate of the encode (frames/s), for the per-packet overhead estimate; default 25. */
  readonly frameRate?: number;
  /** RTP payload size in octets, for the per-packet overhead estimate; default 1200. */
  readonly maxPayloadSize?: number;
  /** Bitrate when the receiver announced nothing, in bit/s; default 768000. */
  readonly defaultBps?: number;
  /** The MCU's ceiling per encode in bit/s; default 2500000. */
  readonly ceilingBps?: number;
  /** Floor below which no picture is usable, in bit/s; default 32000. */
  readonly floorBps?: number;
}

/**
 * Target bitrate of the encoder in bit/s (payload only): the smallest of the announced limits
 * (TIAS as is; AS minus the estimated IP/UDP/RTP overhead; H.245 maxBitRate × 100), the default
 * when none is announced, clamped to [floor, ceiling].
 * @throws InvalidArgumentError when a given limit is negative or not finite.
 */
export function encoderBitrateBps(limits: BitrateLimits): number {
  const frameRate = limits.frameRate ?? 25;
  const maxPayloadSize = limits.maxPayloadSize ?? 1200;
  const floor = limits.floorBps ?? 32000;
  const ceiling = limits.ceilingBps ?? 2_500_000;
  const candidates: number[] = [];
  for (const [name, value] of [
    ['TIAS', limits.tiasBps],
    ['AS', limits.asKbps],
    ['maxBitRate', limits.h245MaxBitRate],
  ] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw new InvalidArgumentError(`${name} ${value}`);
  }
  if (limits.tiasBps !== undefined) candidates.push(limits.tiasBps);
  if (limits.asKbps !== undefined) candidates.push(withoutOverhead(limits.asKbps * 1000, frameRate, maxPayloadSize));
  if (limits.h245MaxBitRate !== undefined) candidates.push(limits.h245MaxBitRate * 100);
  const chosen = candidates.length > 0 ? Math.min(...candidates) : (limits.defaultBps ?? 768_000);
  return Math.round(Math.min(ceiling, Math.max(floor, chosen)));
}

/**
 * Payload bit/s left of a total that includes per-packet headers: packets per second are at least
 * one per frame, more when frames need several packets (RFC 3890 §6.5).
 */
function withoutOverhead(totalBps: number, frameRate: number, maxPayloadSize: number): number {
  const packetRate = frameRate + totalBps / (8 * maxPayloadSize);
  return totalBps - packetRate * PACKET_OVERHEAD_OCTETS * 8;
}
