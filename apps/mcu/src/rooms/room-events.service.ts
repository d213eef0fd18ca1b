import { Injectable, type BeforeApplicationShutdown, type MessageEvent } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { ConferenceEvents } from '../conference/conference-events';
import { ConferenceManager } from '../conference/conference-manager';
import { ROOM_EVENT_SOURCES, type RoomEvent } from './room-event';

/** A comment line this often keeps idle SSE connections open through proxies, ms. */
export const SSE_KEEPALIVE_MS = 15_000;
/** How long shutdown waits for ended streams to flush their last events to the clients, ms. */
export const SSE_FLUSH_MS = 1000;

/** The part of a response the service watches: its `close` event (finished or connection gone). */
export interface StreamResponse {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * The event streams of `GET /api/rooms/:id/events` (Server-Sent Events, WHATWG HTML §9.2): join,
 * leave, mute, dtmf, active-speaker and layout events of one room, as they happen (no replay). A stream
 * completes when its room is deleted and when the MCU shuts down, so no connection holds the HTTP
 * server open.
 */
@Injectable()
export class RoomEventsService implements BeforeApplicationShutdown {
  private readonly shutdown$ = new Subject<void>();
  private readonly open = new Set<Promise<void>>();
  private nextId = 1;

  constructor(private readonly conference: ConferenceManager) {}

  /**
   * The live events of a room; each SSE message has the event's `type` as its name and the event
   * as JSON data.
   * @param response the HTTP response carrying the stream, so that shutdown can wait for its last
   *   events to reach the client.
   * @throws RoomNotFoundError (404) for an unknown room.
   */
  async stream(roomId: string, response?: StreamResponse): Promise<Observable<MessageEvent>> {
    await this.conference.getRoom(roomId);
    if (response !== undefined) {
      const closed = new Promise<void>((resolve) => response.once('close', resolve));
      this.open.add(closed);
      void closed.then(() => this.open.delete(closed));
    }
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

  /**
   * Ends every stream before the HTTP server closes, once the conference has hung up the calls (its
   * `shutdown()` is shared and idempotent), so that the `leave` events still go out; waits up to
   * `SSE_FLUSH_MS` for the responses to finish.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.conference.shutdown();
    this.shutdown$.next();
    this.shutdown$.complete();
    if (this.open.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.open), new Promise<void>((resolve) => (timer = setTimeout(resolve, SSE_FLUSH_MS)))]);
    clearTimeout(timer);
  }
}
