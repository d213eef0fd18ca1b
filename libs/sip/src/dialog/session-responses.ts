/**
 * Responses of the local UAS inside one dialog (RFC 3261 §8.2.6, §12.1.1, §14.2): the dialog's To tag on
 * every one, Contact on 2xx and 101–199 to dialog-creating and target-refresh requests, the agent's
 * common headers (Allow, Supported, Server), and 500 with Retry-After for requests that collide.
 */
import { createResponse, type SipRequest, type SipResponse } from '../message';
import type { ServerTransactionHandle } from './session-dialog-delegate';

/** Builds the responses of one dialog. */
export class SessionResponses {
  /**
   * @param localTag the dialog's To tag.
   * @param localContact our Contact (URI or name-addr).
   * @param common header fields added to every response unless already present.
   */
  constructor(
    private readonly localTag: string,
    private readonly localContact: string,
    private readonly common: ReadonlyArray<readonly [string, string]> = [],
  ) {}

  /** A response with the To tag and the common headers. */
  build(req: SipRequest, status: number, reason?: string): SipResponse {
    return this.finish(createResponse(req, status, reason, { toTag: this.localTag }));
  }

  /** A 200 carrying `sdp`, with Contact and `extra` headers (session timer). */
  okWithSdp(req: SipRequest, sdp: string, extra: ReadonlyArray<readonly [string, string]> = []): SipResponse {
    const res = createResponse(req, 200, undefined, { toTag: this.localTag, body: Buffer.from(sdp, 'utf8'), contentType: 'application/sdp' });
    this.addContact(res);
    for (const [n, v] of extra) res.headers.append(n, v);
    return this.finish(res);
  }

  /** Answer `tx` with `status`. */
  respond(tx: ServerTransactionHandle, status: number, reason?: string): void {
    tx.respond(this.build(tx.request, status, reason));
  }

  /** Answer `tx` 500 with Retry-After 0–10 s (RFC 3261 §14.2, RFC 3311 §5.2). */
  retryLater(tx: ServerTransactionHandle): void {
    const res = this.build(tx.request, 500, 'Request Pending');
    res.headers.append('Retry-After', String(Math.floor(Math.random() * 11)));
    tx.respond(res);
  }

  /** Add our Contact (§12.1.1). */
  addContact(res: SipResponse): void {
    const c = this.localContact;
    res.headers.append('Contact', c.includes('<') ? c : `<${c}>`);
  }

  /** Add the common headers not yet present. */
  finish(res: SipResponse): SipResponse {
    for (const [n, v] of this.common) if (!res.headers.has(n)) res.headers.append(n, v);
    return res;
  }
}
