/**
 * CANCEL construction (RFC 3261 §9.1).
 */
import { getCSeq, SipHeaders, SipRequest, splitHeaderValues } from '../message';

/**
 * Builds the CANCEL for `invite` (as it was sent, top Via included): same Request-URI, Call-ID, To,
 * From and CSeq number, CSeq method CANCEL, a single Via equal to the INVITE's top Via (so the
 * CANCEL carries the INVITE's branch and is matched to it, §9.2), the INVITE's Route headers,
 * Max-Forwards 70, no body.
 * @throws SipParseError when the INVITE lacks CSeq; TypeError when it lacks Via, Call-ID, From or To.
 */
export function buildCancel(invite: SipRequest): SipRequest {
  const h = invite.headers;
  const headers = new SipHeaders();
  headers.append('Via', splitHeaderValues(required(h, 'via'))[0]);
  for (const route of h.getAll('route')) headers.append('Route', route);
  headers.append('Max-Forwards', '70');
  headers.append('From', required(h, 'from'));
  headers.append('To', required(h, 'to'));
  headers.append('Call-ID', required(h, 'call-id'));
  headers.append('CSeq', `${getCSeq(invite).seq} CANCEL`);
  return new SipRequest('CANCEL', invite.uri, headers);
}

function required(headers: SipHeaders, name: string): string {
  const v = headers.get(name);
  if (v === undefined) throw new TypeError(`cannot build CANCEL: no ${name} header`);
  return v;
}
