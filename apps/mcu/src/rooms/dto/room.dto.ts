import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROOM_LAYOUTS, type Room, type RoomLayout } from '../../conference/room';

/** A room as the REST API returns it: the definition plus live state. */
export type RoomView = Room & { readonly activeSpeaker: string | null };

/** A room as the REST API returns it (documentation of `Room`). */
export class RoomDto implements Room {
  @ApiProperty({ example: 'k3q9z7m2x8ab' }) id!: string;
  @ApiProperty({ example: 'Weekly sync' }) name!: string;
  @ApiProperty({ example: '4711' }) number!: string;
  @ApiPropertyOptional({ example: '1234' }) pin?: string;
  @ApiProperty({ example: 50 }) maxParticipants!: number;
  @ApiProperty() locked!: boolean;
  @ApiProperty() lobby!: boolean;
  @ApiProperty({ enum: ROOM_LAYOUTS, description: 'Video layout of the composite (`PUT /api/rooms/:id/layout`).' }) layout!: RoomLayout;
  @ApiProperty({ description: 'Whether participants see their own camera in the composite.' }) selfView!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The participant holding the floor (dominant audio for ≥ 1 s), or null.',
  })
  activeSpeaker!: string | null;
}
