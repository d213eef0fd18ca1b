import type { Participant, ParticipantSignalling } from './participant';

/** An operator decision under way on a lobby participant (blocks a second one). */
export type PendingDecision = 'admit' | 'reject';

/** The manager's private record of one live call leg. */
export interface RosterEntry {
  /** The current snapshot (replaced, never mutated). */
  participant: Participant;
  readonly signalling: ParticipantSignalling;
  /** `markConnected` was called: the call is fully up (ACK received / Connect sent). */
  established: boolean;
  /** An operator `admit`/`reject` awaiting the signalling. */
  pending: PendingDecision | undefined;
  /** The hang-up under way, shared by every caller that ends this call. */
  ending: Promise<void> | undefined;
}

/**
 * The live roster: every participant in state `lobby` or `connected`, by id and by room, in join
 * order. Participants in state `left` are not kept. Pure bookkeeping: no I/O, no events.
 */
export class Roster {
  private readonly byId = new Map<string, RosterEntry>();
  private readonly byRoom = new Map<string, Set<string>>();

  /** Adds a new entry (its participant id must be new). */
  add(entry: RosterEntry): void {
    const { id, roomId } = entry.participant;
    this.byId.set(id, entry);
    let ids = this.byRoom.get(roomId);
    if (ids === undefined) {
      ids = new Set();
      this.byRoom.set(roomId, ids);
    }
    ids.add(id);
  }

  /** Removes and returns an entry; `undefined` when it is not (or no longer) there. */
  remove(participantId: string): RosterEntry | undefined {
    const entry = this.byId.get(participantId);
    if (entry === undefined) return undefined;
    this.byId.delete(participantId);
    const ids = this.byRoom.get(entry.participant.roomId);
    ids?.delete(participantId);
    if (ids?.size === 0) this.byRoom.delete(entry.participant.roomId);
    return entry;
  }

  /** The entry of a participant, in any room. */
  get(participantId: string): RosterEntry | undefined {
    return this.byId.get(participantId);
  }

  /** The entry of a participant when it is in `roomId`. */
  getInRoom(roomId: string, participantId: string): RosterEntry | undefined {
    const entry = this.byId.get(participantId);
    return entry?.participant.roomId === roomId ? entry : undefined;
  }

  /** The entries of a room in join order (a copy: safe to iterate while removing). */
  inRoom(roomId: string): RosterEntry[] {
    const ids = this.byRoom.get(roomId);
    if (ids === undefined) return [];
    const entries: RosterEntry[] = [];
    for (const id of ids) {
      const entry = this.byId.get(id);
      if (entry !== undefined) entries.push(entry);
    }
    return entries;
  }

  /** Number of participants (lobby and connected) in a room. */
  countInRoom(roomId: string): number {
    return this.byRoom.get(roomId)?.size ?? 0;
  }

  /** Every entry (a copy). */
  all(): RosterEntry[] {
    return [...this.byId.values()];
  }

  /** Number of live participants in all rooms. */
  get size(): number {
    return this.byId.size;
  }
}
