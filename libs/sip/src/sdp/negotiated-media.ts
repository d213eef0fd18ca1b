/**
 * The protocol-neutral result of an offer/answer exchange (RFC 3264): which RTP streams run, to which
 * remote address and port, with which codec and payload type. The media plane consumes this; it never
 * sees SDP or SIP.
 */
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import type { MediaKind, OfferedFormat } from './codec-capabilities';
import { SdpNegotiationError } from './sdp-error';
import {
  connectionAddress,
  isHoldAddress,
  isPlainRtp,
  mediaDirection,
  mediaKind,
  parseSessionDescription,
  resolveFormats,
  reverseDirection,
  withoutSend,
  type MediaDirection,
} from './session-description';

/** One negotiated RTP stream, seen from the local side. */
export interface NegotiatedStream {
  kind: MediaKind;
  /** Index of the m-line in the session description (0-based). */
  index: number;
  /** `a=mid` when present (RFC 5888). */
  mid?: string;
  /** The remote connection address of this stream (media-level c= wins over session-level). */
  address: string;
  /** Remote RTP port. */
  port: number;
  /** Remote RTCP port: `a=rtcp` (RFC 3605), else port + 1 (RFC 3550 §11); equal to `port` with rtcp-mux. */
  rtcpPort: number;
  /** Local RTP port as written in the local description. */
  localPort: number;
  /** Payload type of the codec as numbered in the remote description (the number to send with). */
  payloadType: number;
  /** Encoding name as written by the remote side (e.g. `PCMU`, `opus`, `H264`). */
  codec: string;
  /** RTP clock rate, Hz. */
  clockRate: number;
  /** Audio channels (1 for video). */
  channels: number;
  /** The remote side's fmtp config of the codec: what it wants to receive. */
  fmtp?: string;
  /** Packetization time the remote side asked for (`a=ptime`, ms), else the local one, if any. */
  ptime?: number;
  /** Negotiated direction from the local side's point of view (`sendonly`: the MCU only sends). */
  direction: MediaDirection;
  /** RTP and RTCP share one port (RFC 5761 §5.1.1): offered and answered. */
  rtcpMux: boolean;
  /** RFC 4733 payload type as numbered by the remote side, when negotiated. */
  telephoneEventPt?: number;
  /** `a=rtcp-fb` values of the codec that both sides listed (e.g. `nack pli`, `ccm fir`; RFC 4585). */
  rtcpFeedback: string[];
  /**
   * What the remote side announced it receives at most: `b=AS` in kbit/s with IP/UDP/RTP headers
   * (RFC 4566 §5.8) and `b=TIAS` in bit/s without them (RFC 3890 §6.2), from the m-line, else from
   * the session level. Empty when it announced neither.
   */
  bandwidth: { asKbps?: number; tiasBps?: number };
}

/** The outcome of an offer/answer exchange: one entry per accepted m-line. */
export interface NegotiatedMedia {
  /** The remote session's connection address (session-level c=, else the first stream's). */
  address: string;
  /** Accepted streams in m-line order; rejected m-lines (port 0) are not listed. */
  streams: NegotiatedStream[];
}

/** Formats that ride along with the codec rather than carry the media (RFC 4733, RFC 3389, RFC 2198, …). */
const AUXILIARY = new Set(['telephone-event', 'cn', 'red', 'ulpfec', 'flexfec', 'rtx']);

function sameFormat(a: OfferedFormat, b: OfferedFormat): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() && a.clockRate === b.clockRate;
}

function feedbackOf(m: MediaDescription, pt: number): string[] {
  return (m.rtcpFb ?? [])
    .filter((fb) => String(fb.payload) === String(pt) || fb.payload === '*')
    .map((fb) => (fb.subtype ? `${fb.type} ${fb.subtype}` : fb.type));
}

/** Input of `negotiatedMedia()`: both descriptions of one completed exchange. */
export interface OfferAnswerExchange {
  /** The local description (offer or answer) as sent. */
  local: string;
  /** The remote description as received. */
  remote: string;
  /** Whether the local description was the offer or the answer. */
  localRole: 'offerer' | 'answerer';
}

/**
 * Read a completed offer/answer exchange (RFC 3264 §6, §7). Per m-line active on both sides, the codec is
 * the first format of the answer that the offer also lists (RFC 3264 §6.1: the answerer lists its
 * preference first), numbered as the remote side numbers it; the direction is the answer's, turned to
 * the local point of view; a remote hold address (0.0.0.0) removes sending.
 * @throws SdpParseError when the remote description is malformed.
 * @throws SdpNegotiationError when the m-line counts differ (RFC 3264 §6) or no stream is active.
 */
export function negotiatedMedia(exchange: OfferAnswerExchange): NegotiatedMedia {
  const local = parseSessionDescription(exchange.local);
  const remote = parseSessionDescription(exchange.remote);
  if (local.media.length !== remote.media.length) {
    throw new SdpNegotiationError(`Answer has ${remote.media.length} m-lines where the offer has ${local.media.length}`);
  }
  const offer = exchange.localRole === 'offerer' ? local : remote;
  const answer = exchange.localRole === 'offerer' ? remote : local;
  const streams: NegotiatedStream[] = [];
  for (let index = 0; index < local.media.length; index++) {
    const stream = readStream(index, local, remote, offer, answer, exchange.localRole);
    if (stream) streams.push(stream);
  }
  if (streams.length === 0) throw new SdpNegotiationError('No common media stream');
  return { address: remote.connection?.ip ?? streams[0].address, streams };
}

function readStream(
  index: number,
  local: SessionDescription,
  remote: SessionDescription,
  offer: SessionDescription,
  answer: SessionDescription,
  localRole: 'offerer' | 'answerer',
): NegotiatedStream | undefined {
  const lm = local.media[index];
  const rm = remote.media[index];
  const kind = mediaKind(lm);
  if (!kind || lm.port === 0 || rm.port === 0 || rm.type !== lm.type || !isPlainRtp(rm.protocol)) return undefined;
  const address = connectionAddress(remote, rm);
  if (!address) return undefined;
  const offered = resolveFormats(offer.media[index]);
  const answered = resolveFormats(answer.media[index]);
  const remoteFormats = resolveFormats(rm);
  const chosen = answered.find((f) => !AUXILIARY.has(f.name.toLowerCase()) && offered.some((o) => sameFormat(o, f)));
  if (!chosen) return undefined;
  const remoteCodec = remoteFormats.find((f) => sameFormat(f, chosen));
  if (!remoteCodec) return undefined;
  const events = remoteFormats.filter(
    (f) =>
      f.name.toLowerCase() === 'telephone-event' &&
      offered.some((o) => sameFormat(o, f)) &&
      answered.some((a) => sameFormat(a, f)),
  );
  const telephoneEvent = events.find((f) => f.clockRate === remoteCodec.clockRate) ?? events[0];
  const answerDirection = mediaDirection(answer, answer.media[index]);
  let direction: MediaDirection = localRole === 'answerer' ? answerDirection : reverseDirection(answerDirection);
  if (isHoldAddress(address)) direction = withoutSend(direction);
  const rtcpMux = lm.rtcpMux === 'rtcp-mux' && rm.rtcpMux === 'rtcp-mux';
  const localCodec = resolveFormats(lm).find((f) => sameFormat(f, chosen));
  const localFeedback = localCodec ? feedbackOf(lm, localCodec.payloadType) : [];
  const rtcpFeedback = feedbackOf(rm, remoteCodec.payloadType).filter((v, i, all) => localFeedback.includes(v) && all.indexOf(v) === i);
  return {
    kind,
    index,
    mid: rm.mid ?? lm.mid,
    address,
    port: rm.port,
    rtcpPort: rtcpMux ? rm.port : (rm.rtcp?.port ?? rm.port + 1),
    localPort: lm.port,
    payloadType: remoteCodec.payloadType,
    codec: remoteCodec.name,
    clockRate: remoteCodec.clockRate,
    channels: remoteCodec.channels,
    fmtp: remoteCodec.fmtp,
    ptime: rm.ptime ?? lm.ptime,
    direction,
    rtcpMux,
    telephoneEventPt: telephoneEvent?.payloadType,
    rtcpFeedback,
    bandwidth: bandwidthOf(remote, rm),
  };
}

/** `b=AS` and `b=TIAS` of a remote m-line, each falling back to the session level; malformed values are ignored. */
function bandwidthOf(session: SessionDescription, m: MediaDescription): { asKbps?: number; tiasBps?: number } {
  const find = (type: string): number | undefined => {
    for (const lines of [m.bandwidth, session.bandwidth]) {
      const line = (lines ?? []).find((b) => b.type.toUpperCase() === type);
      const value = line === undefined ? undefined : Number(line.limit);
      if (value !== undefined && Number.isFinite(value) && value >= 0) return value;
    }
    return undefined;
  };
  const asKbps = find('AS');
  const tiasBps = find('TIAS');
  return { ...(asKbps === undefined ? {} : { asKbps }), ...(tiasBps === undefined ? {} : { tiasBps }) };
}
