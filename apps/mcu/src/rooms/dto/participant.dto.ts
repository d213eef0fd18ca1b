import { ApiProperty } from '@nestjs/swagger';
import type { Participant, ParticipantState, Protocol } from '../../conference/participant';

/** A participant as `GET /api/rooms/:id/participants` lists it. */
export class ParticipantDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['sip', 'h323'] }) protocol!: Protocol;
  @ApiProperty({ example: 'Alice' }) displayName!: string;
  @ApiProperty({ example: 'sip:alice@192.0.2.5:5062', description: "SIP: the caller's Contact URI; H.323: alias and signalling address." })
  remote!: string;
  @ApiProperty({ enum: ['lobby', 'connected', 'left'] }) state!: ParticipantState;
  @ApiProperty() muted!: boolean;
  @ApiProperty({ format: 'date-time' }) joinedAt!: string;

  /** The listed fields of a participant (no `roomId`: it is in the URL). */
  static from(p: Participant): ParticipantDto {
    return { id: p.id, protocol: p.protocol, displayName: p.displayName, remote: p.remote, state: p.state, muted: p.muted, joinedAt: p.joinedAt };
  }
}
