/**
 * RTCP transmission interval (RFC 3550 §6.3.1 and the rtcp_interval() of §A.7): the deterministic
 * interval from session size and RTCP bandwidth, at least 5 s (2.5 s before the first report),
 * randomized over [0.5, 1.5] and divided by e − 3/2 to compensate for timer reconsideration.
 */

/** Inputs of the interval computation. */
export interface RtcpIntervalInput {
  /** Participants in the session, including us (2 for a call leg). */
  members: number;
  /** Participants that sent RTP recently, including us if we did. */
  senders: number;
  /** Whether we sent RTP since the report before last. */
  weSent: boolean;
  /** RTCP bandwidth in octets per second (5 % of the session bandwidth, §6.2). */
  rtcpBandwidth: number;
  /** Average compound RTCP packet size in octets, UDP and IP headers included (§6.3.3). */
  averagePacketSize: number;
  /** True before the first report is sent. */
  initial: boolean;
  /** A uniform random number in [0, 1). */
  random: number;
}

const RTCP_MIN_TIME_S = 5;
const SENDER_FRACTION = 0.25;
const COMPENSATION = Math.E - 1.5;

/** @returns the delay until the next compound RTCP packet, in milliseconds. */
export function rtcpIntervalMs(input: RtcpIntervalInput): number {
  const minTime = input.initial ? RTCP_MIN_TIME_S / 2 : RTCP_MIN_TIME_S;
  let n = input.members;
  let bandwidth = input.rtcpBandwidth;
  if (input.senders <= input.members * SENDER_FRACTION) {
    if (input.weSent) {
      bandwidth *= SENDER_FRACTION;
      n = input.senders;
    } else {
      bandwidth *= 1 - SENDER_FRACTION;
      n -= input.senders;
    }
  }
  const deterministic = Math.max(minTime, bandwidth > 0 ? (input.averagePacketSize * n) / bandwidth : minTime);
  return (deterministic * (input.random + 0.5) * 1000) / COMPENSATION;
}
