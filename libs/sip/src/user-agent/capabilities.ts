/**
 * What the MCU's user agent supports, as advertised in Allow, Accept and Supported (RFC 3261 §20.5,
 * §20.1, §20.37; RFC 3428 MESSAGE; RFC 6086 INFO; RFC 3311 UPDATE; RFC 4028 timer) and checked against
 * Require (§8.2.2.3).
 */
import { getOptionTags, type SipRequest } from '../message';

/** Methods the user agent implements (REGISTER only with a registrar). */
export const SESSION_METHODS: readonly string[] = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'MESSAGE', 'UPDATE'];

/** Option tags the user agent supports (RFC 4028 session timers). */
export const SUPPORTED_OPTIONS: readonly string[] = ['timer'];

/** Body types accepted: SDP, MESSAGE texts, INFO payloads. */
export const ACCEPTED_CONTENT_TYPES: readonly string[] = [
  'application/sdp',
  'text/plain',
  'application/dtmf-relay',
  'application/media_control+xml',
];

/**
 * The option tags of Require that the user agent does not support (§8.2.2.3: answer 420 listing them in
 * Unsupported). ACK and CANCEL are never refused this way (§8.2.2.3).
 */
export function unsupportedRequirements(req: SipRequest, supported: readonly string[] = SUPPORTED_OPTIONS): string[] {
  if (req.method === 'ACK' || req.method === 'CANCEL') return [];
  const known = new Set(supported.map((t) => t.toLowerCase()));
  return getOptionTags(req, 'require').filter((tag) => !known.has(tag.toLowerCase()));
}

/**
 * Whether the request's Accept allows an SDP body in the response (RFC 3261 §20.1: absent means
 * `application/sdp`; empty means nothing; `q=0` excludes a range). An INVITE that refuses SDP cannot be
 * answered with a session description (RFC 4475 §3.3.15): 406.
 */
export function acceptsSdp(req: SipRequest): boolean {
  const lines = req.headers.getAll('accept');
  if (lines.length === 0) return true;
  for (const line of lines) {
    for (const range of line.split(',')) {
      const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
      if (type !== 'application/sdp' && type !== 'application/*' && type !== '*/*') continue;
      const q = params.find((p) => p.startsWith('q='));
      if (q === undefined || Number(q.slice(2)) > 0) return true;
    }
  }
  return false;
}
