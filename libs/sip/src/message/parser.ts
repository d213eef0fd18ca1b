/**
 * SIP message parser for datagrams and framed stream messages (RFC 3261 §7, §18.3, §25; RFC 4475).
 *
 * The header section is decoded as UTF-8, unfolded (§7.3.1) and stored verbatim; the headers every request
 * or response must carry are checked (§8.1.1, §8.2.2), with errors classified so that a UAS can answer
 * 400/416/505 or drop the message where no answer is possible (RFC 4475). Bodies stay bytes.
 */
import { SipParseError } from './errors';
import { isCallId, isToken, isWs, parseDigits, trimWs } from './grammar';
import { MAX_UINT32, parseCSeq, splitHeaderValues } from './headers';
import { parseNameAddr } from './name-addr';
import { SipHeaders, SipRequest, SipResponse, type SipMessage } from './sip-message';
import { parseUri } from './uri';
import { parseFirstVia, parseVia } from './via';

export { StreamFramer, type FramedItem, type StreamFramerLimits } from './stream-framer';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');
const SIP_VERSION = /^SIP\/\d{1,3}\.\d{1,3}$/i;
const RFC1123_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Records the first problem found; later checks keep running so the partial request is as complete as possible. */
class Problems {
  first?: SipParseError;
  add(reason: string, status = 400): void {
    if (this.first === undefined) this.first = new SipParseError(reason, { status });
  }
}

/** Locate the end of the header section; tolerates bare-LF line ends. */
function findHeaderEnd(data: Buffer, start: number): { headEnd: number; bodyStart: number } {
  const crlf = data.indexOf(CRLFCRLF, start);
  if (crlf >= 0) return { headEnd: crlf, bodyStart: crlf + 4 };
  const lf = data.indexOf(LFLF, start);
  if (lf >= 0) return { headEnd: lf, bodyStart: lf + 2 };
  return { headEnd: data.length, bodyStart: data.length };
}

/** Split the unfolded header lines into fields; returns false when a line is not `token HCOLON value`. */
function readFields(head: string, from: number, headers: SipHeaders): boolean {
  let ok = true;
  let name: string | undefined;
  let value = '';
  const len = head.length;
  let pos = from;
  while (pos < len) {
    let nl = head.indexOf('\n', pos);
    if (nl < 0) nl = len;
    const lineEnd = nl > pos && head.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    if (lineEnd === pos) {
      pos = nl + 1;
      continue;
    }
    if (isWs(head.charCodeAt(pos))) {
      const more = trimWs(head.slice(pos, lineEnd));
      if (name === undefined) ok = false;
      else if (more.length > 0) value = value.length === 0 ? more : value + ' ' + more;
    } else {
      if (name !== undefined) headers.append(name, value);
      name = undefined;
      const colon = head.indexOf(':', pos);
      if (colon < 0 || colon >= lineEnd) ok = false;
      else {
        let nameEnd = colon;
        while (nameEnd > pos && isWs(head.charCodeAt(nameEnd - 1))) nameEnd--;
        const n = head.slice(pos, nameEnd);
        if (!isToken(n)) ok = false;
        else {
          name = n;
          value = trimWs(head.slice(colon + 1, lineEnd));
        }
      }
    }
    pos = nl + 1;
  }
  if (name !== undefined) headers.append(name, value);
  return ok;
}

/** Check that a single-valued address header (To, From) holds exactly one valid name-addr/addr-spec. */
function checkAddress(values: readonly string[], label: string, problems: Problems): void {
  if (values.length > 1) {
    problems.add(`Multiple ${label} values`);
    return;
  }
  try {
    parseNameAddr(values[0], label);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    const parts = splitHeaderValues(values[0]);
    const several = parts.length > 1 && parts.every((p) => canParseAddress(p));
    problems.add(several ? `Multiple ${label} values` : e.reason);
  }
}

function canParseAddress(value: string): boolean {
  try {
    parseNameAddr(value);
    return true;
  } catch (e) {
    if (e instanceof SipParseError) return false;
    throw e;
  }
}

/** Header names the parser checks. */
const CHECKED = new Set([
  'via', 'to', 'from', 'call-id', 'cseq', 'max-forwards', 'expires', 'content-type', 'content-length',
  'contact', 'route', 'record-route', 'date',
]);
const NONE: readonly string[] = [];

/** The values of the checked headers, grouped by canonical name in one pass over the fields. */
class CheckedFields {
  private readonly groups: Record<string, string[] | undefined> = Object.create(null) as Record<string, string[] | undefined>;
  constructor(headers: SipHeaders) {
    headers.forEach((_name, value, key) => {
      if (!CHECKED.has(key)) return;
      const g = this.groups[key];
      if (g === undefined) this.groups[key] = [value];
      else g.push(value);
    });
  }
  all(key: string): readonly string[] {
    return this.groups[key] ?? NONE;
  }
}

/** Checks of the header fields shared by requests and responses (RFC 3261 §8.1.1, §20). */
function checkCommonHeaders(msg: SipMessage, h: CheckedFields, problems: Problems): void {
  const vias = h.all('via');
  const tos = h.all('to');
  const froms = h.all('from');
  const callIds = h.all('call-id');
  const cseqs = h.all('cseq');
  const missing: string[] = [];
  if (vias.length === 0) missing.push('Via');
  if (tos.length === 0) missing.push('To');
  if (froms.length === 0) missing.push('From');
  if (callIds.length === 0) missing.push('Call-ID');
  if (cseqs.length === 0) missing.push('CSeq');
  if (missing.length > 0) problems.add(`Missing ${missing.join(', ')}`);
  try {
    for (const v of vias) parseVia(v);
  } catch (e) {
    problems.add(e instanceof SipParseError ? e.reason : 'Invalid Via');
  }
  if (tos.length > 0) checkAddress(tos, 'To', problems);
  if (froms.length > 0) checkAddress(froms, 'From', problems);
  if (callIds.length > 1) problems.add('Multiple Call-ID values');
  if (cseqs.length > 1) problems.add('Multiple CSeq values');
  else if (cseqs.length === 1) {
    try {
      const cseq = parseCSeq(cseqs[0]);
      if (msg instanceof SipRequest && cseq.method !== msg.method) problems.add('CSeq method does not match request method');
    } catch (e) {
      problems.add(e instanceof SipParseError ? e.reason : 'Invalid CSeq');
    }
  }
  if (callIds.length === 1 && !isCallId(callIds[0])) problems.add('Invalid Call-ID');
  const maxForwards = h.all('max-forwards');
  if (maxForwards.length > 1) problems.add('Multiple Max-Forwards values');
  else if (maxForwards.length === 1 && parseDigits(maxForwards[0], 255) < 0) problems.add('Invalid Max-Forwards');
  const expires = h.all('expires');
  if (expires.length > 1) problems.add('Multiple Expires values');
  else if (expires.length === 1 && parseDigits(expires[0], MAX_UINT32) < 0) problems.add('Invalid Expires');
  const contentTypes = h.all('content-type');
  if (contentTypes.length > 1) problems.add('Multiple Content-Type values');
  for (const line of h.all('contact')) {
    if (trimWs(line) === '*') continue;
    try {
      for (const v of splitHeaderValues(line)) {
        const contact = parseNameAddr(v, 'Contact');
        const exp = contact.params.get('expires');
        if (exp !== undefined && (exp === null || parseDigits(exp, MAX_UINT32) < 0)) problems.add('Invalid Contact expires');
      }
    } catch (e) {
      problems.add(e instanceof SipParseError ? e.reason : 'Invalid Contact');
    }
  }
  for (const [key, label] of [
    ['route', 'Route'],
    ['record-route', 'Record-Route'],
  ] as const) {
    try {
      for (const line of h.all(key)) for (const v of splitHeaderValues(line)) parseNameAddr(v, label);
    } catch (e) {
      problems.add(e instanceof SipParseError ? e.reason : `Invalid ${label}`);
    }
  }
  const date = h.all('date')[0];
  if (date !== undefined && !RFC1123_DATE.test(date)) problems.add('Invalid Date');
}

/** Check the Request-Line `Method SP Request-URI SP SIP-Version` (RFC 3261 §7.1, §25.1). */
function checkRequestLine(parts: string[], problems: Problems): void {
  if (parts.length !== 3) {
    if (parts.some((p) => p.length === 0)) problems.add('Malformed Request-Line: extra whitespace');
    else problems.add('Malformed Request-URI: embedded whitespace');
    return;
  }
  const [method, uriText, version] = parts;
  if (!isToken(method)) problems.add('Malformed Request-Line: invalid method');
  if (version.toUpperCase() !== 'SIP/2.0') {
    if (SIP_VERSION.test(version)) problems.add('Version Not Supported', 505);
    else problems.add('Malformed Request-Line: invalid SIP-Version');
  }
  let uri;
  try {
    uri = parseUri(uriText);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    problems.add(uriText.startsWith('<') ? 'Malformed Request-URI: enclosed in <>' : 'Invalid Request-URI');
    return;
  }
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips' && uri.scheme !== 'tel') problems.add('Unsupported URI Scheme', 416);
  else if (uri.headers.size > 0) problems.add('Request-URI must not contain headers');
}

/** Apply Content-Length to the bytes after the header section (RFC 3261 §18.3, §20.14). */
function readBody(data: Buffer, bodyStart: number, lengths: readonly string[], problems: Problems): Buffer {
  const available = data.length - bodyStart;
  if (lengths.length === 0) return data.subarray(bodyStart);
  if (lengths.length > 1) {
    problems.add('Multiple Content-Length values');
    return data.subarray(bodyStart);
  }
  const n = parseDigits(lengths[0], MAX_UINT32);
  if (n < 0) {
    problems.add('Invalid Content-Length');
    return data.subarray(bodyStart);
  }
  if (n > available) {
    problems.add('Content-Length larger than message body');
    return data.subarray(bodyStart);
  }
  return data.subarray(bodyStart, bodyStart + n);
}

/**
 * Parse one SIP message from a datagram or from a frame produced by `StreamFramer` (RFC 3261 §7, §18.3).
 *
 * Leading CRLFs are skipped (§7.5). A body longer than Content-Length is truncated; a shorter one is an error;
 * without Content-Length the body runs to the end of `data`. The returned body is a view into `data`.
 *
 * @throws SipParseError — and only that — naming the problem (`reason`), the status a UAS should answer
 *   (400, 416 "Unsupported URI Scheme", 505 "Version Not Supported"), whether an answer is possible
 *   (`respondable`: false for responses and for requests whose start line or Via cannot be read) and the
 *   request as far as it was read (`partial`).
 */
export function parseMessage(data: Buffer): SipRequest | SipResponse {
  try {
    return parse(data);
  } catch (e) {
    if (e instanceof SipParseError) throw e;
    throw new SipParseError('Malformed message');
  }
}

function parse(data: Buffer): SipRequest | SipResponse {
  let start = 0;
  while (start < data.length && (data[start] === 13 || data[start] === 10)) start++;
  if (start >= data.length) throw new SipParseError('Empty message');
  const { headEnd, bodyStart } = findHeaderEnd(data, start);
  const head = data.toString('utf8', start, headEnd);
  let nl = head.indexOf('\n');
  if (nl < 0) nl = head.length;
  const startLine = head.slice(0, nl > 0 && head.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
  const problems = new Problems();
  const headers = new SipHeaders();

  if (startLine.startsWith('SIP/') || startLine.startsWith('sip/')) {
    const sp1 = startLine.indexOf(' ');
    const sp2 = sp1 < 0 ? -1 : startLine.indexOf(' ', sp1 + 1);
    const version = sp1 < 0 ? startLine : startLine.slice(0, sp1);
    const codeText = sp1 < 0 ? '' : sp2 < 0 ? startLine.slice(sp1 + 1) : startLine.slice(sp1 + 1, sp2);
    const reason = sp2 < 0 ? '' : startLine.slice(sp2 + 1);
    if (version.toUpperCase() !== 'SIP/2.0') {
      throw new SipParseError(SIP_VERSION.test(version) ? 'Version Not Supported' : 'Malformed Status-Line', {
        status: SIP_VERSION.test(version) ? 505 : 400,
      });
    }
    const status = codeText.length === 3 ? parseDigits(codeText, 699) : -1;
    if (status < 100) throw new SipParseError('Invalid status code');
    if (!readFields(head, nl + 1, headers)) throw new SipParseError('Malformed header line');
    const res = new SipResponse(status, reason, headers);
    const checked = new CheckedFields(headers);
    checkCommonHeaders(res, checked, problems);
    res.body = readBody(data, bodyStart, checked.all('content-length'), problems);
    if (problems.first) throw problems.first;
    return res;
  }

  const parts = startLine.split(' ');
  checkRequestLine(parts, problems);
  const method = parts[0];
  if (!isToken(method)) throw new SipParseError('Malformed Request-Line');
  if (!readFields(head, nl + 1, headers)) problems.add('Malformed header line');
  const req = new SipRequest(method, parts.length >= 2 ? parts[1] : '', headers);
  const checked = new CheckedFields(headers);
  checkCommonHeaders(req, checked, problems);
  req.body = readBody(data, bodyStart, checked.all('content-length'), problems);
  if (problems.first) throw problems.first.withContext(isRespondable(req), req);
  return req;
}

/**
 * A request can be answered when the sent-by of its top Via can be read (responses are routed by it,
 * RFC 3261 §18.2.2); malformed Via parameters do not prevent an answer (RFC 4475 §3.1.2.1).
 */
function isRespondable(req: SipRequest): boolean {
  const via = req.headers.get('via');
  if (via === undefined) return false;
  try {
    parseFirstVia(via, true);
    return true;
  } catch (e) {
    if (e instanceof SipParseError) return false;
    throw e;
  }
}
