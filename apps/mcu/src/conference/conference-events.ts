import type { Participant } from './participant';
import type { Room } from './room';

/**
 * Events of the `ConferenceManager`, name → listener arguments. Participants and rooms passed are
 * snapshots (safe to keep).
 */
export interface ConferenceEvents {
  /** A call leg entered a room (state `lobby` or `connected`). */
  'participant-joined': [participant: Participant];
  /** A call leg left (hung up by either side, rejected from the lobby, room deleted, shutdown). */
  'participant-left': [participant: Participant, reason: string];
  /** State (lobby → connected), mute, or the call became fully established (`markConnected`). */
  'participant-updated': [participant: Participant];
  'room-created': [room: Room];
  /** `previous` is the definition before the update. */
  'room-updated': [room: Room, previous: Room];
  'room-deleted': [room: Room];
}

/** A listener of event `E`. */
export type ConferenceListener<E extends keyof ConferenceEvents> = (...args: ConferenceEvents[E]) => void;

/** Receives errors thrown by listeners (they never reach the code that emitted the event). */
export type ListenerErrorHandler = (event: keyof ConferenceEvents, err: unknown) => void;

/**
 * A typed event emitter for `ConferenceEvents`. Listeners run synchronously in registration order;
 * an exception in one is passed to `onListenerError` and the others still run.
 */
export class ConferenceEventEmitter {
  private readonly listeners: { [E in keyof ConferenceEvents]?: Set<ConferenceListener<E>> } = {};

  constructor(private readonly onListenerError: ListenerErrorHandler) {}

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof ConferenceEvents>(event: E, listener: ConferenceListener<E>): () => void {
    const set: Set<ConferenceListener<E>> = this.listeners[event] ?? new Set<ConferenceListener<E>>();
    this.listeners[event] = set as (typeof this.listeners)[E];
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with `on`. */
  off<E extends keyof ConferenceEvents>(event: E, listener: ConferenceListener<E>): void {
    this.listeners[event]?.delete(listener);
  }

  /** Calls every listener of `event` with `args`; never throws. */
  emit<E extends keyof ConferenceEvents>(event: E, ...args: ConferenceEvents[E]): void {
    const set: Set<ConferenceListener<E>> | undefined = this.listeners[event];
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }
}
