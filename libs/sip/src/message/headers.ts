/**
 * Typed access to the header fields the stack uses (RFC 3261 §20; RFC 4028 Session-Expires;
 * RFC 7616 Authorization). Values are parsed on demand from the verbatim fields of `SipHeaders`;
 * headers not listed here stay verbatim.
 */
import { SipParseError } from './errors';
import { isCallId, isToken, isWs, parseDigits, parseParams, scanQuoted, trimWs } from './grammar';
import { parseNameAddr, type NameAddr } from './name-addr';
import type { SipMessage } from './sip-message';
import { formatVia, parseFirstVia, parseVia, type Via } from './via';

export { parseVia, formatVia, parseFirstVia, type Via } from './via';
export { parseAuthHeader, formatAuthHeader, type AuthHeader } from './auth-header';

/** Largest delta-seconds / CSeq number: 2^32 - 1 (RFC 3261 §8.1.1.5, §25.1). */
export const MAX_UINT32 = 4294967295;

/**
 * Split a header value at the commas that separate its values (RFC 3261 §7.3.1), ignoring commas inside
 * quoted-strings and inside <…>. Values are trimmed; empty values are dropped.
 */
export function splitHeaderValues(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  const end = value.length;
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c === 34) {
      const close = scanQuoted(value, i, end);
      if (close < 0) break;
      i = close - 1;
    } else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === 44 && !angle) {
      const part = trimWs(value.slice(start, i));
      if (part.length > 0) out.push(part);
      start = i + 1;
    }
  }
  const last = trimWs(value.slice(start));
  if (last.length > 0) out.push(last);
  return out;
}

/** Every via-parm across all Via lines, top first (RFC 3261 §20.42). @throws SipParseError("Invalid Via"). */
export function getVias(msg: SipMessage): Via[] {
  const out: Via[] = [];
  for (const line of msg.headers.getAll('via')) for (const v of parseVia(line)) out.push(v);
  return out;
}

/**
 * The top Via (RFC 3261 §18.2.1), read leniently: malformed parameters after the sent-by are skipped so that
 * the partial request of a `SipParseError` can still be answered. Messages returned by `parseMessage()` have
 * strictly valid Vias. @throws SipParseError("Missing Via" / "Invalid Via") when no sent-by can be read.
 */
export function topVia(msg: SipMessage): Via {
  const first = msg.headers.get('via');
  if (first === undefined) throw new SipParseError('Missing Via');
  return parseFirstVia(first, true);
}

/**
 * Replace the top via-parm (the first value of the first Via line) by `via`, keeping any other values of that
 * line (used to add `received`/`rport`, RFC 3261 §18.2.1, RFC 3581 §4). @throws SipParseError("Missing Via").
 */
export function setTopVia(msg: SipMessage, via: Via): void {
  const first = msg.headers.get('via');
  if (first === undefined) throw new SipParseError('Missing Via');
  const rest = parseVia(first).slice(1);
  msg.headers.replaceFirst('via', [via, ...rest].map(formatVia).join(', '));
}

/**
 * Parse a CSeq value `1*DIGIT LWS Method` (RFC 3261 §20.16); the number is at most 2^32 - 1.
 * @throws SipParseError("Invalid CSeq").
 */
export function parseCSeq(value: string): { seq: number; method: string } {
  const s = trimWs(value);
  let i = 0;
  while (i < s.length && !isWs(s.charCodeAt(i))) i++;
  const seq = parseDigits(s.slice(0, i), MAX_UINT32);
  const method = trimWs(s.slice(i));
  if (seq < 0 || !isToken(method)) throw new SipParseError('Invalid CSeq');
  return { seq, method };
}

/** The CSeq of a message. @throws SipParseError("Missing CSeq" / "Invalid CSeq"). */
export function getCSeq(msg: SipMessage): { seq: number; method: string } {
  const v = msg.headers.get('cseq');
  if (v === undefined) throw new SipParseError('Missing CSeq');
  return parseCSeq(v);
}

/** The Call-ID (RFC 3261 §20.8), trimmed. @throws SipParseError("Missing Call-ID" / "Invalid Call-ID"). */
export function getCallId(msg: SipMessage): string {
  const v = msg.headers.get('call-id');
  if (v === undefined) throw new SipParseError('Missing Call-ID');
  if (!isCallId(v)) throw new SipParseError('Invalid Call-ID');
  return v;
}

function getAddress(msg: SipMessage, name: string, label: string): NameAddr {
  const v = msg.headers.get(name);
  if (v === undefined) throw new SipParseError(`Missing ${label}`);
  return parseNameAddr(v, label);
}

/** The From header (RFC 3261 §20.20). @throws SipParseError("Missing From" / "Invalid From"). */
export function getFrom(msg: SipMessage): NameAddr {
  return getAddress(msg, 'from', 'From');
}

/** The To header (RFC 3261 §20.39). @throws SipParseError("Missing To" / "Invalid To"). */
export function getTo(msg: SipMessage): NameAddr {
  return getAddress(msg, 'to', 'To');
}

/** The `tag` parameter of a From/To value (RFC 3261 §19.3), or undefined. */
export function getTag(na: NameAddr): string | undefined {
  return na.params.get('tag') ?? undefined;
}

/**
 * Contacts across all Contact lines (RFC 3261 §20.10): `'*'` for the wildcard (REGISTER, §10.2.2),
 * an empty array when there is none. @throws SipParseError("Invalid Contact").
 */
export function getContacts(msg: SipMessage): NameAddr[] | '*' {
  const out: NameAddr[] = [];
  for (const line of msg.headers.getAll('contact')) {
    if (trimWs(line) === '*') return '*';
    for (const v of splitHeaderValues(line)) out.push(parseNameAddr(v, 'Contact'));
  }
  return out;
}

/** Route or Record-Route entries across all lines, in order (RFC 3261 §20.30, §20.34). @throws SipParseError. */
export function getRoutes(msg: SipMessage, name: 'route' | 'record-route'): NameAddr[] {
  const label = name === 'route' ? 'Route' : 'Record-Route';
  const out: NameAddr[] = [];
  for (const line of msg.headers.getAll(name)) {
    for (const v of splitHeaderValues(line)) out.push(parseNameAddr(v, label));
  }
  return out;
}

/** Max-Forwards (0..255, RFC 3261 §20.22), or undefined when absent. @throws SipParseError("Invalid Max-Forwards"). */
export function getMaxForwards(msg: SipMessage): number | undefined {
  const v = msg.headers.get('max-forwards');
  if (v === undefined) return undefined;
  const n = parseDigits(v, 255);
  if (n < 0) throw new SipParseError('Invalid Max-Forwards');
  return n;
}

/** Expires in seconds (RFC 3261 §20.19), or undefined when absent. @throws SipParseError("Invalid Expires"). */
export function getExpires(msg: SipMessage): number | undefined {
  const v = msg.headers.get('expires');
  if (v === undefined) return undefined;
  const n = parseDigits(v, MAX_UINT32);
  if (n < 0) throw new SipParseError('Invalid Expires');
  return n;
}

/** Content-Length in octets (RFC 3261 §20.14), or undefined when absent. @throws SipParseError("Invalid Content-Length"). */
export function getContentLength(msg: SipMessage): number | undefined {
  const v = msg.headers.get('content-length');
  if (v === undefined) return undefined;
  const n = parseDigits(v, MAX_UINT32);
  if (n < 0) throw new SipParseError('Invalid Content-Length');
  return n;
}

/** The media type of Content-Type (RFC 3261 §20.15), lower-case without parameters (e.g. `application/sdp`), or undefined. */
export function getContentType(msg: SipMessage): string | undefined {
  const v = msg.headers.get('content-type');
  if (v === undefined) return undefined;
  const semi = v.indexOf(';');
  return (semi < 0 ? v : v.slice(0, semi)).replace(/[ \t]+/g, '').toLowerCase();
}

/**
 * Option tags or methods across all lines of Supported, Require, Proxy-Require, Unsupported or Allow
 * (RFC 3261 §20.5, §20.32, §20.29, §20.40, §20.37), in order, as written.
 */
export function getOptionTags(
  msg: SipMessage,
  name: 'supported' | 'require' | 'proxy-require' | 'unsupported' | 'allow',
): string[] {
  const out: string[] = [];
  for (const line of msg.headers.getAll(name)) for (const v of splitHeaderValues(line)) out.push(v);
  return out;
}

/**
 * Parse a Session-Expires value `delta-seconds *(;se-params)` (RFC 4028 §4).
 * @throws SipParseError("Invalid Session-Expires").
 */
export function parseSessionExpires(value: string): { deltaSeconds: number; refresher?: 'uac' | 'uas' } {
  const semi = value.indexOf(';');
  const deltaSeconds = parseDigits(trimWs(semi < 0 ? value : value.slice(0, semi)), MAX_UINT32);
  if (deltaSeconds < 0) throw new SipParseError('Invalid Session-Expires');
  if (semi < 0) return { deltaSeconds };
  const params = new Map<string, string | null>();
  parseParams(value, semi, value.length, params, 'Session-Expires');
  const refresher = params.get('refresher')?.toLowerCase();
  if (refresher === undefined) return { deltaSeconds };
  if (refresher !== 'uac' && refresher !== 'uas') throw new SipParseError('Invalid Session-Expires');
  return { deltaSeconds, refresher };
}
