/**
 * The ACK for a non-2xx final response to an INVITE, built by the INVITE client transaction
 * (RFC 3261 §17.1.1.3).
 */
import { getCSeq, SipHeaders, SipRequest, SipResponse, splitHeaderValues } from '../message';

/**
 * Builds the ACK for `response` (status 300–699) to `invite`: same Request-URI, Call-ID, From and
 * CSeq number as the INVITE, CSeq method ACK, To from the response (with its tag), a single Via equal
 * to the INVITE's top Via (same branch), the INVITE's Route headers, Max-Forwards 70, no body.
 * @throws SipParseError when the INVITE lacks Via, Call-ID, From or CSeq, or the response lacks To.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const h = invite.headers;
  const via = splitHeaderValues(required(h, 'via'))[0];
  const headers = new SipHeaders();
  headers.append('Via', via);
  for (const route of h.getAll('route')) headers.append('Route', route);
  headers.append('Max-Forwards', '70');
  headers.append('From', required(h, 'from'));
  headers.append('To', required(response.headers, 'to'));
  headers.append('Call-ID', required(h, 'call-id'));
  headers.append('CSeq', `${getCSeq(invite).seq} ACK`);
  return new SipRequest('ACK', invite.uri, headers);
}

function required(headers: SipHeaders, name: string): string {
  const v = headers.get(name);
  if (v === undefined) throw new TypeError(`cannot build ACK: no ${name} header`);
  return v;
}
