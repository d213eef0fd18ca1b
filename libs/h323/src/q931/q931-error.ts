/**
 * A Q.931 message that cannot be parsed (Q.931 §5.8 "handling of error conditions"): too short, a wrong
 * protocol discriminator, an information element running past the end. `causeValue` is the Q.850 cause value the
 * receiver answers with (Q.850: 95 invalid message, 96 mandatory IE missing, 100 invalid IE contents).
 */
export class Q931Error extends Error {
  override readonly name = 'Q931Error';
  /**
   * @param message what is wrong, for the log line
   * @param offset octet offset in the message where the problem was found
   * @param causeValue Q.850 cause value to answer with
   */
  constructor(
    message: string,
    readonly offset: number,
    readonly causeValue: number = Q931Cause.InvalidMessageUnspecified,
  ) {
    super(message);
  }
}

/** Q.850 §2.2.5 cause values used by H.225.0 call signalling. */
export const Q931Cause = {
  UnallocatedNumber: 1,
  NoRouteToDestination: 3,
  NormalCallClearing: 16,
  UserBusy: 17,
  NoUserResponding: 18,
  NoAnswerFromUser: 19,
  CallRejected: 21,
  DestinationOutOfOrder: 27,
  InvalidNumberFormat: 28,
  NormalUnspecified: 31,
  NoCircuitAvailable: 34,
  TemporaryFailure: 41,
  ResourceUnavailable: 47,
  IncompatibleDestination: 88,
  InvalidCallReference: 81,
  InvalidMessageUnspecified: 95,
  MandatoryIeMissing: 96,
  MessageTypeNonExistent: 97,
  MessageNotCompatibleWithCallState: 98,
  IeNonExistent: 99,
  InvalidIeContents: 100,
  RecoveryOnTimerExpiry: 102,
  ProtocolErrorUnspecified: 111,
} as const;
