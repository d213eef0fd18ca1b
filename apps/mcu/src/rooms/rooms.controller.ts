import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Room } from '../conference/room';
import { CreateRoomDto } from './dto/create-room.dto';
import { RoomDto } from './dto/room.dto';
import { UpdateRoomDto } from './dto/update-room.dto';
import { RoomsService } from './rooms.service';

/** `/api/rooms`: room definitions. */
@ApiTags('rooms')
@ApiBearerAuth()
@Controller('api/rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post()
  @ApiCreatedResponse({ type: RoomDto })
  @ApiConflictResponse({ description: 'Another room has this number.' })
  create(@Body() dto: CreateRoomDto): Promise<Room> {
    return this.rooms.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: [RoomDto] })
  list(): Promise<Room[]> {
    return this.rooms.list();
  }

  @Get(':id')
  @ApiOkResponse({ type: RoomDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<Room> {
    return this.rooms.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: RoomDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Another room has this number.' })
  update(@Param('id') id: string, @Body() dto: UpdateRoomDto): Promise<Room> {
    return this.rooms.update(id, dto);
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
