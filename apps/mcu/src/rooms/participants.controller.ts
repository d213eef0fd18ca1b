import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBearerAuth, ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ParticipantDto } from './dto/participant.dto';
import { ParticipantStatsDto } from './dto/participant-stats.dto';
import { UpdateParticipantDto } from './dto/update-participant.dto';
import { RoomsService } from './rooms.service';

/** `/api/rooms/:id/participants`: the live calls of a room and the operator's actions on them. */
@ApiTags('participants')
@ApiBearerAuth()
@Controller('api/rooms/:id/participants')
export class ParticipantsController {
  constructor(private readonly rooms: RoomsService) {}

  @Get()
  @ApiOkResponse({ type: [ParticipantDto] })
  @ApiNotFoundResponse({ description: 'Unknown room.' })
  list(@Param('id') id: string): Promise<ParticipantDto[]> {
    return this.rooms.participants(id);
  }

  @Get(':pid')
  @ApiOkResponse({ type: ParticipantDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string, @Param('pid') pid: string): Promise<ParticipantDto> {
    return this.rooms.participant(id, pid);
  }

  /** RTP/RTCP statistics of the participant's audio: packets and octets both ways, loss, jitter, round-trip time, codec. */
  @Get(':pid/stats')
  @ApiOkResponse({ type: ParticipantStatsDto })
  @ApiNotFoundResponse({ description: 'Unknown room or participant.' })
  @ApiConflictResponse({ description: 'The participant has no media yet (lobby, or offer/answer not complete).' })
  stats(@Param('id') id: string, @Param('pid') pid: string): Promise<ParticipantStatsDto> {
    return this.rooms.stats(id, pid);
  }

  /** Hangs up the call (SIP BYE / H.323 ReleaseComplete). */
  @Delete(':pid')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The call was hung up.' })
  @ApiNotFoundResponse()
  hangup(@Param('id') id: string, @Param('pid') pid: string): Promise<void> {
    return this.rooms.hangup(id, pid);
  }

  /** Server-side mute. */
  @Patch(':pid')
  @ApiOkResponse({ type: ParticipantDto })
  @ApiNotFoundResponse()
  update(@Param('id') id: string, @Param('pid') pid: string, @Body() dto: UpdateParticipantDto): Promise<ParticipantDto> {
    return this.rooms.setMuted(id, pid, dto.muted);
  }

  /** Admits a caller waiting in the lobby (SIP: the 200 OK to its INVITE). */
  @Post(':pid/admit')
  @HttpCode(200)
  @ApiOkResponse({ type: ParticipantDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Not waiting in the lobby.' })
  @ApiBadGatewayResponse({ description: 'The call could not be answered (it is removed).' })
  admit(@Param('id') id: string, @Param('pid') pid: string): Promise<ParticipantDto> {
    return this.rooms.admit(id, pid);
  }

  /** Rejects a caller waiting in the lobby (SIP: 603 Decline). */
  @Post(':pid/reject')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Rejected.' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Not waiting in the lobby.' })
  reject(@Param('id') id: string, @Param('pid') pid: string): Promise<void> {
    return this.rooms.reject(id, pid);
  }
}
