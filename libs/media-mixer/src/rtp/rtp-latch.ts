/**
 * Symmetric RTP with latching (RFC 4961 symmetric RTP; RFC 7362 §4 latching): where a leg sends its
 * RTP and RTCP, and which sources it accepts packets from.
 *
 * The rule, decided here once for the whole media plane:
 *
 * 1. Before latching (state `negotiated`), media is sent to the address and ports of the remote
 *    session description. The first *valid* packet (it parsed and carries a negotiated payload type;
 *    the endpoint checks that before asking) latches the leg when its source IP is the negotiated
 *    IP — any port, since NATs with a public address still rewrite ports — or when the negotiated
 *    IP cannot be the source of packets reaching us anyway: a private (RFC 1918), shared (RFC 6598),
 *    link-local, unique-local (RFC 4193) or unspecified (hold, `0.0.0.0`) address. A packet from
 *    any other IP while unlatched is foreign (the negotiated peer is public and someone else is
 *    talking to the port).
 * 2. Once latched (state `latched`), RTP is sent to the exact source address and port of that packet,
 *    and only RTP from that exact address and port is accepted; everything else is foreign and
 *    dropped, even from the same IP (RFC 7362 §5.1: media "hijacking" by a third party must fail).
 *    Only when the latched source has sent nothing for `RELATCH_SILENCE_MS` may a valid packet
 *    that rule 1 accepts latch the leg anew: a phone whose NAT binding changed, or the real peer
 *    after a stale sender (still aiming at this port from a call that used it before) stopped.
 * 3. RTCP follows the same rule with its own latch: with rtcp-mux (RFC 5761) it must come from the
 *    latched RTP address and port and is sent there; otherwise the first RTCP datagram from the
 *    accepted IP latches the RTCP destination (its source port), and until then RTCP goes to the
 *    negotiated RTCP port at the latched IP (or at the negotiated IP before RTP latched).
 * 4. Only a new negotiation (re-INVITE, H.245 reopen) that changes the remote address or ports undoes
 *    the latch (`renegotiate()`); the rule of step 1 then applies to the new address.
 *
 * Pure state, no sockets: the endpoint asks, this answers.
 */
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A UDP transport address. */
export interface TransportAddress {
  readonly address: string;
  readonly port: number;
}

/** The remote transport addresses of a negotiated media line. */
export interface NegotiatedTransport {
  /** Remote RTP address (IP literal) and port. */
  readonly rtp: TransportAddress;
  /** Remote RTCP port (`a=rtcp`, RFC 3605, else RTP port + 1); ignored with rtcp-mux. */
  readonly rtcpPort: number;
  /** RTP and RTCP share the RTP port (RFC 5761). */
  readonly rtcpMux: boolean;
}

/** Silence of the latched RTP source after which another source may latch (rule 2), ms. */
export const RELATCH_SILENCE_MS = 1000;

/** `negotiated`: sending to the SDP address; `latched`: sending to the source of the first valid packet. */
export type LatchState = 'negotiated' | 'latched';

/** Latching state of one leg's media line. */
export class RtpLatch {
  private negotiated: NegotiatedTransport;
  private rtpLatch: TransportAddress | undefined;
  private rtcpLatch: TransportAddress | undefined;
  /** When the latched source last sent valid RTP, ms on `now`. */
  private lastRtpAt = 0;

  /** @param now monotonic clock in ms (default `performance.now`). */
  constructor(
    negotiated: NegotiatedTransport,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.negotiated = negotiated;
  }

  /** Current state. */
  get state(): LatchState {
    return this.rtpLatch ? 'latched' : 'negotiated';
  }

  /** The latched RTP source, if any. */
  latchedRtp(): TransportAddress | undefined {
    return this.rtpLatch;
  }

  /**
   * Decides on a valid RTP packet from `source`, latching on the first acceptable one.
   * @returns true when the packet is from the peer; false when it is foreign (drop and count it).
   */
  acceptRtp(source: TransportAddress): boolean {
    const now = this.now();
    if (this.rtpLatch) {
      if (sameTransport(source, this.rtpLatch)) {
        this.lastRtpAt = now;
        return true;
      }
      // Rule 2: another source only after the latched one fell silent; RTCP is then learnt anew.
      if (now - this.lastRtpAt < RELATCH_SILENCE_MS || !this.mayLatch(source.address)) return false;
      this.rtcpLatch = undefined;
    } else if (!this.mayLatch(source.address)) {
      return false;
    }
    this.rtpLatch = { address: normalize(source.address), port: source.port };
    this.lastRtpAt = now;
    if (this.rtcpLatch && normalize(this.rtcpLatch.address) !== this.rtpLatch.address) this.rtcpLatch = undefined;
    return true;
  }

  /**
   * Decides on a valid RTCP datagram from `source` (rule 3).
   * @returns true when it is from the peer.
   */
  acceptRtcp(source: TransportAddress): boolean {
    if (this.negotiated.rtcpMux && this.rtpLatch) return sameTransport(source, this.rtpLatch);
    if (this.rtcpLatch) return sameTransport(source, this.rtcpLatch);
    const accepted = this.rtpLatch ? normalize(source.address) === this.rtpLatch.address : this.mayLatch(source.address);
    if (accepted) this.rtcpLatch = { address: normalize(source.address), port: source.port };
    return accepted;
  }

  /** Where to send RTP; undefined while the negotiated address is a hold address and nothing latched. */
  rtpTarget(): TransportAddress | undefined {
    if (this.rtpLatch) return this.rtpLatch;
    return isUnspecified(this.negotiated.rtp.address) ? undefined : this.negotiated.rtp;
  }

  /** Where to send RTCP (rule 3); undefined like `rtpTarget()`. */
  rtcpTarget(): TransportAddress | undefined {
    if (this.negotiated.rtcpMux) return this.rtpTarget();
    if (this.rtcpLatch) return this.rtcpLatch;
    if (this.rtpLatch) return { address: this.rtpLatch.address, port: this.negotiated.rtcpPort };
    if (isUnspecified(this.negotiated.rtp.address)) return undefined;
    return { address: this.negotiated.rtp.address, port: this.negotiated.rtcpPort };
  }

  /**
   * A new negotiation. When the remote address, a port or rtcp-mux changed, the latch is undone and
   * rule 1 applies to the new address.
   * @returns true when the latch was undone.
   */
  renegotiate(next: NegotiatedTransport): boolean {
    const prev = this.negotiated;
    this.negotiated = next;
    const changed =
      !sameTransport(prev.rtp, next.rtp) || (!next.rtcpMux && prev.rtcpPort !== next.rtcpPort) || prev.rtcpMux !== next.rtcpMux;
    if (!changed) return false;
    const wasLatched = this.rtpLatch !== undefined || this.rtcpLatch !== undefined;
    this.rtpLatch = undefined;
    this.rtcpLatch = undefined;
    return wasLatched;
  }

  /** Rule 1: may a packet from `address` latch an unlatched leg? */
  private mayLatch(address: string): boolean {
    const negotiated = normalize(this.negotiated.rtp.address);
    return normalize(address) === negotiated || !isPubliclyRoutable(negotiated);
  }
}

/** Same IP (IPv4-mapped IPv6 compared as IPv4) and port. */
export function sameTransport(a: TransportAddress, b: TransportAddress): boolean {
  return a.port === b.port && normalize(a.address) === normalize(b.address);
}

/** `::ffff:192.0.2.1` → `192.0.2.1`; IPv6 literals lower-cased; other strings unchanged. */
function normalize(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

function isUnspecified(address: string): boolean {
  const a = normalize(address);
  return a === '0.0.0.0' || a === '::';
}

/**
 * False for addresses that packets crossing a NAT cannot come from: unspecified, RFC 1918 private,
 * RFC 6598 shared (carrier-grade NAT), IPv4 link-local, IPv6 unique-local and link-local. Loopback
 * counts as routable: a peer on the same host is reached at exactly that address.
 */
export function isPubliclyRoutable(address: string): boolean {
  const a = normalize(address);
  if (isUnspecified(a)) return false;
  if (isIP(a) === 4) {
    const [x, y] = a.split('.').map(Number);
    if (x === 10) return false;
    if (x === 172 && y >= 16 && y <= 31) return false;
    if (x === 192 && y === 168) return false;
    if (x === 100 && y >= 64 && y <= 127) return false;
    if (x === 169 && y === 254) return false;
    return true;
  }
  if (isIP(a) === 6) {
    const first = parseInt(a.split(':')[0] || '0', 16);
    if ((first & 0xfe00) === 0xfc00) return false; // fc00::/7
    if ((first & 0xffc0) === 0xfe80) return false; // fe80::/10
    return true;
  }
  return false; // not an IP literal: the endpoint refuses those before this is asked
}
