import { Injectable, type BeforeApplicationShutdown, type MessageEvent } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { ConferenceEvents } from '../conference/conference-events';
import { ConferenceManager } from '../conference/conference-manager';
import { ROOM_EVENT_SOURCES, type RoomEvent } from './room-event';

/** A comment line this often keeps idle SSE connections open through proxies, ms. */
export const SSE_KEEPALIVE_MS = 15_000;

/**
 * The event streams of `GET /api/rooms/:id/events` (Server-Sent Events, WHATWG HTML §9.2): join,
 * leave, mute, dtmf and active-speaker events of one room, as they happen (no replay). A stream
 * completes when its room is deleted and when the MCU shuts down, so no connection holds the HTTP
 * server open.
 */
@Injectable()
export class RoomEventsService implements BeforeApplicationShutdown {
  private readonly shutdown$ = new Subject<void>();
  private nextId = 1;

  constructor(private readonly conference: ConferenceManager) {}

  /**
   * The live events of a room; each SSE message has the event's `type` as its name and the event
   * as JSON data.
   * @throws RoomNotFoundError (404) for an unknown room.
   */
  async stream(roomId: string): Promise<Observable<MessageEvent>> {
    await this.conference.getRoom(roomId);
    return new Observable<MessageEvent>((subscriber) => {
      const send = (event: RoomEvent): void => {
        if (event.roomId === roomId) subscriber.next({ id: String(this.nextId++), type: event.type, data: event });
      };
      const offs = (Object.keys(ROOM_EVENT_SOURCES) as Array<keyof typeof ROOM_EVENT_SOURCES>).map((name) =>
        this.conference.on(name, (...args: ConferenceEvents[typeof name]) => send((ROOM_EVENT_SOURCES[name] as (a: typeof args) => RoomEvent)(args))),
      );
      offs.push(
        this.conference.on('room-deleted', (room) => {
          if (room.id === roomId) subscriber.complete();
        }),
      );
      const shutdown = this.shutdown$.subscribe(() => subscriber.complete());
      const keepAlive = setInterval(() => subscriber.next({ comment: 'keep-alive' }), SSE_KEEPALIVE_MS);
      keepAlive.unref();
      return () => {
        clearInterval(keepAlive);
        shutdown.unsubscribe();
        for (const off of offs) off();
      };
    });
  }

  /** Ends every stream before the HTTP server closes. */
  beforeApplicationShutdown(): void {
    this.shutdown$.next();
    this.shutdown$.complete();
  }
}
