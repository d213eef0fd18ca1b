/**
 * What a SIP Request-URI dials (RFC 3261 §19.1.1): the user part is the dial string (`<number>`,
 * `<number>*<pin>`, `<room-id>`, a room name); a `pin` URI parameter (`sip:7100;pin=4321@…` is not
 * valid, so it is `sip:7100@mcu.example.com;pin=4321`) carries the PIN as well.
 */
import type { SipUri } from '@mcu/sip';

/** The dial string and PIN of an INVITE. */
export interface SipDialTarget {
  /** The unescaped user part, or the telephone-subscriber of a tel URI; `''` when there is none. */
  dial: string;
  /** The `pin` URI parameter, when present and non-empty. */
  pinParam?: string;
}

/** Read the dial string and `pin` parameter from a Request-URI. */
export function sipDialTarget(uri: SipUri): SipDialTarget {
  const dial = (uri.user ?? '').trim();
  const pin = uri.params.get('pin');
  return pin === undefined || pin === null || pin === '' ? { dial } : { dial, pinParam: pin };
}
