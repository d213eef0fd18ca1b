/**
 * The RTP payload of named telephone events (RFC 4733 §2.3), which werift-rtp does not model, and
 * the DTMF event codes of §3.2 (Table 3).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     event     |E|R| volume    |          duration             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * `duration` is in RTP timestamp units since the event's timestamp (the event's start), `volume`
 * is the power level in −dBm0 (0…63), E marks the end of the event, R is reserved (sent 0, ignored).
 */
import { InvalidArgumentError, PacketFormatError } from '../errors';

/** Octets of one event block. */
export const TELEPHONE_EVENT_SIZE = 4;
/** Largest duration one event (segment) can carry, in RTP units (§2.5.1.3). */
export const MAX_EVENT_DURATION = 0xffff;

const EVENT_OFFSET = 0;
const FLAGS_OFFSET = 1;
const DURATION_OFFSET = 2;
const END_BIT = 0x80;
const VOLUME_MASK = 0x3f;

/** DTMF digits in event-code order (RFC 4733 §3.2, Table 3: events 0–15). */
const DTMF_DIGITS = '0123456789*#ABCD';

/** One telephone-event block. */
export class TelephoneEvent {
  /**
   * @param event event code 0…255 (0–15 are the DTMF digits).
   * @param end the E bit: this packet reports the end of the event.
   * @param volume power level in −dBm0, 0…63.
   * @param duration RTP units since the event's timestamp, 0…65535.
   * @throws InvalidArgumentError for a field out of range.
   */
  constructor(
    readonly event: number,
    readonly end: boolean,
    readonly volume: number,
    readonly duration: number,
  ) {
    if (!Number.isInteger(event) || event < 0 || event > 255) throw new InvalidArgumentError(`Telephone event code ${event}`);
    if (!Number.isInteger(volume) || volume < 0 || volume > VOLUME_MASK) throw new InvalidArgumentError(`Telephone event volume ${volume}`);
    if (!Number.isInteger(duration) || duration < 0 || duration > MAX_EVENT_DURATION) {
      throw new InvalidArgumentError(`Telephone event duration ${duration}`);
    }
  }

  /** The 4-octet payload. */
  serialize(): Buffer {
    const out = Buffer.alloc(TELEPHONE_EVENT_SIZE);
    out[EVENT_OFFSET] = this.event;
    out[FLAGS_OFFSET] = (this.end ? END_BIT : 0) | this.volume;
    out.writeUInt16BE(this.duration, DURATION_OFFSET);
    return out;
  }

  /**
   * Parses an RTP payload of the telephone-event format. A payload may carry several 4-octet
   * blocks (§2.3 allows a sender to pack events; RFC 2198 redundancy is negotiated separately and
   * not handled here); the last block is the current one.
   * @returns the blocks in payload order.
   * @throws PacketFormatError for an empty payload or one whose length is not a multiple of 4.
   */
  static parse(payload: Buffer): TelephoneEvent[] {
    if (payload.length === 0 || payload.length % TELEPHONE_EVENT_SIZE !== 0) {
      throw new PacketFormatError(`telephone-event payload of ${payload.length} octets`);
    }
    const events: TelephoneEvent[] = [];
    for (let offset = 0; offset < payload.length; offset += TELEPHONE_EVENT_SIZE) {
      const flags = payload[offset + FLAGS_OFFSET];
      events.push(
        new TelephoneEvent(payload[offset + EVENT_OFFSET], (flags & END_BIT) !== 0, flags & VOLUME_MASK, payload.readUInt16BE(offset + DURATION_OFFSET)),
      );
    }
    return events;
  }
}

/** The DTMF digit of an event code (`0`–`9`, `*`, `#`, `A`–`D`), or undefined for other events. */
export function dtmfDigitOf(event: number): string | undefined {
  return event >= 0 && event < DTMF_DIGITS.length ? DTMF_DIGITS[event] : undefined;
}

/**
 * The event code of a DTMF digit (case-insensitive for `A`–`D`).
 * @throws InvalidArgumentError for anything but one of `0123456789*#ABCD`.
 */
export function dtmfEventOf(digit: string): number {
  const index = digit.length === 1 ? DTMF_DIGITS.indexOf(digit.toUpperCase()) : -1;
  if (index < 0) throw new InvalidArgumentError(`Not a DTMF digit: ${JSON.stringify(digit)}`);
  return index;
}
