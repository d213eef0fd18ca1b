import { ApiProperty } from '@nestjs/swagger';
import type { ParticipantMediaStats } from '../../conference/conference-media';

/** The peer's RTCP reception report on what the MCU sends it (RFC 3550 §6.4.1). */
export class RemoteReceptionDto {
  @ApiProperty({ description: 'Fraction lost in its last report interval, 0…1.' }) fractionLost!: number;
  @ApiProperty({ description: 'Cumulative packets lost.' }) packetsLost!: number;
  @ApiProperty({ description: 'Interarrival jitter it measured, ms.' }) jitterMs!: number;
}

/** `GET /api/rooms/:id/participants/:pid/stats`: the participant's audio leg (RTP/RTCP, RFC 3550). */
export class ParticipantStatsDto implements ParticipantMediaStats {
  @ApiProperty({ format: 'uuid' }) participantId!: string;
  @ApiProperty({ example: 'PCMU', description: 'Negotiated codec (SDP encoding name).' }) codec!: string;
  @ApiProperty({ example: 0, description: 'Payload type we send with.' }) payloadType!: number;
  @ApiProperty({ example: 20, description: 'Packet time we send, ms.' }) ptimeMs!: number;
  @ApiProperty({ enum: ['sendrecv', 'sendonly', 'recvonly', 'inactive'], description: "Direction from the MCU's side (recvonly/inactive: on hold)." })
  direction!: string;
  @ApiProperty() muted!: boolean;
  @ApiProperty({ description: 'Not sent to: the participant put the call on hold.' }) held!: boolean;
  @ApiProperty({ description: 'RTP packets received.' }) packetsIn!: number;
  @ApiProperty({ description: 'RTP payload octets received.' }) bytesIn!: number;
  @ApiProperty({ description: 'RTP packets sent.' }) packetsOut!: number;
  @ApiProperty({ description: 'RTP payload octets sent.' }) bytesOut!: number;
  @ApiProperty({ description: 'Incoming packets lost, cumulative (RFC 3550 §A.3).' }) packetsLost!: number;
  @ApiProperty({ description: 'Incoming loss over the last RTCP interval, 0…1.' }) fractionLost!: number;
  @ApiProperty({ description: 'Interarrival jitter of the incoming stream, ms (RFC 3550 §A.8).' }) jitterMs!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Round-trip time from RTCP LSR/DLSR, ms; null until measured.' }) roundTripMs!: number | null;
  @ApiProperty({ type: RemoteReceptionDto, nullable: true, description: "The participant's report on our stream; null until received." })
  remote!: RemoteReceptionDto | null;
}
