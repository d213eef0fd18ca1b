import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

/** Body of `PATCH /api/rooms/:id/participants/:pid`. */
export class UpdateParticipantDto {
  @ApiProperty({ description: 'Server-side mute: taken out of everyone\'s audio mix.' })
  @IsBoolean()
  muted!: boolean;
}
