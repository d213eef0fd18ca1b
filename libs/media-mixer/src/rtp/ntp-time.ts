/**
 * NTP timestamps as RTCP uses them (RFC 3550 §4): 64-bit, seconds since 1900-01-01 in the high
 * word and the binary fraction of a second in the low word; the "compact" form is the middle
 * 32 bits (16.16 fixed point), used by LSR, DLSR and round-trip computation (§6.4.1).
 */

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch). */
const NTP_UNIX_OFFSET_S = 2208988800n;

/**
 * Converts wall-clock time to a 64-bit NTP timestamp.
 * @param unixMs milliseconds since the Unix epoch (`Date.now()`), may be fractional.
 */
export function ntpFromUnixMs(unixMs: number): bigint {
  const wholeMs = Math.floor(unixMs);
  const seconds = BigInt(Math.floor(wholeMs / 1000)) + NTP_UNIX_OFFSET_S;
  const subMs = (wholeMs % 1000) + (unixMs - wholeMs);
  const fraction = BigInt(Math.round((subMs / 1000) * 2 ** 32)) & 0xffffffffn;
  return ((seconds & 0xffffffffn) << 32n) | fraction;
}

/** The middle 32 bits of an NTP timestamp (16.16 seconds), as carried in LSR. */
export function ntpCompact(ntp: bigint): number {
  return Number((ntp >> 16n) & 0xffffffffn);
}

/** Converts a duration in milliseconds to 1/65536 s units (DLSR), rounded, within 32 bits. */
export function msToCompact(ms: number): number {
  return Math.min(0xffffffff, Math.max(0, Math.round((ms * 65536) / 1000)));
}

/** Converts 1/65536 s units to milliseconds. */
export function compactToMs(units: number): number {
  return (units * 1000) / 65536;
}
