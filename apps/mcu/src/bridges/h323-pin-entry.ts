/**
 * PIN entry by DTMF on an H.323 call (H.245 UserInputIndication, H.245 §6.2.11): the caller of a PIN room who
 * dialled the room without `*<pin>` is connected and keys the PIN, ended by `#`; `*` starts over. Pure digit
 * collection; the leg owns the timer and the attempts.
 */

/** Longest PIN accepted, digits (longer input is a wrong PIN, not an unbounded buffer). */
export const MAX_PIN_DIGITS = 16;
/** How long the caller has to finish keying one PIN, ms. */
export const PIN_ENTRY_TIMEOUT_MS = 30_000;
/** Wrong PINs before the call is released. */
export const PIN_ATTEMPTS = 3;

/** Collects keyed digits into PINs. */
export class PinEntry {
  private digits = '';
  private overflow = false;

  /**
   * Feeds user input (one digit, or an alphanumeric string of several).
   * @returns each PIN completed by `#` in `input`, oldest first (an over-long one as `''`, never matching)
   */
  feed(input: string): string[] {
    const done: string[] = [];
    for (const ch of input) {
      if (ch === '#') {
        done.push(this.overflow ? '' : this.digits);
        this.clear();
      } else if (ch === '*') {
        this.clear();
      } else if (/^[0-9]$/.test(ch)) {
        if (this.digits.length >= MAX_PIN_DIGITS) this.overflow = true;
        else this.digits += ch;
      }
    }
    return done;
  }

  private clear(): void {
    this.digits = '';
    this.overflow = false;
  }
}
