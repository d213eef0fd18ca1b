import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { ROOM_LAYOUTS, ROOM_LIMITS, type RoomLayout, type RoomPatch } from '../../conference/room';
import { IfPresent, Trim } from './create-room.dto';

/** Body of `PATCH /api/rooms/:id`: any subset of the room's fields; `"pin": null` removes the PIN. */
export class UpdateRoomDto implements RoomPatch {
  @ApiPropertyOptional({ example: 'Weekly sync', maxLength: ROOM_LIMITS.nameMaxLength })
  @IfPresent()
  @Trim()
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(ROOM_LIMITS.nameMaxLength)
  name?: string;

  @ApiPropertyOptional({ example: '4711', pattern: ROOM_LIMITS.numberPattern.source })
  @IfPresent()
  @IsString()
  @Matches(ROOM_LIMITS.numberPattern, { message: 'number must be a string of 1–15 digits' })
  number?: string;

  @ApiPropertyOptional({ example: '1234', nullable: true, type: String, pattern: ROOM_LIMITS.pinPattern.source, description: 'null removes the PIN.' })
  @ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null)
  @IsString()
  @Matches(ROOM_LIMITS.pinPattern, { message: 'pin must be a string of 1–16 digits, or null' })
  pin?: string | null;

  @ApiPropertyOptional({ minimum: ROOM_LIMITS.maxParticipants.min, maximum: ROOM_LIMITS.maxParticipants.max })
  @IfPresent()
  @IsInt()
  @Min(ROOM_LIMITS.maxParticipants.min)
  @Max(ROOM_LIMITS.maxParticipants.max)
  maxParticipants?: number;

  @ApiPropertyOptional()
  @IfPresent()
  @IsBoolean()
  locked?: boolean;

  @ApiPropertyOptional({ description: 'Turning the lobby off admits everyone waiting in it.' })
  @IfPresent()
  @IsBoolean()
  lobby?: boolean;

  @ApiPropertyOptional({ enum: ROOM_LAYOUTS })
  @IfPresent()
  @IsIn(ROOM_LAYOUTS)
  layout?: RoomLayout;
}
