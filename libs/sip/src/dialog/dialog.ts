/**
 * The dialog (RFC 3261 §12): the peer-to-peer relationship that an INVITE establishes, identified by
 * Call-ID, local tag and remote tag, with the state needed to send and check requests inside it:
 * local and remote CSeq numbers, the route set and the remote target.
 *
 * The MCU is always the UAS of the dialog-creating request (§12.1.1); requests the MCU sends inside the
 * dialog (BYE, re-INVITE, UPDATE, INFO, MESSAGE) are built by `createRequest()` per §12.2.1.1.
 */
import {
  SipHeaders,
  SipParseError,
  SipRequest,
  formatNameAddr,
  formatUri,
  getCallId,
  getContacts,
  getCSeq,
  getFrom,
  getRoutes,
  getTag,
  getTo,
  parseUri,
  topVia,
  type NameAddr,
  type SipUri,
} from '../message';

/** Dialog ID (RFC 3261 §12): Call-ID, local tag, remote tag. */
export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
}

/** A string key for maps of dialogs. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/**
 * The dialog ID a request received by a UAS belongs to (§12.2.2): local tag = To tag, remote tag =
 * From tag; `undefined` when the To has no tag (the request is outside any dialog).
 * @throws SipParseError when Call-ID, From or To are missing or malformed.
 */
export function uasDialogIdOf(req: SipRequest): DialogId | undefined {
  const localTag = getTag(getTo(req));
  if (localTag === undefined) return undefined;
  return { callId: getCallId(req), localTag, remoteTag: getTag(getFrom(req)) ?? '' };
}

/** Largest initial local CSeq number (§8.1.1.5: less than 2^31). */
const MAX_INITIAL_CSEQ = 2 ** 31 - 1;

/** Options of `createRequest()`. */
export interface DialogRequestOptions {
  /** Body octets (a string is sent as UTF-8). */
  body?: Buffer | string;
  /** Content-Type of the body, e.g. `application/sdp`. */
  contentType?: string;
  /** Further header fields, appended in order. */
  headers?: ReadonlyArray<readonly [string, string]>;
  /** CSeq number to use instead of the next local one (ACK for a 2xx: the INVITE's number, §13.2.2.4). */
  cseq?: number;
}

/** Options of `Dialog.createUas()`. */
export interface UasDialogOptions {
  /** The To tag the UAS adds to its responses (§12.1.1). */
  localTag: string;
  /** The Contact the UAS puts into its responses and requests (a URI or name-addr). */
  localContact: string;
  /** First local CSeq number; random below 2^31 when omitted (§12.2.1.1, §8.1.1.5). */
  initialLocalSeq?: number;
}

/** The state of one dialog (§12). */
export class Dialog {
  /** Dialog ID. */
  readonly id: DialogId;
  /** `dialogKey(id)`. */
  readonly key: string;
  /** Local URI with its display name (the To of the request, §12.1.1), without tag. */
  readonly localAddress: NameAddr;
  /** Remote URI with its display name (the From of the request), without tag. */
  readonly remoteAddress: NameAddr;
  /** Route set (§12.1.1: Record-Route of the request, in order), each a name-addr. */
  readonly routeSet: readonly NameAddr[];
  /** True when the request came over TLS with a SIPS Request-URI (§12.1.1). */
  readonly secure: boolean;
  /** The Contact the local side sends. */
  readonly localContact: string;
  private remoteTargetUri: SipUri;
  private localSeqNumber: number | undefined;
  private remoteSeqNumber: number;
  private readonly initialLocalSeq?: number;

  private constructor(init: {
    id: DialogId;
    localAddress: NameAddr;
    remoteAddress: NameAddr;
    routeSet: NameAddr[];
    secure: boolean;
    localContact: string;
    remoteTarget: SipUri;
    remoteSeq: number;
    initialLocalSeq?: number;
  }) {
    this.id = init.id;
    this.key = dialogKey(init.id);
    this.localAddress = init.localAddress;
    this.remoteAddress = init.remoteAddress;
    this.routeSet = init.routeSet;
    this.secure = init.secure;
    this.localContact = init.localContact;
    this.remoteTargetUri = init.remoteTarget;
    this.remoteSeqNumber = init.remoteSeq;
    this.initialLocalSeq = init.initialLocalSeq;
  }

  /**
   * Create the dialog of a UAS that answers `req` with a 101-299 response carrying `localTag` (§12.1.1):
   * route set = Record-Route in order, remote target = the Contact URI, remote sequence number = CSeq,
   * local sequence number empty, remote tag = From tag (empty when the peer is an RFC 2543 UA). An RFC 2543
   * request (Via branch without the `z9hG4bK` cookie) without Contact targets its From URI instead.
   * @throws SipParseError (400) when the request has no Contact or more than one (§8.1.1.8, §12.1.1),
   *   or malformed Call-ID, From, To, CSeq, Contact or Record-Route.
   */
  static createUas(req: SipRequest, options: UasDialogOptions): Dialog {
    const from = getFrom(req);
    const to = getTo(req);
    const contacts = getContacts(req);
    if (contacts === '*') throw new SipParseError('Invalid Contact', { respondable: true, partial: req });
    if (contacts.length > 1) throw new SipParseError('More than one Contact', { respondable: true, partial: req });
    let remoteTarget: SipUri;
    if (contacts.length === 1) remoteTarget = contacts[0].uri;
    else if (isRfc2543(req) && (from.uri.scheme === 'sip' || from.uri.scheme === 'sips')) {
      // RFC 2543 made Contact optional; its requests then go back to the From address (RFC 4475 §3.4.1).
      remoteTarget = from.uri;
    } else throw new SipParseError('Missing Contact', { respondable: true, partial: req });
    const requestUri = parseUri(req.uri);
    return new Dialog({
      id: { callId: getCallId(req), localTag: options.localTag, remoteTag: getTag(from) ?? '' },
      localAddress: withoutTag(to),
      remoteAddress: withoutTag(from),
      routeSet: getRoutes(req, 'record-route'),
      secure: requestUri.scheme === 'sips',
      localContact: options.localContact,
      remoteTarget,
      remoteSeq: getCSeq(req).seq,
      initialLocalSeq: options.initialLocalSeq,
    });
  }

  /** The remote target: the URI in-dialog requests go to (§12.1.1, refreshed by §12.2.2). */
  get remoteTarget(): SipUri {
    return this.remoteTargetUri;
  }

  /** The remote sequence number (highest CSeq accepted from the peer). */
  get remoteSeq(): number {
    return this.remoteSeqNumber;
  }

  /** The local sequence number (last CSeq used by the local side), `undefined` while empty. */
  get localSeq(): number | undefined {
    return this.localSeqNumber;
  }

  /**
   * Apply the CSeq check of §12.2.2 to a request received in the dialog (not ACK or CANCEL, which
   * reuse the number of their INVITE): a number not above the remote sequence number means the request
   * is out of order (answer 500); otherwise the remote sequence number becomes the request's.
   * @returns false when the request is out of order.
   * @throws SipParseError when the CSeq is missing or malformed.
   */
  acceptRemoteSeq(req: SipRequest): boolean {
    const { seq } = getCSeq(req);
    if (seq <= this.remoteSeqNumber) return false;
    this.remoteSeqNumber = seq;
    return true;
  }

  /**
   * Target refresh (§12.2.2; RFC 6141 §3.2: applied when the refresh request is answered with a 2xx):
   * the remote target becomes the Contact of a re-INVITE or UPDATE when it carries one.
   * @throws SipParseError when the Contact is malformed.
   */
  refreshRemoteTarget(req: SipRequest): void {
    const contacts = getContacts(req);
    if (contacts !== '*' && contacts.length > 0) this.remoteTargetUri = contacts[0].uri;
  }

  /** The next local CSeq number; the first is chosen once below 2^31 (§12.2.1.1, §8.1.1.5). */
  private nextLocalSeq(): number {
    if (this.localSeqNumber === undefined) {
      this.localSeqNumber = this.initialLocalSeq ?? 1 + Math.floor(Math.random() * (MAX_INITIAL_CSEQ / 2));
    } else {
      this.localSeqNumber++;
    }
    return this.localSeqNumber;
  }

  /**
   * Build a request inside the dialog (§12.2.1.1): To = remote URI and tag, From = local URI and tag,
   * Call-ID, CSeq = next local number (or `options.cseq`), Request-URI and Route from the remote target
   * and route set (loose routing when the first route has `lr`, else strict routing with the remote
   * target appended), Contact, Max-Forwards 70. No Via: the transaction layer adds it (§8.1.1.7).
   */
  createRequest(method: string, options: DialogRequestOptions = {}): SipRequest {
    const headers = new SipHeaders();
    let requestUri: SipUri = this.remoteTargetUri;
    let routes: string[] = [];
    if (this.routeSet.length > 0) {
      const first = this.routeSet[0];
      if (first.uri.params.has('lr')) {
        routes = this.routeSet.map(formatNameAddr);
      } else {
        requestUri = { ...first.uri, headers: new Map() };
        routes = [...this.routeSet.slice(1).map(formatNameAddr), `<${formatUri(this.remoteTargetUri)}>`];
      }
    }
    for (const r of routes) headers.append('Route', r);
    headers.append('Max-Forwards', '70');
    headers.append('From', formatNameAddr(withTag(this.localAddress, this.id.localTag)));
    headers.append('To', formatNameAddr(withTag(this.remoteAddress, this.id.remoteTag)));
    headers.append('Call-ID', this.id.callId);
    const seq = options.cseq ?? this.nextLocalSeq();
    headers.append('CSeq', `${seq} ${method}`);
    headers.append('Contact', this.localContact.includes('<') ? this.localContact : `<${this.localContact}>`);
    for (const [name, value] of options.headers ?? []) headers.append(name, value);
    let body: Buffer | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
      if (options.contentType !== undefined) headers.append('Content-Type', options.contentType);
    }
    return new SipRequest(method, formatUri(requestUri), headers, body);
  }

  /**
   * The URI the request goes to first (§8.1.2, §12.2.1.1): the first route of the route set when there is
   * one, else the remote target.
   */
  nextHop(): SipUri {
    return this.routeSet.length > 0 ? this.routeSet[0].uri : this.remoteTargetUri;
  }
}

/** True for a request from an RFC 2543 element: its top Via branch lacks the magic cookie (§8.1.1.7). */
function isRfc2543(req: SipRequest): boolean {
  try {
    return !(topVia(req).branch ?? '').startsWith('z9hG4bK');
  } catch {
    return false;
  }
}

function withoutTag(na: NameAddr): NameAddr {
  const params = new Map(na.params);
  params.delete('tag');
  return { displayName: na.displayName, uri: na.uri, params };
}

function withTag(na: NameAddr, tag: string): NameAddr {
  const params = new Map(na.params);
  if (tag !== '') params.set('tag', tag);
  return { displayName: na.displayName, uri: na.uri, params };
}
