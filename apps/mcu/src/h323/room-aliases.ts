/**
 * The aliases the MCU registers with a gatekeeper (H.225.0 §7, RRQ terminalAlias): every room's number as
 * `dialedDigits` and its id as `h323-ID`, kept current from the conference's room events so that the RAS
 * endpoint's synchronous `aliases()` callback can read them at any RRQ or URQ.
 */
import { dialedDigitsAlias, h323IdAlias, type H225Types } from '@mcu/h323';
import type { Room } from '../conference/room';

/** The logging call the alias table makes. */
interface AliasLogger {
  warn(obj: object, msg: string): void;
}

/** Room id → the room's aliases. */
export class RoomAliases {
  private readonly byRoom = new Map<string, readonly H225Types.AliasAddress[]>();

  constructor(private readonly logger: AliasLogger) {}

  /** Every registered alias, rooms in insertion order (number, then id). */
  all(): H225Types.AliasAddress[] {
    return [...this.byRoom.values()].flat();
  }

  /** Number of rooms held. */
  get size(): number {
    return this.byRoom.size;
  }

  /**
   * Adds or replaces a room's aliases. A number or id the RAS alphabets cannot carry (dialedDigits
   * `0-9#*,`, 1..128; h323-ID 1..256 BMP characters) is left out with a log line.
   * @returns whether the room's aliases changed
   */
  set(room: Room): boolean {
    const aliases: H225Types.AliasAddress[] = [];
    for (const make of [() => dialedDigitsAlias(room.number), () => h323IdAlias(room.id)]) {
      try {
        aliases.push(make());
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        this.logger.warn({ roomId: room.id, err: err.message }, 'room alias not registrable');
      }
    }
    const before = JSON.stringify(this.byRoom.get(room.id) ?? null);
    this.byRoom.set(room.id, aliases);
    return before !== JSON.stringify(aliases);
  }

  /** Removes a room. @returns whether it was held */
  delete(roomId: string): boolean {
    return this.byRoom.delete(roomId);
  }
}
