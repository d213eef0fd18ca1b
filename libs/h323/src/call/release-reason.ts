import type { H225Types } from '../asn1/generated';
import { Q931Cause } from '../q931/q931-error';

/**
 * Why a call ends, protocol-neutral, and its encoding in ReleaseComplete: the H.225.0 ReleaseCompleteReason
 * (ASN.1 `ReleaseCompleteReason`) and the Q.931 Cause value (Q.850), following H.225.0's table that maps
 * ReleaseCompleteReason to Q.850 causes (unreachableDestination ↔ 1 unallocated number, destinationRejection ↔
 * 21 call rejected, gatewayResources ↔ 47 resource unavailable, undefinedReason ↔ 31/16).
 */
export type H323ReleaseReason =
  | 'normal'
  | 'unknownDestination'
  | 'busy'
  | 'rejected'
  | 'noAnswer'
  | 'timeout'
  | 'invalidMessage'
  | 'invalidContents'
  | 'noCommonCapability'
  | 'shutdown'
  | 'resourceUnavailable';

/** The ReleaseComplete encoding of a reason. */
export interface ReleaseEncoding {
  readonly reason: H225Types.ReleaseCompleteReason;
  readonly causeValue: number;
}

const NULL = null;

/** Reason → ReleaseCompleteReason tag + Q.850 cause value. */
export const RELEASE_ENCODING: Readonly<Record<H323ReleaseReason, ReleaseEncoding>> = {
  normal: { reason: { tag: 'undefinedReason', value: NULL }, causeValue: Q931Cause.NormalCallClearing },
  unknownDestination: { reason: { tag: 'unreachableDestination', value: NULL }, causeValue: Q931Cause.UnallocatedNumber },
  busy: { reason: { tag: 'destinationRejection', value: NULL }, causeValue: Q931Cause.CallRejected },
  rejected: { reason: { tag: 'destinationRejection', value: NULL }, causeValue: Q931Cause.CallRejected },
  noAnswer: { reason: { tag: 'undefinedReason', value: NULL }, causeValue: Q931Cause.NoAnswerFromUser },
  timeout: { reason: { tag: 'undefinedReason', value: NULL }, causeValue: Q931Cause.RecoveryOnTimerExpiry },
  invalidMessage: { reason: { tag: 'undefinedReason', value: NULL }, causeValue: Q931Cause.InvalidMessageUnspecified },
  invalidContents: { reason: { tag: 'undefinedReason', value: NULL }, causeValue: Q931Cause.InvalidIeContents },
  noCommonCapability: { reason: { tag: 'undefinedReason', value: NULL }, causeValue: Q931Cause.IncompatibleDestination },
  shutdown: { reason: { tag: 'undefinedReason', value: NULL }, causeValue: Q931Cause.NormalCallClearing },
  resourceUnavailable: { reason: { tag: 'gatewayResources', value: NULL }, causeValue: Q931Cause.ResourceUnavailable },
};

/**
 * Maps a received ReleaseComplete (reason and/or cause) back to a neutral reason, for the owner's event.
 * @param reasonTag the ReleaseCompleteReason alternative, if the UUIE had one
 * @param causeValue the Q.850 cause, if the Cause IE was present
 */
export function releaseReasonFromWire(reasonTag: string | undefined, causeValue: number | undefined): H323ReleaseReason {
  if (reasonTag === 'unreachableDestination' || causeValue === Q931Cause.UnallocatedNumber) return 'unknownDestination';
  if (causeValue === Q931Cause.UserBusy || reasonTag === 'adaptiveBusy') return 'busy';
  if (reasonTag === 'destinationRejection' || causeValue === Q931Cause.CallRejected) return 'rejected';
  if (causeValue === Q931Cause.NoAnswerFromUser || causeValue === Q931Cause.NoUserResponding) return 'noAnswer';
  if (causeValue === Q931Cause.RecoveryOnTimerExpiry) return 'timeout';
  if (causeValue === Q931Cause.InvalidMessageUnspecified) return 'invalidMessage';
  if (causeValue === Q931Cause.InvalidIeContents) return 'invalidContents';
  if (causeValue === Q931Cause.IncompatibleDestination) return 'noCommonCapability';
  if (reasonTag === 'gatewayResources' || causeValue === Q931Cause.ResourceUnavailable) return 'resourceUnavailable';
  return 'normal';
}
