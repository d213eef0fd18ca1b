import type { Participant } from './participant';
import type { Room } from './room';

/** Where a DTMF digit came from: RFC 4733 events, SIP INFO, or an H.245 UserInputIndication. */
export type DtmfSource = 'rtp' | 'sip-info' | 'h245';

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
  /** Server-side mute changed (`setMuted`); also reported as `participant-updated`. */
  'participant-muted': [participant: Participant];
  /**
   * A DTMF digit from a participant: RFC 4733 telephone-events decoded by the media plane (`rtp`) or
   * SIP INFO `application/dtmf-relay` (`sip-info`).
   */
  dtmf: [participant: Participant, digit: string, source: DtmfSource];
  /** The room's active speaker changed (a participant id, or null when nobody holds the floor). */
  'active-speaker': [roomId: string, participantId: string | null];
  'room-created': [room: Room];
  /** `previous` is the definition before the update. */
  'room-updated': [room: Room, previous: Room];
  'room-deleted': [room: Room];
  /**
   * The room's video layout or self view changed (`setLayout`, or `updateRoom` with `layout`); also
   * reported as `room-updated`. The media plane applies it from its next video frame.
   */
  'room-layout': [room: Room];
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
