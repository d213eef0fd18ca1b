/**
 * Call states of an H.323 endpoint (Q.931 §2.1.1 user-side states, as H.225.0 §7.3 uses them), with the value the
 * Call state information element carries in Status (Q.931 §4.5.7, Table 4-12).
 */
export enum H323CallState {
  /** U0: no call. */
  Null = 'null',
  /** U1: Setup sent. */
  CallInitiated = 'callInitiated',
  /** U3: CallProceeding received. */
  OutgoingCallProceeding = 'outgoingCallProceeding',
  /** U4: Alerting received. */
  CallDelivered = 'callDelivered',
  /** U6: Setup received, not yet answered. */
  CallPresent = 'callPresent',
  /** U7: Alerting sent. */
  CallReceived = 'callReceived',
  /** U9: CallProceeding sent. */
  IncomingCallProceeding = 'incomingCallProceeding',
  /** U10: Connect sent or received. */
  Active = 'active',
  /** ReleaseComplete sent or received, or the connection was lost; final. */
  Released = 'released',
}

/** Q.931 Table 4-12 call state values. */
export const Q931_CALL_STATE_VALUE: Readonly<Record<H323CallState, number>> = {
  [H323CallState.Null]: 0,
  [H323CallState.CallInitiated]: 1,
  [H323CallState.OutgoingCallProceeding]: 3,
  [H323CallState.CallDelivered]: 4,
  [H323CallState.CallPresent]: 6,
  [H323CallState.CallReceived]: 7,
  [H323CallState.IncomingCallProceeding]: 9,
  [H323CallState.Active]: 10,
  [H323CallState.Released]: 0,
};

const S = H323CallState;
const TRANSITIONS: Readonly<Record<H323CallState, readonly H323CallState[]>> = {
  [S.Null]: [S.CallInitiated, S.CallPresent, S.Released],
  [S.CallInitiated]: [S.OutgoingCallProceeding, S.CallDelivered, S.Active, S.Released],
  [S.OutgoingCallProceeding]: [S.CallDelivered, S.Active, S.Released],
  [S.CallDelivered]: [S.Active, S.Released],
  [S.CallPresent]: [S.IncomingCallProceeding, S.Released],
  [S.IncomingCallProceeding]: [S.CallReceived, S.Active, S.Released],
  [S.CallReceived]: [S.Active, S.Released],
  [S.Active]: [S.Released],
  [S.Released]: [],
};

/** Whether the state machine allows `from → to`. */
export function isAllowedTransition(from: H323CallState, to: H323CallState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Raised by a transition the table above does not allow (a programming error, never network input). */
export class CallStateError extends Error {
  override readonly name = 'CallStateError';
  constructor(
    readonly from: H323CallState,
    readonly to: H323CallState,
  ) {
    super(`illegal call state transition ${from} → ${to}`);
  }
}
