import { Injectable } from '@nestjs/common';
import { ConferenceManager } from '../conference/conference-manager';
import { ConferenceMedia } from '../conference/conference-media';
import type { Participant } from '../conference/participant';
import type { Room } from '../conference/room';
import type { CreateRoomDto } from './dto/create-room.dto';
import { ParticipantDto } from './dto/participant.dto';
import type { ParticipantStatsDto } from './dto/participant-stats.dto';
import type { RoomView } from './dto/room.dto';
import type { UpdateRoomDto } from './dto/update-room.dto';
import type { RoomLayoutDto, SetRoomLayoutDto } from './dto/room-layout.dto';

/**
 * The REST use cases over the `ConferenceManager`. Errors are the manager's (`RoomNotFoundError`
 * → 404, `DuplicateRoomNumberError` → 409, `ParticipantNotFoundError` → 404,
 * `ParticipantNotInLobbyError` → 409), mapped by the exception filter.
 */
@Injectable()
export class RoomsService {
  constructor(
    private readonly conference: ConferenceManager,
    private readonly media: ConferenceMedia,
  ) {}

  async create(dto: CreateRoomDto): Promise<RoomView> {
    return this.view(await this.conference.createRoom(dto));
  }

  async list(): Promise<RoomView[]> {
    return (await this.conference.listRooms()).map((room) => this.view(room));
  }

  /** The room with its live active speaker. */
  async get(roomId: string): Promise<RoomView> {
    return this.view(await this.conference.getRoom(roomId));
  }

  async update(roomId: string, dto: UpdateRoomDto): Promise<RoomView> {
    return this.view(await this.conference.updateRoom(roomId, dto));
  }

  /**
   * Sets the room's video layout and self view (default false).
   * @throws RoomNotFoundError (404); InvalidLayoutError (400).
   */
  async setLayout(roomId: string, dto: SetRoomLayoutDto): Promise<RoomLayoutDto> {
    const room = await this.conference.setLayout(roomId, { layout: dto.layout, selfView: dto.selfView });
    return { layout: room.layout, selfView: room.selfView };
  }

  /** Deletes the room and hangs up its calls. */
  delete(roomId: string): Promise<void> {
    return this.conference.deleteRoom(roomId);
  }

  /** @throws RoomNotFoundError for an unknown room (an empty room answers `[]`). */
  async participants(roomId: string): Promise<ParticipantDto[]> {
    await this.conference.getRoom(roomId);
    return this.conference.listParticipants(roomId).map((p) => ParticipantDto.from(p));
  }

  async participant(roomId: string, participantId: string): Promise<ParticipantDto> {
    await this.conference.getRoom(roomId);
    return ParticipantDto.from(this.conference.getParticipant(roomId, participantId));
  }

  /** Hangs up one call (SIP BYE / H.323 ReleaseComplete). */
  async hangup(roomId: string, participantId: string): Promise<void> {
    await this.conference.getRoom(roomId);
    await this.conference.hangup(roomId, participantId);
  }

  /** Admits a lobby caller; returns it as `connected` (or `left` if it hung up meanwhile). */
  async admit(roomId: string, participantId: string): Promise<ParticipantDto> {
    await this.conference.getRoom(roomId);
    const before = this.conference.getParticipant(roomId, participantId);
    await this.conference.admit(roomId, participantId);
    const after: Participant = this.conference.listParticipants(roomId).find((p) => p.id === participantId) ?? { ...before, state: 'left' };
    return ParticipantDto.from(after);
  }

  async reject(roomId: string, participantId: string): Promise<void> {
    await this.conference.getRoom(roomId);
    await this.conference.reject(roomId, participantId);
  }

  /**
   * RTP/RTCP statistics of a participant's audio.
   * @throws RoomNotFoundError, ParticipantNotFoundError (404); MediaNotStartedError (409) before its media runs.
   */
  async stats(roomId: string, participantId: string): Promise<ParticipantStatsDto> {
    await this.conference.getRoom(roomId);
    return this.media.stats(roomId, participantId);
  }

  /** Every room representation carries the live `activeSpeaker` (null when nobody holds the floor). */
  private view(room: Room): RoomView {
    return { ...room, activeSpeaker: this.conference.activeSpeaker(room.id) };
  }

  async setMuted(roomId: string, participantId: string, muted: boolean): Promise<ParticipantDto> {
    await this.conference.getRoom(roomId);
    return ParticipantDto.from(this.conference.setMuted(roomId, participantId, muted));
  }
}
