/**
 * Counters of the transport layer. Every message that is not delivered upwards is counted in
 * `dropped` (discarded without an answer) or `rejected` (answered with an error response here).
 */
export interface TransportStats {
  /** Messages parsed and handed to the transaction layer (requests and responses). */
  received: number;
  /** Messages written to a socket successfully. */
  sent: number;
  /** Datagrams or stream frames that failed to parse (each is also counted in `rejected` or `dropped`). */
  parseErrors: number;
  /** Malformed requests answered with an error response (400, 505, …) by the transport layer. */
  rejected: number;
  /** Messages discarded: unparseable and unanswerable input, requests without a usable Via,
   *  responses not addressed to us (§18.1.2), stray responses (no client transaction, §17.1.3). */
  dropped: number;
}

/** A zeroed counter set. */
export function emptyTransportStats(): TransportStats {
  return { received: 0, sent: 0, parseErrors: 0, rejected: 0, dropped: 0 };
}
