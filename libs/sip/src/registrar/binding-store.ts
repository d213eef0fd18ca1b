/**
 * Storage seams of the registrar (RFC 3261 §10.3). The registrar logic is storage-agnostic; the
 * application provides implementations (Redis in production and in tests).
 */

/** One Contact binding of an address-of-record (RFC 3261 §10.3 step 7). */
export interface Binding {
  /** The address-of-record, canonical `sip:user@domain` (no parameters). */
  aor: string;
  /** The Contact URI as registered (formatted URI, without the `<>`). */
  contact: string;
  /** Absolute expiry, epoch milliseconds. */
  expiresAt: number;
  /** Call-ID of the REGISTER that created or last refreshed the binding (§10.3 step 7). */
  callId: string;
  /** CSeq number of that REGISTER. */
  cseq: number;
  /** The Contact's `q` parameter (0..1), when given. */
  q?: number;
  /** Where the REGISTER came from: `"UDP:203.0.113.5:5060"`. */
  source: string;
  /** `+sip.instance` (RFC 5626), when given. */
  instanceId?: string;
}

/** Binding storage. Implementations drop expired bindings from every read. */
export interface BindingStore {
  /** Unexpired bindings of one AOR. */
  list(aor: string): Promise<Binding[]>;
  /** Add or replace (same `aor` + `contact`) a binding. */
  put(binding: Binding): Promise<void>;
  /** Remove one binding; no error when it does not exist. */
  remove(aor: string, contact: string): Promise<void>;
  /** Remove every binding of an AOR (`Contact: *` with `Expires: 0`). */
  removeAll(aor: string): Promise<void>;
  /** Every unexpired binding of every AOR. */
  listAll(): Promise<Binding[]>;
}

/** Digest algorithms the registrar accepts (RFC 7616 §3.2, RFC 8760). */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** Credentials for digest authentication. Passwords are never stored in clear: only HA1 values. */
export interface CredentialStore {
  /**
   * HA1 = H(username ":" realm ":" password) for the user in `realm` with `algorithm`
   * (hex, lower-case), or `undefined` when the user is unknown (RFC 7616 §3.4.2).
   */
  lookupHa1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined>;
}
