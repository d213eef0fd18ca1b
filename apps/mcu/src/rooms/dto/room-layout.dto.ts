import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import { ROOM_LAYOUTS, type RoomLayout, type RoomLayoutChoice } from '../../conference/room';
import { IfPresent } from './create-room.dto';

/** Body of `PUT /api/rooms/:id/layout`: the video layout every participant of the room receives. */
export class SetRoomLayoutDto {
  @ApiProperty({
    enum: ROOM_LAYOUTS,
    example: 'speaker',
    description: '`auto`: grid of 1, 2, 2×2, 3×3, 4×4 (beyond 16 the most recent speakers); `speaker`: active speaker large with up to 5 thumbnails; `single`: active speaker only.',
  })
  @IsIn(ROOM_LAYOUTS, { message: `layout must be one of ${ROOM_LAYOUTS.join(', ')}` })
  layout!: RoomLayout;

  @ApiPropertyOptional({ default: false, description: 'Show each participant its own camera; false leaves its tile out (or a placeholder where the layout needs one).' })
  @IfPresent()
  @IsBoolean()
  selfView?: boolean;
}

/** Answer of `PUT /api/rooms/:id/layout`: the room's layout as stored. */
export class RoomLayoutDto implements RoomLayoutChoice {
  @ApiProperty({ enum: ROOM_LAYOUTS }) layout!: RoomLayout;
  @ApiProperty() selfView!: boolean;
}
