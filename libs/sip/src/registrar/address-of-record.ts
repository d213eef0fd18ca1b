/**
 * The address-of-record of a REGISTER (RFC 3261 §10.2 "To", §10.3 step 5): the SIP URI in the To header
 * field, reduced to a canonical text so that every spelling of one user names one set of bindings.
 */
import { formatUri, type SipUri } from '../message';

/**
 * Canonical AOR text `sip:user@host`: scheme `sip` (a `sips` AOR shares the bindings of its `sip` form),
 * the user part as written (case-sensitive, escapes normalised), the host in lower case, no port, URI
 * parameters or headers.
 * @param uri the To URI.
 * @param host when given, replaces the To host (a registrar that serves one domain under several names).
 * @returns the AOR, or `undefined` when `uri` is not a sip/sips URI with a non-empty user part (§10.3 step 5
 *   answers 404 then).
 */
export function addressOfRecord(uri: SipUri, host?: string): string | undefined {
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return undefined;
  if (uri.user === undefined || uri.user.length === 0 || uri.host.length === 0) return undefined;
  return formatUri({
    scheme: 'sip',
    user: uri.user,
    host: (host ?? uri.host).toLowerCase(),
    params: new Map(),
    headers: new Map(),
  });
}
