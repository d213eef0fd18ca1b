/**
 * Room events as `GET /api/rooms/:id/events` streams them (Server-Sent Events): one JSON object per
 * event, its `type` also the SSE event name.
 */
import type { ConferenceEvents, DtmfSource } from '../conference/conference-events';
import type { Participant, Protocol } from '../conference/participant';
import type { RoomLayout } from '../conference/room';

/** A participant entered the room (lobby or connected). */
export interface JoinEvent {
  type: 'join';
  roomId: string;
  participantId: string;
  displayName: string;
  protocol: Protocol;
  state: Participant['state'];
}

/** A participant left (hung up by either side, rejected, room deleted, shutdown). */
export interface LeaveEvent {
  type: 'leave';
  roomId: string;
  participantId: string;
  reason: string;
}

/** Server-side mute changed. */
export interface MuteEvent {
  type: 'mute';
  roomId: string;
  participantId: string;
  muted: boolean;
}

/** A DTMF digit from a participant (RFC 4733 in RTP, or SIP INFO). */
export interface DtmfEvent {
  type: 'dtmf';
  roomId: string;
  participantId: string;
  /** `0-9`, `*`, `#`, `A-D`. */
  digit: string;
  source: DtmfSource;
}

/** The active speaker changed; `participantId` null when nobody holds the floor. */
export interface ActiveSpeakerEvent {
  type: 'active-speaker';
  roomId: string;
  participantId: string | null;
}

/** The room's video layout changed (`PUT /api/rooms/:id/layout`, or `layout` in a PATCH). */
export interface LayoutEvent {
  type: 'layout';
  roomId: string;
  layout: RoomLayout;
  selfView: boolean;
}

/** Any room event. */
export type RoomEvent = JoinEvent | LeaveEvent | MuteEvent | DtmfEvent | ActiveSpeakerEvent | LayoutEvent;

/** Builders from the conference's events (`ConferenceEvents` argument lists) to room events. */
export const ROOM_EVENT_SOURCES = {
  'participant-joined': ([p]: ConferenceEvents['participant-joined']): RoomEvent => ({
    type: 'join',
    roomId: p.roomId,
    participantId: p.id,
    displayName: p.displayName,
    protocol: p.protocol,
    state: p.state,
  }),
  'participant-left': ([p, reason]: ConferenceEvents['participant-left']): RoomEvent => ({ type: 'leave', roomId: p.roomId, participantId: p.id, reason }),
  'participant-muted': ([p]: ConferenceEvents['participant-muted']): RoomEvent => ({ type: 'mute', roomId: p.roomId, participantId: p.id, muted: p.muted }),
  dtmf: ([p, digit, source]: ConferenceEvents['dtmf']): RoomEvent => ({ type: 'dtmf', roomId: p.roomId, participantId: p.id, digit, source }),
  'active-speaker': ([roomId, participantId]: ConferenceEvents['active-speaker']): RoomEvent => ({ type: 'active-speaker', roomId, participantId }),
  'room-layout': ([room]: ConferenceEvents['room-layout']): RoomEvent => ({ type: 'layout', roomId: room.id, layout: room.layout, selfView: room.selfView }),
} as const;
