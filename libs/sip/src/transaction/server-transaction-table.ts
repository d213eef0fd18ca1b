/**
 * The server transaction table (RFC 3261 §17.2.3, §9.2, §13.3.1.4): which live server transaction a
 * received request, ACK or CANCEL belongs to.
 *
 * - Requests and ACKs match by `serverKey()` (branch + sent-by + method, or the RFC 2543 fields),
 *   with the To tag compared here for RFC 2543 keys: a request's To tag against the original
 *   request's, an ACK's against the To tag of the response the transaction sent.
 * - An ACK for a 2xx carries a branch of its own; it is matched to the INVITE server transaction in
 *   the Accepted state by Call-ID, CSeq number, From tag and the 2xx's To tag, only so that the 2xx
 *   retransmission stops.
 * - A CANCEL finds its INVITE under the INVITE's key (§9.2). Some deployed UAs put a fresh branch on
 *   CANCEL; when the key finds nothing, a single live INVITE with the same Call-ID, CSeq number,
 *   From tag, Request-URI and source address is taken instead of answering 481.
 */
import { getCallId, getCSeq, getFrom, getTag, SipRequest } from '../message';
import type { RemoteAddress } from '../transport';
import { InviteServerTransaction } from './invite-server';
import type { ServerTransaction } from './server-transaction';
import { ackDialogKey, ackDialogKeyOf, ServerKey, serverKey, toTag } from './transaction-key';

/** How a CANCEL was matched to its INVITE. */
export type CancelMatch = 'branch' | 'rfc2543' | 'call';

/** Live server transactions, indexed for matching. */
export class ServerTransactionTable {
  private readonly byKey = new Map<string, ServerTransaction>();
  private readonly acceptedByDialog = new Map<string, InviteServerTransaction>();
  private readonly invitesByCall = new Map<string, InviteServerTransaction>();
  private readonly secondaryKeys = new WeakMap<InviteServerTransaction, { dialog?: string; call?: string }>();

  /** Adds a new transaction under its id (its `serverKey`). */
  add(tx: ServerTransaction): void {
    this.byKey.set(tx.id, tx);
    if (tx instanceof InviteServerTransaction) {
      const call = callKey(tx.request);
      this.invitesByCall.set(call, tx);
      this.secondaryKeys.set(tx, { call });
    }
  }

  /** The transaction a retransmitted request (not ACK) belongs to, if any (§17.2.3). */
  match(request: SipRequest, key: ServerKey): ServerTransaction | undefined {
    const tx = this.byKey.get(key.key);
    if (!tx) return undefined;
    return key.rfc3261 || toTag(tx.request) === toTag(request) ? tx : undefined;
  }

  /** The INVITE server transaction an ACK belongs to by §17.2.3 rules, if any. */
  matchAck(ack: SipRequest, key: ServerKey): InviteServerTransaction | undefined {
    const tx = this.byKey.get(key.key);
    if (!(tx instanceof InviteServerTransaction)) return undefined;
    if (key.rfc3261) return tx;
    const response = tx.lastResponse;
    return response !== undefined && toTag(response) === toTag(ack) ? tx : undefined;
  }

  /** The INVITE server transaction in Accepted whose 2xx this ACK acknowledges (§13.3.1.4), if any. */
  acceptedFor(ack: SipRequest): InviteServerTransaction | undefined {
    return this.acceptedByDialog.get(ackDialogKeyOf(ack));
  }

  /** The INVITE server transaction a CANCEL targets (§9.2), and how it was found. */
  inviteForCancel(cancel: SipRequest, source: RemoteAddress): { invite: InviteServerTransaction; how: CancelMatch } | undefined {
    const key = serverKey(cancel, 'INVITE');
    const byKey = this.byKey.get(key.key);
    if (byKey instanceof InviteServerTransaction && (key.rfc3261 || toTag(byKey.request) === toTag(cancel))) {
      return { invite: byKey, how: key.rfc3261 ? 'branch' : 'rfc2543' };
    }
    const byCall = this.invitesByCall.get(callKey(cancel));
    if (byCall && !byCall.terminated && byCall.source.address === source.address) return { invite: byCall, how: 'call' };
    return undefined;
  }

  /** Indexes an INVITE server transaction that entered Accepted, by the To tag of its 2xx. */
  accepted(tx: InviteServerTransaction): void {
    const req = tx.request;
    const tag = tx.lastResponse ? toTag(tx.lastResponse) : toTag(req);
    const dialog = ackDialogKey(getCallId(req), getCSeq(req).seq, getTag(getFrom(req)) ?? '', tag);
    this.acceptedByDialog.set(dialog, tx);
    this.secondaryKeys.set(tx, { ...this.secondaryKeys.get(tx), dialog });
  }

  /** Removes a terminated transaction from every index. */
  remove(tx: ServerTransaction): void {
    if (this.byKey.get(tx.id) === tx) this.byKey.delete(tx.id);
    if (!(tx instanceof InviteServerTransaction)) return;
    const keys = this.secondaryKeys.get(tx);
    if (keys?.dialog !== undefined && this.acceptedByDialog.get(keys.dialog) === tx) this.acceptedByDialog.delete(keys.dialog);
    if (keys?.call !== undefined && this.invitesByCall.get(keys.call) === tx) this.invitesByCall.delete(keys.call);
  }

  /** Forgets everything (the transactions themselves are disposed by the caller). */
  clear(): void {
    this.byKey.clear();
    this.acceptedByDialog.clear();
    this.invitesByCall.clear();
  }
}

/** Call-ID, CSeq number, From tag and Request-URI: what an INVITE and its CANCEL share (§9.1). */
function callKey(request: SipRequest): string {
  return [getCallId(request), getCSeq(request).seq, getTag(getFrom(request)) ?? '', request.uri].join('|');
}
