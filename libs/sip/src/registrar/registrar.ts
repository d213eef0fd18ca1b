/**
 * A SIP registrar (RFC 3261 §10.3) with digest authentication (RFC 3261 §22.4, RFC 7616, RFC 8760).
 *
 * `handle()` takes a REGISTER and resolves to the response to send; bad input is answered (400, 401, 403,
 * 404, 416, 420, 423, 500), never thrown. Processing follows §10.3 in order:
 *  1. the Request-URI must name a domain this registrar serves;
 *  2. Require option tags are not supported (420);
 *  3. the request must carry valid Digest credentials (401 with SHA-256 and MD5 challenges);
 *  4. the authenticated user must be allowed to register the To AOR (403);
 *  5. the To URI must be a valid AOR of a served domain (404);
 *  6–7. Contacts are turned into binding updates, applied all or nothing; `*` removes all;
 *  8. the 200 OK lists every current binding with its remaining `expires` and a Date header.
 * REGISTERs for one AOR are processed one at a time so the Call-ID/CSeq rule of step 7 holds.
 */
import {
  createResponse,
  generateTag,
  getCallId,
  getContacts,
  getCSeq,
  getOptionTags,
  getTo,
  parseUri,
  SipParseError,
  type NameAddr,
  type SipRequest,
  type SipResponse,
  type SipUri,
} from '../message';
import { addressOfRecord } from './address-of-record';
import type { Binding, BindingStore, CredentialStore } from './binding-store';
import { planBindingUpdate } from './binding-update';
import { DigestAuthenticator, type DigestAuthenticatorOptions } from './digest-auth';
import { readDeltaSeconds, readRequestedBindings, type ExpiryPolicy, type RequestedBinding } from './requested-binding';

/** The logging calls the registrar makes; a pino logger fits as is. */
export interface RegistrarLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of a `Registrar`. Intervals in seconds. */
export interface RegistrarOptions {
  /** The SIP domain served (e.g. `MCU_SIP_DOMAIN`); the digest realm unless `realm` is given. */
  domain: string;
  /** Digest realm. Default: `domain`. */
  realm?: string;
  /**
   * Hosts the Request-URI and the To may name, compared case-insensitively without port: a list (the
   * `domain` is always included) or a predicate. Default: any host, since an MCU is reached under names
   * and addresses it cannot know (DNS aliases, NAT addresses).
   */
  acceptedHosts?: readonly string[] | ((host: string) => boolean);
  /** When set, every AOR uses this host instead of the To host, so all spellings of the domain share bindings. */
  aorHost?: string;
  /** Where bindings live (Redis in the application). */
  bindings: BindingStore;
  /** Where HA1 values of SIP users come from. */
  credentials: CredentialStore;
  /** Digest settings (algorithms, nonce lifetime, secret, …). */
  digest?: Omit<DigestAuthenticatorOptions, 'realm' | 'credentials' | 'clock'>;
  /** Whether `username` may register `aor` (step 4). Default: the To user equals the username. */
  authorize?: (username: string, aor: { aor: string; user: string; host: string }) => boolean;
  /** Wall clock, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
  /** Default 60. */
  minExpires?: number;
  /** Default 3600. */
  maxExpires?: number;
  /** Default 3600. */
  defaultExpires?: number;
  /** Most bindings one AOR may hold (403 beyond). Default 10. */
  maxBindingsPerAor?: number;
  /** Receives a line for every refused REGISTER, failed challenge, binding change and store failure. */
  logger?: RegistrarLogger;
}

/** Outcome of a step: go on with a value, or stop with a response. */
type Step<T> = { response: SipResponse } | { value: T };

const silent: RegistrarLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * RFC 3261 §10.3 registrar over a `BindingStore`, authenticating against a `CredentialStore`.
 * @throws RangeError from the constructor when an interval or limit is not a non-negative integer, when
 *   minExpires exceeds maxExpires, or on an invalid digest configuration (see `DigestAuthenticator`).
 */
export class Registrar {
  /** The digest authenticator in use (its `challenge()` may be reused for other requests). */
  readonly authenticator: DigestAuthenticator;
  private readonly domain: string;
  private readonly acceptHost: (host: string) => boolean;
  private readonly aorHost?: string;
  private readonly store: BindingStore;
  private readonly authorize: NonNullable<RegistrarOptions['authorize']>;
  private readonly clock: () => number;
  private readonly policy: ExpiryPolicy;
  private readonly maxBindings: number;
  private readonly logger: RegistrarLogger;
  /** Tail of the queue of REGISTERs per AOR (entries leave when their queue empties). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: RegistrarOptions) {
    this.domain = options.domain.toLowerCase();
    this.acceptHost = hostFilter(this.domain, options.acceptedHosts);
    this.aorHost = options.aorHost?.toLowerCase();
    this.store = options.bindings;
    this.authorize = options.authorize ?? ((username, aor) => username === aor.user);
    this.clock = options.clock ?? Date.now;
    this.policy = {
      minExpires: options.minExpires ?? 60,
      maxExpires: options.maxExpires ?? 3600,
      defaultExpires: options.defaultExpires ?? 3600,
    };
    this.maxBindings = options.maxBindingsPerAor ?? 10;
    const { minExpires, maxExpires, defaultExpires } = this.policy;
    for (const v of [minExpires, maxExpires, defaultExpires, this.maxBindings]) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError('Registrar intervals and limits must be non-negative integers');
    }
    if (minExpires > maxExpires) throw new RangeError('Registrar minExpires must not exceed maxExpires');
    this.logger = options.logger ?? silent;
    this.authenticator = new DigestAuthenticator({
      ...options.digest,
      realm: options.realm ?? options.domain,
      credentials: options.credentials,
      clock: this.clock,
    });
  }

  /**
   * Process one REGISTER (RFC 3261 §10.3).
   * @param req the request (method REGISTER; another method is answered 405).
   * @param source where it came from, `"<transport>:<address>:<port>"`, e.g. `"UDP:203.0.113.5:5060"`; stored
   *   with the bindings.
   * @returns the response to send; never rejects (a failing store gives 500 and an error log line).
   */
  async handle(req: SipRequest, source: string): Promise<SipResponse> {
    try {
      return await this.process(req, source);
    } catch (e) {
      if (e instanceof SipParseError) return this.refuse(req, source, 400, e.reason);
      this.logger.error({ source, err: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }, 'registrar failed');
      return createResponse(req, 500, undefined, { toTag: generateTag() });
    }
  }

  private async process(req: SipRequest, source: string): Promise<SipResponse> {
    if (req.method !== 'REGISTER') {
      const res = this.refuse(req, source, 405, 'Method Not Allowed');
      res.headers.append('Allow', 'REGISTER');
      return res;
    }
    const to = getTo(req);
    const callId = getCallId(req);
    const cseq = getCSeq(req);
    if (cseq.method !== 'REGISTER') return this.refuse(req, source, 400, 'CSeq method does not match');
    const contacts = getContacts(req);

    // Step 1: the Request-URI names a served domain.
    const target = this.checkRequestUri(req, source);
    if ('response' in target) return target.response;
    // Step 2: no extension is supported.
    const required = getOptionTags(req, 'require');
    if (required.length > 0) {
      const res = this.refuse(req, source, 420, 'Bad Extension');
      res.headers.append('Unsupported', required.join(', '));
      return res;
    }
    // Step 3: authentication.
    const auth = await this.authenticate(req, source);
    if ('response' in auth) return auth.response;
    // Steps 4–5: authorization and the address-of-record.
    const aor = this.checkAddressOfRecord(req, source, to, auth.value);
    if ('response' in aor) return aor.response;

    return this.serialized(aor.value, () => this.update(req, source, aor.value, contacts, callId, cseq.seq));
  }

  /** Steps 6–8 for one AOR; runs alone for that AOR. */
  private async update(
    req: SipRequest,
    source: string,
    aor: string,
    contacts: NameAddr[] | '*',
    callId: string,
    cseq: number,
  ): Promise<SipResponse> {
    const now = this.clock();
    const existing = (await this.store.list(aor)).filter((b) => b.expiresAt > now);
    const headerExpires = readDeltaSeconds(req.headers.get('expires'));
    let requested: RequestedBinding[] | '*' = '*';
    if (contacts === '*') {
      // Step 6: the wildcard stands alone, with Expires: 0.
      if (req.headers.getAll('contact').length !== 1 || headerExpires !== 0) {
        return this.refuse(req, source, 400, 'Invalid wildcard Contact');
      }
    } else if (contacts.length === 0) {
      return this.ok(req, existing, now); // a query (§10.2.3)
    } else {
      const reading = readRequestedBindings(contacts, headerExpires, this.policy);
      if (!reading.ok) {
        if (reading.status === 400) return this.refuse(req, source, 400, reading.reason);
        const res = this.refuse(req, source, 423, 'Interval Too Brief');
        res.headers.append('Min-Expires', String(reading.minExpires));
        return res;
      }
      requested = reading.bindings;
    }
    const plan = planBindingUpdate(existing, requested, { aor, callId, cseq, now, source });
    if (!plan.ok) return this.refuse(req, source, 500, 'Out of Order REGISTER', { aor, contact: plan.contact });
    if (plan.bindings.length > this.maxBindings) return this.refuse(req, source, 403, 'Too Many Contacts', { aor });
    // Removals first: a Contact whose text changed is removed under its old text and written under its new one.
    for (const contact of plan.remove) await this.store.remove(aor, contact);
    for (const binding of plan.put) await this.store.put(binding);
    this.logger.info(
      { aor, source, added: plan.put.map((b) => b.contact), removed: plan.remove, bindings: plan.bindings.length },
      'registration updated',
    );
    return this.ok(req, plan.bindings, now);
  }

  private checkRequestUri(req: SipRequest, source: string): Step<SipUri> {
    let uri: SipUri;
    try {
      uri = parseUri(req.uri);
    } catch (e) {
      if (e instanceof SipParseError) return { response: this.refuse(req, source, 400, 'Invalid Request-URI') };
      throw e;
    }
    if (uri.scheme !== 'sip' && uri.scheme !== 'sips') {
      return { response: this.refuse(req, source, 416, 'Unsupported URI Scheme') };
    }
    if (!this.acceptHost(uri.host)) return { response: this.refuse(req, source, 404, 'Domain Not Served') };
    return { value: uri };
  }

  private async authenticate(req: SipRequest, source: string): Promise<Step<string>> {
    const verdict = await this.authenticator.verify({
      method: req.method,
      uri: req.uri,
      authorization: req.headers.getAll('authorization'),
    });
    switch (verdict.outcome) {
      case 'authenticated':
        return { value: verdict.username };
      case 'bad-request':
        return { response: this.refuse(req, source, 400, verdict.reason) };
      case 'challenge': {
        const res = createResponse(req, 401, 'Unauthorized', { toTag: generateTag() });
        for (const value of this.authenticator.challenge(verdict.stale)) res.headers.append('WWW-Authenticate', value);
        if (verdict.failure !== 'no-credentials') {
          this.logger.warn({ source, failure: verdict.failure, username: verdict.username, stale: verdict.stale }, 'REGISTER challenged');
        }
        return { response: res };
      }
    }
  }

  private checkAddressOfRecord(req: SipRequest, source: string, to: NameAddr, username: string): Step<string> {
    const uri = to.uri;
    const aor = addressOfRecord(uri, this.aorHost);
    if (aor !== undefined && uri.user !== undefined && !this.authorize(username, { aor, user: uri.user, host: uri.host })) {
      return { response: this.refuse(req, source, 403, 'Forbidden', { username, aor }) };
    }
    if (aor === undefined || !this.acceptHost(uri.host)) {
      return { response: this.refuse(req, source, 404, 'Not Found', { username }) };
    }
    return { value: aor };
  }

  /** 200 OK listing `bindings` with their remaining intervals (step 8). */
  private ok(req: SipRequest, bindings: readonly Binding[], now: number): SipResponse {
    const res = createResponse(req, 200, 'OK', { toTag: generateTag() });
    for (const b of bindings) {
      const remaining = Math.ceil((b.expiresAt - now) / 1000);
      if (remaining <= 0) continue;
      let value = `<${b.contact}>;expires=${remaining}`;
      if (b.q !== undefined) value += `;q=${b.q}`;
      res.headers.append('Contact', value);
    }
    res.headers.append('Date', new Date(now).toUTCString());
    return res;
  }

  /** A final non-2xx response with a log line. */
  private refuse(req: SipRequest, source: string, status: number, reason: string, fields: object = {}): SipResponse {
    this.logger.warn({ source, status, reason, callId: req.headers.get('call-id'), ...fields }, 'REGISTER refused');
    return createResponse(req, status, reason, { toTag: generateTag() });
  }

  /** Run `task` after every earlier task for the same AOR has settled. */
  private async serialized<T>(aor: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(aor) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(aor, tail);
    try {
      return await run;
    } finally {
      if (this.queues.get(aor) === tail) this.queues.delete(aor);
    }
  }
}

function hostFilter(domain: string, accepted: RegistrarOptions['acceptedHosts']): (host: string) => boolean {
  if (accepted === undefined) return () => true;
  if (typeof accepted === 'function') {
    return (host) => {
      const h = host.toLowerCase();
      return h === domain || accepted(h);
    };
  }
  const hosts = new Set([domain, ...accepted.map((h) => h.toLowerCase())]);
  return (host) => hosts.has(host.toLowerCase());
}
