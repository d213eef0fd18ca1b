/**
 * Q.931 §4.4 message types used by H.225.0 §7.3 (the value of octet after the call reference; bit 8 is 0).
 */
export const Q931MessageType = {
  Alerting: 0x01,
  CallProceeding: 0x02,
  Progress: 0x03,
  Setup: 0x05,
  Connect: 0x07,
  SetupAcknowledge: 0x0d,
  ConnectAcknowledge: 0x0f,
  UserInformation: 0x20,
  ReleaseComplete: 0x5a,
  Release: 0x4d,
  Facility: 0x62,
  Notify: 0x6e,
  StatusEnquiry: 0x75,
  Information: 0x7b,
  Status: 0x7d,
} as const;

/** One of the {@link Q931MessageType} values. */
export type Q931MessageTypeValue = (typeof Q931MessageType)[keyof typeof Q931MessageType];

const NAMES = new Map<number, string>(Object.entries(Q931MessageType).map(([name, value]) => [value, name]));

/** Name of a message type for log lines, e.g. `Setup` or `0x44`. */
export function messageTypeName(type: number): string {
  return NAMES.get(type) ?? `0x${type.toString(16).padStart(2, '0')}`;
}

/** Whether the type is one this stack knows (Q.931 §5.8.4: others are answered with Status, cause 97). */
export function isKnownMessageType(type: number): type is Q931MessageTypeValue {
  return NAMES.has(type);
}
