/**
 * User input (H.245 UserInputIndication and UserInputCapability; H.323 §10.5 "User input"): DTMF digits and hook
 * flash sent as `alphanumeric` strings (basicString capability) or `signal` (dtmf capability: signalType one of
 * "0123456789#*ABCD!", "!" being hook flash, with an optional duration in ms), and their conversion to events.
 */
import type { H245Types } from '../asn1/generated';
import { indication } from './control-message';

/** A DTMF digit. */
export type DtmfDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** One user input event. `via` names the UserInputIndication alternative it came in. */
export type UserInputEvent =
  | { readonly kind: 'dtmf'; readonly digit: DtmfDigit; readonly durationMs?: number; readonly via: 'alphanumeric' | 'signal' }
  | { readonly kind: 'hookflash'; readonly via: 'alphanumeric' | 'signal' }
  | { readonly kind: 'text'; readonly text: string; readonly via: 'alphanumeric' };

const DTMF = /^[0-9*#A-D]$/;

/** Whether `c` is a DTMF digit (letters A–D upper case only, as H.245's signalType alphabet has them). */
export function isDtmfDigit(c: string): c is DtmfDigit {
  return DTMF.test(c);
}

function fromText(text: string): UserInputEvent[] {
  const chars = [...text];
  if (chars.length > 0 && chars.every((c) => isDtmfDigit(c.toUpperCase()) || c === '!')) {
    return chars.map((c): UserInputEvent => (c === '!' ? { kind: 'hookflash', via: 'alphanumeric' } : { kind: 'dtmf', digit: c.toUpperCase() as DtmfDigit, via: 'alphanumeric' }));
  }
  return text.length > 0 ? [{ kind: 'text', text, via: 'alphanumeric' }] : [];
}

/**
 * Events of a received UserInputIndication: one per DTMF digit or hook flash; a string with other characters is
 * one `text` event. signalUpdate (a longer duration for a tone already reported), capability indications and
 * the other alternatives yield nothing. Never throws.
 */
export function parseUserInput(uii: H245Types.UserInputIndication): UserInputEvent[] {
  switch (uii.tag) {
    case 'alphanumeric':
      return fromText(uii.value);
    case 'extendedAlphanumeric':
      return fromText(uii.value.alphanumeric);
    case 'signal': {
      const c = uii.value.signalType.toUpperCase();
      if (c === '!') return [{ kind: 'hookflash', via: 'signal' }];
      if (!isDtmfDigit(c)) return [];
      return [{ kind: 'dtmf', digit: c, via: 'signal', ...(uii.value.duration !== undefined ? { durationMs: uii.value.duration } : {}) }];
    }
    default:
      return [];
  }
}

/**
 * A UserInputIndication carrying `digit`: `signal` with the duration (ms, 1..65535) when given, else
 * `alphanumeric`.
 * @throws RangeError when `digit` is not a DTMF digit or "!".
 */
export function buildUserInput(digit: DtmfDigit | '!', mode: 'alphanumeric' | 'signal', durationMs?: number): H245Types.MultimediaSystemControlMessage {
  if (!isDtmfDigit(digit) && digit !== '!') throw new RangeError(`not a DTMF digit: ${String(digit)}`);
  if (mode === 'alphanumeric') return indication({ tag: 'userInput', value: { tag: 'alphanumeric', value: digit } });
  const duration = durationMs === undefined ? undefined : Math.min(65535, Math.max(1, Math.round(durationMs)));
  return indication({ tag: 'userInput', value: { tag: 'signal', value: { signalType: digit, ...(duration !== undefined ? { duration } : {}) } } });
}
