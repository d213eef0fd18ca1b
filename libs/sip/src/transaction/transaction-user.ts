/**
 * The transaction user (TU) interface: what the layer above the transactions — the dialog / user
 * agent core — implements to receive requests (RFC 3261 §17, §8.2, §9.2, §13.3.1.4).
 */
import type { SipRequest } from '../message';
import type { RemoteAddress } from '../transport';
import type { InviteServerTransaction } from './invite-server';
import type { NonInviteServerTransaction } from './non-invite-server';
import type { ServerTransaction } from './server-transaction';

/** Receives new requests from the transaction layer. Exceptions thrown here are caught and logged. */
export interface TransactionUser {
  /**
   * A new request (not a retransmission; not ACK; not CANCEL when `onCancel` is implemented) with the
   * server transaction created for it. The TU must answer through `transaction.reply()` /
   * `transaction.respond()`; for INVITE an automatic 100 Trying goes out after 200 ms if it has not.
   * If this throws before a final response, the layer answers 500.
   */
  onRequest(request: SipRequest, transaction: ServerTransaction): void;

  /**
   * An ACK that is not part of a transaction: the ACK for a 2xx (its own branch, §17.2.3, RFC 6026),
   * or an ACK that matches nothing. It goes to the dialog layer, which matches it to a dialog
   * (§13.3.1.4) or ignores it. When it acknowledges a 2xx of a live IST, that IST has already stopped
   * retransmitting the 2xx.
   */
  onAck(ack: SipRequest, remote: RemoteAddress): void;

  /**
   * Optional: a CANCEL (§9.2). `cancelTransaction` is the CANCEL's own server transaction; `invite` is
   * the INVITE server transaction it matched, or undefined. The TU must answer the CANCEL (200, or 481
   * when `invite` is undefined) and, if the INVITE has no final response yet, answer it 487.
   *
   * When not implemented the layer does exactly that itself and then calls
   * `invite.delegate.onCancelled(cancel, invite)`.
   */
  onCancel?(cancel: SipRequest, cancelTransaction: NonInviteServerTransaction, invite: InviteServerTransaction | undefined): void;
}
