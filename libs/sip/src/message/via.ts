/**
 * The Via header field (RFC 3261 §20.42, §25.1; `received`/`rport` per RFC 3581).
 *
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by       = host [ COLON port ]
 */
import { SipParseError } from './errors';
import { isWs, parseParams, scanToken, skipWs } from './grammar';

/** One via-parm. */
export interface Via {
  /** protocol-name/protocol-version, upper-case, normally `"SIP/2.0"`. */
  protocol: string;
  /** Transport, upper-case: `"UDP"`, `"TCP"`, `"TLS"`, `"SCTP"`, `"WS"`, … */
  transport: string;
  /** sent-by host, lower-case; an IPv6 reference keeps its brackets. */
  host: string;
  /** sent-by port, when written. */
  port?: number;
  /** All via-params as written (names lower-case, `null` = no value), including branch/received/rport. */
  params: Map<string, string | null>;
  /** The branch parameter (RFC 3261 §8.1.1.7); authoritative over `params` when formatting. */
  branch?: string;
  /** The received parameter (RFC 3261 §18.2.1); authoritative over `params` when formatting. */
  received?: string;
  /** The rport parameter (RFC 3581): a port, `null` when present without value; authoritative when formatting. */
  rport?: number | null;
}

function bad(): SipParseError {
  return new SipParseError('Invalid Via');
}

/** Parse the sent-protocol and sent-by of the via-parm at `i`; returns the via and the index after sent-by. */
function parseViaParm(s: string, i: number, end: number): { via: Via; next: number } {
  i = skipWs(s, i, end);
  const nameEnd = scanToken(s, i, end);
  if (nameEnd === i) throw bad();
  const name = s.slice(i, nameEnd);
  i = skipWs(s, nameEnd, end);
  if (s.charCodeAt(i) !== 47) throw bad();
  i = skipWs(s, i + 1, end);
  const versionEnd = scanToken(s, i, end);
  if (versionEnd === i) throw bad();
  const version = s.slice(i, versionEnd);
  i = skipWs(s, versionEnd, end);
  if (s.charCodeAt(i) !== 47) throw bad();
  i = skipWs(s, i + 1, end);
  const transportEnd = scanToken(s, i, end);
  if (transportEnd === i) throw bad();
  const transport = s.slice(i, transportEnd).toUpperCase();
  i = transportEnd;
  if (i >= end || !isWs(s.charCodeAt(i))) throw bad();
  i = skipWs(s, i, end);
  const hostStart = i;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i);
    if (close < 0 || close >= end) throw bad();
    i = close + 1;
  } else {
    while (i < end) {
      const c = s.charCodeAt(i);
      if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95) i++;
      else break;
    }
  }
  if (i === hostStart) throw bad();
  const via: Via = {
    protocol: `${name}/${version}`.toUpperCase(),
    transport,
    host: s.slice(hostStart, i).toLowerCase(),
    params: new Map(),
  };
  const afterHost = skipWs(s, i, end);
  if (afterHost < end && s.charCodeAt(afterHost) === 58) {
    i = skipWs(s, afterHost + 1, end);
    const portStart = i;
    let port = 0;
    while (i < end) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      port = port * 10 + d;
      i++;
    }
    if (i === portStart || i - portStart > 5 || port > 65535) throw bad();
    via.port = port;
  }
  return { via, next: i };
}

function applyKnownParams(via: Via): void {
  const branch = via.params.get('branch');
  if (branch !== undefined) {
    if (branch === null) throw bad();
    via.branch = branch;
  }
  const received = via.params.get('received');
  if (received !== undefined) {
    if (received === null) throw bad();
    via.received = received;
  }
  const rport = via.params.get('rport');
  if (rport !== undefined) {
    if (rport === null) via.rport = null;
    else {
      const n = /^\d{1,5}$/.test(rport) ? Number(rport) : -1;
      if (n < 0 || n > 65535) throw bad();
      via.rport = n;
    }
  }
}

/**
 * Parse a Via header field value into its via-parms, in order (RFC 3261 §20.42).
 * @throws SipParseError("Invalid Via") on any syntax error, including empty elements (",,", ";;").
 */
export function parseVia(value: string): Via[] {
  const out: Via[] = [];
  const end = value.length;
  let i = 0;
  for (;;) {
    const { via, next } = parseViaParm(value, i, end);
    i = parseParams(value, next, end, via.params, 'Via', true);
    applyKnownParams(via);
    out.push(via);
    if (i >= end) return out;
    i++; // the comma
  }
}

/**
 * Parse only the first via-parm of a Via header field value (the top Via when it is the first line).
 * With `lenient`, malformed parameters after the sent-by are skipped instead of rejected, so that a response
 * can still be routed for a request whose Via parameters are broken (RFC 4475 §3.1.2.1).
 * @throws SipParseError("Invalid Via") when the sent-protocol or sent-by cannot be read (or, when not
 *   lenient, on any error).
 */
export function parseFirstVia(value: string, lenient = false): Via {
  const end = value.length;
  const { via, next } = parseViaParm(value, 0, end);
  if (!lenient) {
    parseParams(value, next, end, via.params, 'Via', true);
    applyKnownParams(via);
    return via;
  }
  try {
    parseParams(value, next, end, via.params, 'Via', true);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    // keep the parameters read before the error
  }
  try {
    applyKnownParams(via);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    via.params.delete('rport');
    via.branch = via.params.get('branch') ?? undefined;
    via.received = via.params.get('received') ?? undefined;
  }
  return via;
}

/**
 * Write one via-parm: `SIP/2.0/UDP host:port;params`. The `branch`, `received` and `rport` fields take
 * precedence over the same names in `params` (a field left undefined removes the parameter).
 */
export function formatVia(v: Via): string {
  let out = `${v.protocol}/${v.transport} ${v.host}`;
  if (v.port !== undefined) out += ':' + v.port;
  const known = (name: string): string | null | undefined => {
    if (name === 'branch') return v.branch;
    if (name === 'received') return v.received;
    return v.rport === null ? null : v.rport === undefined ? undefined : String(v.rport);
  };
  const written = new Set<string>();
  for (const [name, value] of v.params) {
    if (name === 'branch' || name === 'received' || name === 'rport') {
      const field = known(name);
      written.add(name);
      if (field === undefined) continue;
      out += field === null ? `;${name}` : `;${name}=${field}`;
    } else {
      out += value === null ? `;${name}` : `;${name}=${value}`;
    }
  }
  for (const name of ['branch', 'received', 'rport']) {
    if (written.has(name)) continue;
    const field = known(name);
    if (field === undefined) continue;
    out += field === null ? `;${name}` : `;${name}=${field}`;
  }
  return out;
}
