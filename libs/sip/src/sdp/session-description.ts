/**
 * Reading session descriptions (RFC 4566 via `sdp-transform`): validation, payload formats, connection
 * address, direction, and the local `o=` line across a session.
 */
import { isIP } from 'node:net';
import { parse, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { STATIC_PAYLOAD_TYPES, type MediaKind, type OfferedFormat } from './codec-capabilities';
import { SdpParseError } from './sdp-error';

/** Media direction attribute (RFC 3264 §5.1, RFC 4566 §6). */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * Parse a session description and check what RFC 4566 §5 requires of the parts the MCU reads: the
 * `v=0` line first, an `o=` line, every m-line with a port 0..65535, a transport and formats.
 * @throws SdpParseError naming the defect.
 */
export function parseSessionDescription(text: string): SessionDescription {
  const trimmed = text.replace(/^\s+/, '');
  if (!/^v=0\s*(\r?\n|$)/.test(trimmed)) throw new SdpParseError('SDP does not start with v=0');
  if (!/(^|\n)o=\S+ \S+ \S+ IN IP[46] \S+/.test(trimmed)) throw new SdpParseError('SDP has no valid o= line');
  let session: SessionDescription;
  try {
    session = parse(trimmed);
  } catch (err) {
    throw new SdpParseError(`SDP does not parse: ${(err as Error).message}`);
  }
  const mLines = trimmed.split(/\r?\n/).filter((l) => l.startsWith('m='));
  if (mLines.length !== session.media.length) throw new SdpParseError('SDP has a malformed m= line');
  for (const m of session.media) {
    if (!Number.isInteger(m.port) || m.port < 0 || m.port > 65535) throw new SdpParseError('SDP m= line has an invalid port');
    if (!m.protocol || m.payloads === undefined || String(m.payloads).trim() === '') {
      throw new SdpParseError('SDP m= line lacks a transport or formats');
    }
  }
  return session;
}

/** The formats of an m-line as written (`payloads` of sdp-transform is a number when there is one). */
export function mediaFormats(media: MediaDescription): string[] {
  return String(media.payloads ?? '')
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '');
}

/**
 * The RTP payload types of an m-line resolved to encodings: `a=rtpmap` where present, RFC 3551's table
 * for static types without one. Dynamic types without rtpmap and non-numeric formats are skipped.
 */
export function resolveFormats(media: MediaDescription): OfferedFormat[] {
  const out: OfferedFormat[] = [];
  for (const f of mediaFormats(media)) {
    if (!/^\d{1,3}$/.test(f)) continue;
    const pt = Number(f);
    if (pt > 127) continue;
    const fmtp = media.fmtp?.find((x) => x.payload === pt)?.config;
    const map = media.rtp?.find((r) => r.payload === pt);
    if (map) {
      // G.722's RTP clock is 8000 Hz (RFC 3551 §4.5.2) whatever the rtpmap claims.
      const clockRate = map.codec.toUpperCase() === 'G722' ? 8000 : (map.rate ?? 0);
      out.push({ payloadType: pt, name: map.codec, clockRate, channels: map.encoding ?? 1, fmtp });
    } else if (STATIC_PAYLOAD_TYPES[pt]) {
      const s = STATIC_PAYLOAD_TYPES[pt];
      out.push({ payloadType: pt, name: s.name, clockRate: s.clockRate, channels: s.channels, fmtp });
    }
  }
  return out;
}

/** The connection address of an m-line (media-level c= wins, RFC 4566 §5.7), or `undefined`. */
export function connectionAddress(session: SessionDescription, media: MediaDescription): string | undefined {
  return media.connection?.ip ?? session.connection?.ip;
}

/** True for the RFC 2543 hold address (`c=IN IP4 0.0.0.0`, RFC 3264 §8.4) and the IPv6 unspecified address. */
export function isHoldAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** Direction of an m-line: media-level attribute, else session-level, else sendrecv (RFC 3264 §5.1). */
export function mediaDirection(session: SessionDescription, media: MediaDescription): MediaDirection {
  return media.direction ?? session.direction ?? 'sendrecv';
}

/** The direction seen from the other side (sendonly ↔ recvonly, RFC 3264 §6.1). */
export function reverseDirection(d: MediaDirection): MediaDirection {
  if (d === 'sendonly') return 'recvonly';
  if (d === 'recvonly') return 'sendonly';
  return d;
}

/** Direction with sending removed (used when the peer cannot receive: hold address, port 0). */
export function withoutSend(d: MediaDirection): MediaDirection {
  if (d === 'sendrecv') return 'recvonly';
  if (d === 'sendonly') return 'inactive';
  return d;
}

/** Direction with receiving removed. */
export function withoutReceive(d: MediaDirection): MediaDirection {
  if (d === 'sendrecv') return 'sendonly';
  if (d === 'recvonly') return 'inactive';
  return d;
}

/** `IP4` or `IP6` for an address literal; host names count as IP4 (RFC 4566 §5.7 allows FQDNs). */
export function addressType(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** The MediaKind of an m-line, or `undefined` for types the MCU does not handle (application, image, text). */
export function mediaKind(media: MediaDescription): MediaKind | undefined {
  return media.type === 'audio' || media.type === 'video' ? media.type : undefined;
}

/** True for the RTP profiles the MCU speaks: RTP/AVP and RTP/AVPF without SRTP (RFC 3551, RFC 4585). */
export function isPlainRtp(protocol: string): boolean {
  const p = protocol.toUpperCase();
  return p === 'RTP/AVP' || p === 'RTP/AVPF';
}

/**
 * The `o=` line of the local side (RFC 4566 §5.2) across the offers and answers of one session:
 * the session id stays, the version goes up only when the description changed (RFC 3264 §8).
 */
export class SdpOrigin {
  /** Numeric session id, kept for the whole session. */
  readonly sessionId: string;
  private version: number;
  private last?: string;

  /** @param sessionId digits; a random 10-digit id when omitted. */
  constructor(sessionId?: string) {
    this.sessionId = sessionId ?? String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999));
    this.version = Number(this.sessionId.slice(-6)) || 1;
  }

  /** The current version number. */
  get sessionVersion(): number {
    return this.version;
  }

  /**
   * Render a description with this origin: `render(version)` is called with the current version; if
   * the result differs from the previous one (ignoring the o= line) the version is incremented and it is
   * rendered again.
   */
  stamp(render: (origin: { sessionId: string; sessionVersion: number }) => string): string {
    const strip = (s: string): string => s.replace(/^o=.*$/m, '');
    let text = render({ sessionId: this.sessionId, sessionVersion: this.version });
    if (this.last !== undefined && strip(text) !== strip(this.last)) {
      this.version++;
      text = render({ sessionId: this.sessionId, sessionVersion: this.version });
    }
    this.last = text;
    return text;
  }
}
