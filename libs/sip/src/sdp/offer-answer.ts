/**
 * The offer/answer model (RFC 3264) for the MCU: answering a remote offer, making a local offer (for an
 * INVITE without a body, RFC 3261 §13.2.1), and reading the result of either as `NegotiatedMedia`.
 *
 * Pure functions over SDP text; `sdp-transform` parses and writes the lines.
 */
import { write, type MediaAttributes, type MediaDescription, type SessionDescription } from 'sdp-transform';
import {
  DEFAULT_CODECS,
  TELEPHONE_EVENT,
  matchCapability,
  type CodecCapability,
  type MediaKind,
  type OfferedFormat,
} from './codec-capabilities';
import { SdpNegotiationError } from './sdp-error';
import {
  addressType,
  connectionAddress,
  isHoldAddress,
  isPlainRtp,
  mediaDirection,
  mediaFormats,
  mediaKind,
  parseSessionDescription,
  resolveFormats,
  reverseDirection,
  withoutReceive,
  withoutSend,
  type MediaDirection,
} from './session-description';

/** Formats that never carry the media itself: they ride along with the chosen codec. */
const AUXILIARY = new Set(['telephone-event', 'cn', 'red', 'ulpfec', 'flexfec', 'rtx']);

/** Feedback types (RFC 4585, RFC 5104) the MCU answers when offered for the chosen codec. */
const SUPPORTED_FEEDBACK = new Set(['nack', 'nack pli', 'ccm fir']);

/**
 * Key frame requests the MCU accepts for every video format it sends, written in each of its video
 * answers and offers (`a=rtcp-fb:<pt> nack pli`, RFC 4585 §6.3.1; `a=rtcp-fb:<pt> ccm fir`, RFC 5104 §7.1).
 * Whether the remote side accepts them is what it lists itself (`NegotiatedStream.rtcpFeedback`).
 */
export const VIDEO_FEEDBACK: readonly string[] = ['nack pli', 'ccm fir'];

/** Video bandwidth the MCU announces in `b=AS` by default, kbit/s (RFC 4566 §5.8): 1 Mbit/s of RTP plus headers. */
export const DEFAULT_VIDEO_BANDWIDTH_KBPS = 1100;

/** The decision for one offered m-line. */
export type AnswerLine =
  | { index: number; accepted: false; reason: string }
  | {
      index: number;
      accepted: true;
      kind: MediaKind;
      /** The offered transport, echoed (RTP/AVP or RTP/AVPF). */
      protocol: string;
      /** The chosen codec with the offerer's payload type number. */
      codec: OfferedFormat;
      /** fmtp config to write for the codec in the answer (`''`: none). */
      answerFmtp: string;
      /** The offered RFC 4733 payload type kept in the answer. */
      telephoneEvent?: OfferedFormat;
      /** The answer's direction (RFC 3264 §6.1). */
      direction: MediaDirection;
      /** `a=ptime` of the offer, echoed. */
      ptime?: number;
      /** `a=rtcp-mux` offered (RFC 5761 §5.1.1): echoed. */
      rtcpMux: boolean;
      mid?: string;
      /** rtcp-fb values to echo for the codec. */
      rtcpFeedback: string[];
    };

/** The answerer's decisions for a whole offer; input of `renderAnswer()`. */
export interface AnswerPlan {
  offer: SessionDescription;
  lines: AnswerLine[];
}

/** Options of `planAnswer()` / `createAnswer()`. */
export interface AnswerOptions {
  /** Local codecs; `DEFAULT_CODECS` when omitted. */
  capabilities?: readonly CodecCapability[];
  /**
   * What the local side is willing to do per stream (`sendrecv` default); combined with the offered
   * direction per RFC 3264 §6.1 (e.g. `recvonly` here and `sendrecv` offered → `recvonly`).
   */
  localDirection?: MediaDirection;
}

/** Options of rendering a local description. */
export interface RenderOptions {
  /** Local connection address for c= and o= (IPv4, IPv6 or FQDN). */
  address: string;
  /** Local RTP port per media kind; a kind without a port is answered/offered with port 0 (omitted in offers). */
  ports: Partial<Record<MediaKind, number>>;
  /** o= fields; see `SdpOrigin`. */
  origin: { sessionId: string; sessionVersion: number };
  /** o= username and s= text. */
  username?: string;
  sessionName?: string;
  /**
   * `b=AS` written on the video m-line, kbit/s (RFC 4566 §5.8): the most the MCU wants to receive.
   * Default `DEFAULT_VIDEO_BANDWIDTH_KBPS`; 0 writes none.
   */
  videoBandwidthKbps?: number;
}

/**
 * Decide the answer to an offer (RFC 3264 §6): per m-line the first offered codec (in the offerer's
 * order) that the local side supports, plus telephone-event when offered; the first audio and the
 * first video m-line are accepted, other m-lines (more of the same kind, other media types, SRTP or
 * other transports, offered with port 0, no common codec, no connection address) are rejected.
 * @throws SdpParseError when the offer is malformed (→ 400).
 * @throws SdpNegotiationError when no m-line can be accepted (→ 488).
 */
export function planAnswer(offerSdp: string, options: AnswerOptions = {}): AnswerPlan {
  const offer = parseSessionDescription(offerSdp);
  const caps = options.capabilities ?? DEFAULT_CODECS;
  const taken = new Set<MediaKind>();
  const lines: AnswerLine[] = offer.media.map((m, index) => {
    const line = planLine(offer, m, index, caps, options.localDirection ?? 'sendrecv', taken);
    if (line.accepted) taken.add(line.kind);
    return line;
  });
  if (!lines.some((l) => l.accepted)) {
    const reasons = lines.map((l) => (l.accepted ? '' : l.reason));
    throw new SdpNegotiationError(reasons.length ? `No acceptable media: ${reasons.join('; ')}` : 'No media offered');
  }
  return { offer, lines };
}

function planLine(
  session: SessionDescription,
  m: MediaDescription,
  index: number,
  caps: readonly CodecCapability[],
  localDirection: MediaDirection,
  taken: Set<MediaKind>,
): AnswerLine {
  const kind = mediaKind(m);
  if (!kind) return { index, accepted: false, reason: `${m.type} media not supported` };
  if (m.port === 0) return { index, accepted: false, reason: `${kind} offered with port 0` };
  if (!isPlainRtp(m.protocol)) return { index, accepted: false, reason: `${kind} transport ${m.protocol} not supported` };
  if (taken.has(kind)) return { index, accepted: false, reason: `only one ${kind} stream supported` };
  const address = connectionAddress(session, m);
  if (!address) return { index, accepted: false, reason: `${kind} stream has no connection address` };
  const kindCaps = caps.filter((c) => c.kind === kind);
  const formats = resolveFormats(m);
  let chosen: { codec: OfferedFormat; answerFmtp: string } | undefined;
  for (const f of formats) {
    if (AUXILIARY.has(f.name.toLowerCase())) continue;
    const match = matchCapability(f, kindCaps);
    if (match) {
      chosen = { codec: f, answerFmtp: match.answerFmtp };
      break;
    }
  }
  if (!chosen) return { index, accepted: false, reason: `no common ${kind} codec` };
  let telephoneEvent: OfferedFormat | undefined;
  if (kind === 'audio') {
    const events = formats.filter((f) => f.name.toLowerCase() === TELEPHONE_EVENT && matchCapability(f, kindCaps));
    telephoneEvent = events.find((f) => f.clockRate === chosen.codec.clockRate) ?? events[0];
  }
  let offered = mediaDirection(session, m);
  if (isHoldAddress(address)) offered = withoutReceive(offered);
  let direction = reverseDirection(offered);
  if (localDirection === 'recvonly' || localDirection === 'inactive') direction = withoutSend(direction);
  if (localDirection === 'sendonly' || localDirection === 'inactive') direction = withoutReceive(direction);
  const pt = chosen.codec.payloadType;
  const echoed = (m.rtcpFb ?? [])
    .filter((fb) => String(fb.payload) === String(pt) || fb.payload === '*')
    .map((fb) => (fb.subtype ? `${fb.type} ${fb.subtype}` : fb.type))
    .filter((v) => SUPPORTED_FEEDBACK.has(v));
  const rtcpFeedback = [...echoed, ...(kind === 'video' ? VIDEO_FEEDBACK : [])].filter((v, i, all) => all.indexOf(v) === i);
  return {
    index,
    accepted: true,
    kind,
    protocol: m.protocol,
    codec: chosen.codec,
    answerFmtp: chosen.answerFmtp,
    telephoneEvent,
    direction,
    ptime: m.ptime,
    rtcpMux: m.rtcpMux === 'rtcp-mux',
    mid: m.mid,
    rtcpFeedback,
  };
}

/** The media kinds an answer plan accepts (the ports `renderAnswer()` needs). */
export function acceptedKinds(plan: AnswerPlan): MediaKind[] {
  return plan.lines.flatMap((l) => (l.accepted ? [l.kind] : []));
}

function sessionSkeleton(options: RenderOptions): SessionDescription {
  const ipVer = addressType(options.address);
  return {
    version: 0,
    origin: {
      username: options.username ?? 'tessera',
      sessionId: options.origin.sessionId,
      sessionVersion: options.origin.sessionVersion,
      netType: 'IN',
      ipVer,
      address: options.address,
    },
    name: options.sessionName ?? 'Tessera',
    connection: { version: ipVer, ip: options.address },
    timing: { start: 0, stop: 0 },
    media: [],
  };
}

function rtpmap(f: { payloadType: number; name: string; clockRate: number; channels: number }, kind: MediaKind) {
  return { payload: f.payloadType, codec: f.name, rate: f.clockRate, encoding: kind === 'audio' && f.channels !== 1 ? f.channels : undefined };
}

/** `b=AS` on a video m-line (sdp-transform writes it before the attributes, RFC 4566 §5 order). */
function addVideoBandwidth(media: MediaDescription, options: RenderOptions): void {
  const kbps = options.videoBandwidthKbps ?? DEFAULT_VIDEO_BANDWIDTH_KBPS;
  if (kbps > 0) media.bandwidth = [{ type: 'AS', limit: Math.round(kbps) }];
}

/**
 * Write the answer SDP for a plan (RFC 3264 §6): same number and order of m-lines as the offer; rejected
 * ones (or accepted kinds without a port in `options.ports`) with port 0 and the offered formats.
 * @throws SdpNegotiationError when no accepted m-line has a port.
 */
export function renderAnswer(plan: AnswerPlan, options: RenderOptions): string {
  const sdp = sessionSkeleton(options);
  let live = 0;
  for (const line of plan.lines) {
    const offered = plan.offer.media[line.index];
    const port = line.accepted ? options.ports[line.kind] : undefined;
    if (!line.accepted || port === undefined || port <= 0) {
      sdp.media.push({ type: offered.type, port: 0, protocol: offered.protocol, payloads: mediaFormats(offered).join(' '), rtp: [], fmtp: [], mid: offered.mid });
      continue;
    }
    live++;
    const formats = [line.codec, ...(line.telephoneEvent ? [line.telephoneEvent] : [])];
    const media: MediaDescription & MediaAttributes = {
      type: line.kind,
      port,
      protocol: line.protocol,
      payloads: formats.map((f) => f.payloadType).join(' '),
      rtp: formats.map((f) => rtpmap(f, line.kind)),
      fmtp: [],
      direction: line.direction,
    };
    if (line.answerFmtp) media.fmtp.push({ payload: line.codec.payloadType, config: line.answerFmtp });
    if (line.telephoneEvent) media.fmtp.push({ payload: line.telephoneEvent.payloadType, config: '0-15' });
    if (line.ptime !== undefined) media.ptime = line.ptime;
    if (line.rtcpMux) media.rtcpMux = 'rtcp-mux';
    if (line.mid !== undefined) media.mid = line.mid;
    if (line.rtcpFeedback.length) {
      media.rtcpFb = line.rtcpFeedback.map((v) => {
        const [type, subtype] = v.split(' ');
        return { payload: line.codec.payloadType, type, subtype };
      });
    }
    if (line.kind === 'video') addVideoBandwidth(media, options);
    sdp.media.push(media);
  }
  if (live === 0) throw new SdpNegotiationError('No local port for any acceptable stream');
  return write(sdp);
}

/**
 * Answer an offer in one step: `planAnswer()` then `renderAnswer()`.
 * @throws SdpParseError (→ 400), SdpNegotiationError (→ 488).
 */
export function createAnswer(offerSdp: string, options: AnswerOptions & RenderOptions): string {
  return renderAnswer(planAnswer(offerSdp, options), options);
}

/** Options of `createOffer()`. */
export interface OfferOptions extends RenderOptions {
  capabilities?: readonly CodecCapability[];
  /** Direction to offer (`sendrecv` default; `sendonly` puts the peer on hold, RFC 3264 §8.4). */
  direction?: MediaDirection;
  /** `a=ptime` for audio, ms (20 when omitted). */
  audioPtime?: number;
}

/**
 * Make a local offer (RFC 3264 §5) with one m-line per kind in `options.ports` (audio first), listing
 * every capability of that kind in capability order over RTP/AVP.
 * @throws SdpNegotiationError when no kind has both a port and a capability.
 */
export function createOffer(options: OfferOptions): string {
  const sdp = sessionSkeleton(options);
  const caps = options.capabilities ?? DEFAULT_CODECS;
  for (const kind of ['audio', 'video'] as const) {
    const port = options.ports[kind];
    const kindCaps = caps.filter((c) => c.kind === kind && (c.staticPayloadType ?? c.offerPayloadType) !== undefined);
    if (port === undefined || port <= 0 || kindCaps.length === 0) continue;
    const formats = kindCaps.map((c) => ({
      payloadType: (c.staticPayloadType ?? c.offerPayloadType) as number,
      name: c.name,
      clockRate: c.clockRate,
      channels: c.channels,
      fmtp: c.offerFmtp,
    }));
    const media: MediaDescription & MediaAttributes = {
      type: kind,
      port,
      protocol: 'RTP/AVP',
      payloads: formats.map((f) => f.payloadType).join(' '),
      rtp: formats.map((f) => rtpmap(f, kind)),
      fmtp: formats.flatMap((f) => (f.fmtp ? [{ payload: f.payloadType, config: f.fmtp }] : [])),
      direction: options.direction ?? 'sendrecv',
    };
    if (kind === 'audio') media.ptime = options.audioPtime ?? 20;
    if (kind === 'video') {
      media.rtcpFb = formats.flatMap((f) =>
        VIDEO_FEEDBACK.map((v) => {
          const [type, subtype] = v.split(' ');
          return { payload: f.payloadType, type, subtype };
        }),
      );
      addVideoBandwidth(media, options);
    }
    sdp.media.push(media);
  }
  if (sdp.media.length === 0) throw new SdpNegotiationError('Nothing to offer');
  return write(sdp);
}
