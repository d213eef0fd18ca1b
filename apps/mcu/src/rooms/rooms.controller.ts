import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Req, Sse, type MessageEvent } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import type { StreamResponse } from './room-events.service';
import { CreateRoomDto } from './dto/create-room.dto';
import { RoomDto, type RoomView } from './dto/room.dto';
import { RoomLayoutDto, SetRoomLayoutDto } from './dto/room-layout.dto';
import { RoomEventsService } from './room-events.service';
import { UpdateRoomDto } from './dto/update-room.dto';
import { RoomsService } from './rooms.service';

/** `/api/rooms`: room definitions. */
@ApiTags('rooms')
@ApiBearerAuth()
@Controller('api/rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly events: RoomEventsService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: RoomDto })
  @ApiConflictResponse({ description: 'Another room has this number.' })
  create(@Body() dto: CreateRoomDto): Promise<RoomView> {
    return this.rooms.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: [RoomDto] })
  list(): Promise<RoomView[]> {
    return this.rooms.list();
  }

  /** The room with its live `activeSpeaker`. */
  @Get(':id')
  @ApiOkResponse({ type: RoomDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<RoomView> {
    return this.rooms.get(id);
  }

  /**
   * Server-Sent Events of the room: `join`, `leave`, `mute`, `dtmf`, `active-speaker`, `layout` (event name =
   * `type`, data = the event as JSON). Ends when the room is deleted or the MCU shuts down.
   */
  @Sse(':id/events')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An endless text/event-stream of room events.' })
  @ApiNotFoundResponse()
  stream(@Param('id') id: string, @Req() req: { res?: StreamResponse }): Promise<Observable<MessageEvent>> {
    return this.events.stream(id, req.res);
  }

  @Patch(':id')
  @ApiOkResponse({ type: RoomDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Another room has this number.' })
  update(@Param('id') id: string, @Body() dto: UpdateRoomDto): Promise<RoomView> {
    return this.rooms.update(id, dto);
  }

  /**
   * Sets the room's video layout (`auto`, `speaker`, `single`) and self view (default false); live
   * participants see it from the next composed picture. Stored with the room.
   */
  @Put(':id/layout')
  @HttpCode(200)
  @ApiOkResponse({ type: RoomLayoutDto, description: "The room's layout as stored." })
  @ApiBadRequestResponse({ description: 'Unknown layout, selfView not a boolean, or another field.' })
  @ApiNotFoundResponse()
  setLayout(@Param('id') id: string, @Body() dto: SetRoomLayoutDto): Promise<RoomLayoutDto> {
    return this.rooms.setLayout(id, dto);
  }

  /** Deletes the room; its calls are hung up. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; its calls were hung up.' })
  @ApiNotFoundResponse()
  delete(@Param('id') id: string): Promise<void> {
    return this.rooms.delete(id);
  }
}
