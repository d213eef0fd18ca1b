/**
 * Transaction states (RFC 3261 §17.1.1, §17.1.2, §17.2.1, §17.2.2; `Accepted` from RFC 6026 §7).
 *
 * | kind | states                                                  |
 * |------|---------------------------------------------------------|
 * | ICT  | Calling → Proceeding → Accepted / Completed → Terminated |
 * | NICT | Trying → Proceeding → Completed → Terminated            |
 * | IST  | Proceeding → Accepted / Completed → Confirmed → Terminated |
 * | NIST | Trying → Proceeding → Completed → Terminated            |
 */
export enum TransactionState {
  Calling = 'Calling',
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Accepted = 'Accepted',
  Completed = 'Completed',
  Confirmed = 'Confirmed',
  Terminated = 'Terminated',
}

/** The four transaction kinds (RFC 3261 §17). */
export enum TransactionKind {
  /** INVITE client transaction (§17.1.1). */
  ICT = 'ICT',
  /** Non-INVITE client transaction (§17.1.2). */
  NICT = 'NICT',
  /** INVITE server transaction (§17.2.1). */
  IST = 'IST',
  /** Non-INVITE server transaction (§17.2.2). */
  NIST = 'NIST',
}
