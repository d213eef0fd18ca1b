/**
 * Building responses from requests and generating identifiers (RFC 3261 §8.1.1.4, §8.1.1.7, §8.2.6, §19.3).
 */
import { randomBytes } from 'node:crypto';
import { parseNameAddr } from './name-addr';
import { SipHeaders, SipResponse, type SipRequest } from './sip-message';
import { reasonPhrase } from './status-codes';

/** Options of `createResponse()`. */
export interface CreateResponseOptions {
  /** To tag to add when the request's To has none (RFC 3261 §8.2.6.2). */
  toTag?: string;
  /** Response body. */
  body?: Buffer;
  /** Content-Type of the body, e.g. `application/sdp`. */
  contentType?: string;
}

/**
 * Build a response to `req` per RFC 3261 §8.2.6.2: every Via in order, From, To (with `toTag` added when
 * given and the To has no tag), Call-ID and CSeq copied; for 100 Trying the Timestamp is copied (§8.2.6.1).
 * Headers missing from the request (a partial request from a `SipParseError`) are left out. The reason
 * defaults to `reasonPhrase(status)`.
 */
export function createResponse(
  req: SipRequest,
  status: number,
  reason?: string,
  opts: CreateResponseOptions = {},
): SipResponse {
  const headers = new SipHeaders();
  for (const via of req.headers.getAll('via')) headers.append('Via', via);
  const from = req.headers.get('from');
  if (from !== undefined) headers.append('From', from);
  let to = req.headers.get('to');
  if (to !== undefined) {
    if (opts.toTag !== undefined && !hasTag(to)) to = `${to};tag=${opts.toTag}`;
    headers.append('To', to);
  }
  const callId = req.headers.get('call-id');
  if (callId !== undefined) headers.append('Call-ID', callId);
  const cseq = req.headers.get('cseq');
  if (cseq !== undefined) headers.append('CSeq', cseq);
  if (status === 100) {
    const timestamp = req.headers.get('timestamp');
    if (timestamp !== undefined) headers.append('Timestamp', timestamp);
  }
  if (opts.contentType !== undefined) headers.append('Content-Type', opts.contentType);
  return new SipResponse(status, reason ?? reasonPhrase(status), headers, opts.body);
}

function hasTag(to: string): boolean {
  try {
    return parseNameAddr(to, 'To').params.has('tag');
  } catch {
    // An unreadable To: look for the parameter textually rather than add a second tag.
    return /;\s*tag\s*=/i.test(to);
  }
}

/** Random hex of `bytes` octets (cryptographically strong, RFC 3261 §19.3 asks for at least 32 bits). */
function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A new From/To tag: 64 random bits as 16 hex digits (RFC 3261 §19.3). */
export function generateTag(): string {
  return randomHex(8);
}

/** A new branch: the magic cookie `z9hG4bK` followed by 80 random bits in hex (RFC 3261 §8.1.1.7). */
export function generateBranch(): string {
  return 'z9hG4bK' + randomHex(10);
}

/** A new Call-ID: 128 random bits in hex, `@host` appended when a host is given (RFC 3261 §8.1.1.4). */
export function generateCallId(host?: string): string {
  const id = randomHex(16);
  return host ? `${id}@${host}` : id;
}
