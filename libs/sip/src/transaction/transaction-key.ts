/**
 * Transaction matching keys (RFC 3261 §17.1.3, §17.2.3, §9.2, §13.3.1.4).
 *
 * - Client side (§17.1.3): a response matches the client transaction whose request had the same top
 *   Via branch and whose method equals the response's CSeq method (so an INVITE and its CANCEL, which
 *   share the branch, stay apart).
 * - Server side with an RFC 3261 branch (starts with the magic cookie `z9hG4bK`, §8.1.1.7): branch,
 *   sent-by of the top Via, and method — ACK counting as INVITE; CANCEL has its own transaction, and
 *   finds the INVITE it cancels under the same key with method INVITE (§9.2).
 * - Server side without the cookie (RFC 2543 peers, §17.2.3): Request-URI, From tag, Call-ID, CSeq
 *   number and top Via (sent-by and branch, if any) — plus the To tag, which the caller compares
 *   separately because an ACK carries the To tag of the response, not of the INVITE.
 */
import { getCallId, getCSeq, getFrom, getTag, getTo, SipMessage, SipRequest, SipResponse, topVia, Via } from '../message';

/** The RFC 3261 branch prefix (§8.1.1.7). */
export const MAGIC_COOKIE = 'z9hG4bK';

/** True for a branch created by an RFC 3261 element (starts with the magic cookie). */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length;
}

/** Key of a client transaction (§17.1.3): branch and method. */
export function clientKey(branch: string, method: string): string {
  return `c|${branch}|${method}`;
}

/** The client-transaction key a response matches (§17.1.3), or undefined when its top Via has no branch. @throws SipParseError. */
export function responseKey(response: SipResponse): string | undefined {
  const branch = topVia(response).branch;
  if (branch === undefined) return undefined;
  return clientKey(branch, getCSeq(response).method);
}

/** A server key and whether it follows RFC 3261 (else RFC 2543 rules, To tag compared by the caller). */
export interface ServerKey {
  key: string;
  rfc3261: boolean;
}

/**
 * The server-transaction key of a request (§17.2.3). `asMethod` overrides the method (ACK → INVITE is
 * applied by default; CANCEL looks up its INVITE with `asMethod = 'INVITE'`).
 * @throws SipParseError when Via, CSeq, Call-ID or From cannot be read.
 */
export function serverKey(request: SipRequest, asMethod?: string): ServerKey {
  const via = topVia(request);
  const method = asMethod ?? (request.method === 'ACK' ? 'INVITE' : request.method);
  if (isRfc3261Branch(via.branch)) return { key: `s|${via.branch}|${sentBy(via)}|${method}`, rfc3261: true };
  const from = getTag(getFrom(request)) ?? '';
  const key = ['s2543', method, request.uri, getCallId(request), from, getCSeq(request).seq, sentBy(via), via.branch ?? ''].join('|');
  return { key, rfc3261: false };
}

/** The To tag of a message, or '' when none. @throws SipParseError on a missing or unreadable To. */
export function toTag(message: SipMessage): string {
  return getTag(getTo(message)) ?? '';
}

/**
 * Key that joins an ACK for a 2xx to the INVITE server transaction that sent the 2xx (§13.3.1.4):
 * Call-ID, CSeq number, From tag and To tag (the 2xx's). The ACK has a branch of its own, so this is
 * a dialog-level match.
 * @throws SipParseError when a header cannot be read.
 */
export function ackDialogKey(callId: string, cseq: number, fromTag: string, toTagValue: string): string {
  return `a|${callId}|${cseq}|${fromTag}|${toTagValue}`;
}

/** `ackDialogKey` of a received ACK. @throws SipParseError. */
export function ackDialogKeyOf(ack: SipRequest): string {
  return ackDialogKey(getCallId(ack), getCSeq(ack).seq, getTag(getFrom(ack)) ?? '', toTag(ack));
}

/** `host:port` of a Via, lower-case, port as written ('' when absent). */
function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}
