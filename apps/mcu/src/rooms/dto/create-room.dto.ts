import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { ROOM_LAYOUTS, ROOM_LIMITS, type RoomInput, type RoomLayout } from '../../conference/room';

/** Validation applies when the property is present (`null` counts as present, and is invalid). */
export const IfPresent = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Trims surrounding blanks off a string value (other types pass through to fail validation). */
export const Trim = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Body of `POST /api/rooms`. */
export class CreateRoomDto implements RoomInput {
  @ApiProperty({ example: 'Weekly sync', maxLength: ROOM_LIMITS.nameMaxLength, description: 'Display name; callers may also dial it (case-insensitive).' })
  @Trim()
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(ROOM_LIMITS.nameMaxLength)
  name!: string;

  @ApiProperty({ example: '4711', pattern: ROOM_LIMITS.numberPattern.source, description: 'Dial number, 1–15 digits, unique.' })
  @IsString()
  @Matches(ROOM_LIMITS.numberPattern, { message: 'number must be a string of 1–15 digits' })
  number!: string;

  @ApiPropertyOptional({ example: '1234', pattern: ROOM_LIMITS.pinPattern.source, description: 'PIN callers must present (1–16 digits).' })
  @IfPresent()
  @IsString()
  @Matches(ROOM_LIMITS.pinPattern, { message: 'pin must be a string of 1–16 digits' })
  pin?: string;

  @ApiPropertyOptional({ default: 50, minimum: ROOM_LIMITS.maxParticipants.min, maximum: ROOM_LIMITS.maxParticipants.max })
  @IfPresent()
  @IsInt()
  @Min(ROOM_LIMITS.maxParticipants.min)
  @Max(ROOM_LIMITS.maxParticipants.max)
  maxParticipants?: number;

  @ApiPropertyOptional({ default: false, description: 'A locked room admits nobody new.' })
  @IfPresent()
  @IsBoolean()
  locked?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Callers wait until an operator admits or rejects them.' })
  @IfPresent()
  @IsBoolean()
  lobby?: boolean;

  @ApiPropertyOptional({ enum: ROOM_LAYOUTS, default: 'auto', description: 'Video layout.' })
  @IfPresent()
  @IsIn(ROOM_LAYOUTS)
  layout?: RoomLayout;
}
