/**
 * The bindings a REGISTER asks for (RFC 3261 §10.2.1, §10.3 step 6): one per Contact, with the expiration
 * interval taken from the Contact's `expires` parameter, else the Expires header field, else the
 * registrar's default (§10.2.1.1), then held to the registrar's minimum (423, §10.3 step 6) and maximum.
 */
import { formatUri, MAX_UINT32, type NameAddr, type SipUri } from '../message';

/** Expiration limits of a registrar, all in seconds. */
export interface ExpiryPolicy {
  /** Shortest interval accepted (a shorter non-zero request is answered 423 Interval Too Brief). */
  minExpires: number;
  /** Longest interval granted (longer requests are shortened to it). */
  maxExpires: number;
  /** Interval used when neither the Contact nor the request states one. */
  defaultExpires: number;
}

/** One binding a REGISTER asks for, with the interval the registrar grants. */
export interface RequestedBinding {
  /** The Contact URI. */
  uri: SipUri;
  /** The Contact URI as text (`formatUri`), the binding's key. */
  contact: string;
  /** Granted interval in seconds; 0 removes the binding. */
  expires: number;
  /** The `q` parameter, 0..1. */
  q?: number;
  /** The `+sip.instance` value without quotes and angle brackets (RFC 5626 §4.1), e.g. `urn:uuid:…`. */
  instanceId?: string;
}

/** The requested bindings, or the response that refuses the request. */
export type ContactReading =
  | { ok: true; bindings: RequestedBinding[] }
  | { ok: false; status: 400; reason: string }
  | { ok: false; status: 423; minExpires: number };

/** Interval RFC 3261 §20.10 and §20.19 give to a malformed `expires` value, seconds. */
export const MALFORMED_EXPIRES_S = 3600;

/**
 * Read a delta-seconds value of Expires or of a Contact `expires` parameter (RFC 3261 §20.19, §20.10):
 * values above 2^32−1 count as 2^32−1; a quoted number is accepted; anything else (e.g. the RFC 2543
 * SIP-date form) is malformed and counts as 3600 s.
 * @returns seconds, or `undefined` when `value` is undefined.
 */
export function readDeltaSeconds(value: string | null | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === null) return MALFORMED_EXPIRES_S;
  let text = value.trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).trim();
  if (!/^[0-9]+$/.test(text)) return MALFORMED_EXPIRES_S;
  return Math.min(Number(text), MAX_UINT32);
}

const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Turn the Contacts of a REGISTER into requested bindings (RFC 3261 §10.3 step 6).
 * @param contacts the Contact values (not the `*` wildcard).
 * @param headerExpires the request's Expires in seconds (`readDeltaSeconds`), if any.
 * @returns the bindings; or 400 for a malformed `q`; or 423 with the minimum when a non-zero interval is
 *   shorter than `policy.minExpires`. Never throws.
 */
export function readRequestedBindings(
  contacts: readonly NameAddr[],
  headerExpires: number | undefined,
  policy: ExpiryPolicy,
): ContactReading {
  const bindings: RequestedBinding[] = [];
  for (const na of contacts) {
    const requested = readDeltaSeconds(na.params.get('expires')) ?? headerExpires ?? policy.defaultExpires;
    if (requested > 0 && requested < policy.minExpires) return { ok: false, status: 423, minExpires: policy.minExpires };
    const binding: RequestedBinding = {
      uri: na.uri,
      contact: formatUri(na.uri),
      expires: Math.min(requested, policy.maxExpires),
    };
    const q = na.params.get('q');
    if (q !== undefined) {
      if (q === null || !QVALUE.test(q)) return { ok: false, status: 400, reason: 'Invalid Contact q' };
      binding.q = Number(q);
    }
    const instance = na.params.get('+sip.instance');
    if (typeof instance === 'string') {
      const id = instance.replace(/^"(.*)"$/, '$1').replace(/^<(.*)>$/, '$1');
      if (id.length > 0) binding.instanceId = id;
    }
    bindings.push(binding);
  }
  return { ok: true, bindings };
}
