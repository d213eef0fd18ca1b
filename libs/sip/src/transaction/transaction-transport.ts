/**
 * What the transaction layer needs from the transport layer (RFC 3261 §18). `TransportLayer`
 * implements it; unit tests pass a recording fake.
 */
import type { SipRequest, SipResponse } from '../message';
import type { RemoteAddress, TransportUser } from '../transport';

export interface TransactionTransport {
  /** Registers the receiver of requests and responses (the transaction layer). */
  setUser(user: TransportUser): void;
  /**
   * Writes our sent-by/transport into the top Via (adding a Via with a fresh branch when none) and
   * picks the transport actually used (§18.1.1 may move a large request from UDP to TCP).
   */
  prepareRequest(request: SipRequest, target: RemoteAddress): RemoteAddress;
  /** Sends a prepared request; resolves with the target actually used, rejects on a transport error. */
  sendRequest(request: SipRequest, target: RemoteAddress): Promise<RemoteAddress>;
  /** Sends a response to the request that came from `source` (§18.2.2); rejects on a transport error. */
  sendResponse(response: SipResponse, source: RemoteAddress): Promise<void>;
  /** Answers a request statelessly (counted as rejected); never throws. */
  reject(request: SipRequest, status: number, reason: string, source: RemoteAddress): void;
  /** Counts and logs a discarded message. */
  drop(fields: object, why: string): void;
}
