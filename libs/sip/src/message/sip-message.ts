/**
 * SIP message model (RFC 3261 §7): a request or a response, an ordered list of header fields
 * kept verbatim, and a body as bytes.
 *
 * Header names are matched case-insensitively and compact forms (RFC 3261 §7.3.3, e.g. `v` for Via)
 * are folded to their long form on lookup. Headers the stack does not interpret are kept verbatim and
 * re-serialized unchanged. Typed views of the headers the stack uses live in `headers.ts`.
 */

/** One header field line as received or to be sent: `name` as written, `value` with folding undone. */
export interface HeaderField {
  /** The name as it appeared on the wire (case preserved). */
  name: string;
  /** The value, leading/trailing whitespace trimmed, line folding (LWS) collapsed to one SP. */
  value: string;
}

/** RFC 3261 §7.3.3 compact forms, plus RFC 3515/3891/4028 ones in common use. */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  r: 'refer-to',
  b: 'referred-by',
  o: 'event',
  u: 'allow-events',
  x: 'session-expires',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
};

/** Lower-case long form of a header name (`"V"` → `"via"`, `"Call-ID"` → `"call-id"`). */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  // Compact forms are single letters; checking the length first also keeps prototype names out.
  return lower.length === 1 ? (COMPACT_FORMS[lower] ?? lower) : lower;
}

/**
 * An ordered, case-insensitive multimap of header fields.
 *
 * A field whose value is a comma-separated list (RFC 3261 §7.3.1) is stored as it was received
 * (one entry per line); callers that need the individual values use `headers.ts` helpers such as
 * `splitHeaderValues()`.
 */
export class SipHeaders {
  /** Fields in order, each with its canonical (lower-case long-form) name cached in `key`. */
  private readonly fields: Array<HeaderField & { key: string }>;

  constructor(fields: HeaderField[] = []) {
    this.fields = fields.map((f) => ({ name: f.name, value: f.value, key: canonicalHeaderName(f.name) }));
  }

  /** Number of field lines. */
  get size(): number {
    return this.fields.length;
  }

  /** All fields in order (a copy). */
  list(): HeaderField[] {
    return this.fields.map((f) => ({ name: f.name, value: f.value }));
  }

  /** Calls `fn` for each field in order with its canonical name (no copies; do not mutate while iterating). */
  forEach(fn: (name: string, value: string, canonicalName: string) => void): void {
    for (const f of this.fields) fn(f.name, f.value, f.key);
  }

  /** True when at least one field with this name (or its compact form) exists. */
  has(name: string): boolean {
    const key = canonicalHeaderName(name);
    for (const f of this.fields) if (f.key === key) return true;
    return false;
  }

  /** The value of the first field with this name, or `undefined`. */
  get(name: string): string | undefined {
    const key = canonicalHeaderName(name);
    for (const f of this.fields) if (f.key === key) return f.value;
    return undefined;
  }

  /** The values of every field line with this name, in order (lines are not split at commas). */
  getAll(name: string): string[] {
    const key = canonicalHeaderName(name);
    const out: string[] = [];
    for (const f of this.fields) if (f.key === key) out.push(f.value);
    return out;
  }

  /** Number of field lines with this name. */
  count(name: string): number {
    const key = canonicalHeaderName(name);
    let n = 0;
    for (const f of this.fields) if (f.key === key) n++;
    return n;
  }

  /** Replace every field with this name by one field (appended where the first one stood, else at the end). */
  set(name: string, value: string): this {
    const key = canonicalHeaderName(name);
    const at = this.fields.findIndex((f) => f.key === key);
    this.remove(name);
    if (at < 0) this.fields.push({ name, value, key });
    else this.fields.splice(at, 0, { name, value, key });
    return this;
  }

  /** Replace the value of the first field with this name, keeping its position and written name. False when absent. */
  replaceFirst(name: string, value: string): boolean {
    const key = canonicalHeaderName(name);
    for (const f of this.fields) {
      if (f.key === key) {
        f.value = value;
        return true;
      }
    }
    return false;
  }

  /** Append one field at the end. */
  append(name: string, value: string): this {
    this.fields.push({ name, value, key: canonicalHeaderName(name) });
    return this;
  }

  /** Insert one field before the first field of the same name (used for Via and Record-Route, §16.6). */
  prepend(name: string, value: string): this {
    const key = canonicalHeaderName(name);
    const at = this.fields.findIndex((f) => f.key === key);
    if (at < 0) this.fields.push({ name, value, key });
    else this.fields.splice(at, 0, { name, value, key });
    return this;
  }

  /** Remove every field with this name. Returns how many were removed. */
  remove(name: string): number {
    const key = canonicalHeaderName(name);
    let removed = 0;
    for (let i = this.fields.length - 1; i >= 0; i--) {
      if (this.fields[i].key === key) {
        this.fields.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  /** A deep copy. */
  clone(): SipHeaders {
    return new SipHeaders(this.fields);
  }
}

/** Fields shared by requests and responses. */
export abstract class SipMessage {
  /** SIP-Version, normally `"SIP/2.0"`. */
  version = 'SIP/2.0';
  readonly headers: SipHeaders;
  /** The message body (octets); empty when there is none. Content-Length is derived on serialization. */
  body: Buffer;

  protected constructor(headers?: SipHeaders, body?: Buffer) {
    this.headers = headers ?? new SipHeaders();
    this.body = body ?? Buffer.alloc(0);
  }

  abstract isRequest(): this is SipRequest;
  isResponse(): this is SipResponse {
    return !this.isRequest();
  }

  /** Shortcut for `headers.get(name)`. */
  header(name: string): string | undefined {
    return this.headers.get(name);
  }
}

/** A SIP request (RFC 3261 §7.1). */
export class SipRequest extends SipMessage {
  /**
   * @param method the method token, case-sensitive (RFC 3261 §7.1), e.g. `"INVITE"`.
   * @param uri the Request-URI as text (parse it with `parseUri()` from `uri.ts`).
   */
  constructor(
    public method: string,
    public uri: string,
    headers?: SipHeaders,
    body?: Buffer,
  ) {
    super(headers, body);
  }

  isRequest(): this is SipRequest {
    return true;
  }
}

/** A SIP response (RFC 3261 §7.2). */
export class SipResponse extends SipMessage {
  /**
   * @param status the status code, 100..699.
   * @param reason the reason phrase (may be empty).
   */
  constructor(
    public status: number,
    public reason: string,
    headers?: SipHeaders,
    body?: Buffer,
  ) {
    super(headers, body);
  }

  isRequest(): this is SipRequest {
    return false;
  }
}
