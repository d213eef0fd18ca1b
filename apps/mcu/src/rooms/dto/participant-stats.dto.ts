import { ApiProperty } from '@nestjs/swagger';
import type { ParticipantMediaStats, ParticipantVideoStats } from '../../conference/conference-media';

/** The peer's RTCP reception report on what the MCU sends it (RFC 3550 §6.4.1). */
export class RemoteReceptionDto {
  @ApiProperty({ description: 'Fraction lost in its last report interval, 0…1.' }) fractionLost!: number;
  @ApiProperty({ description: 'Cumulative packets lost.' }) packetsLost!: number;
  @ApiProperty({ description: 'Interarrival jitter it measured, ms.' }) jitterMs!: number;
}

/** The participant's video leg: its camera into the room, the room's composite back (rates over the last ~2 s). */
export class ParticipantVideoStatsDto implements ParticipantVideoStats {
  @ApiProperty({ example: 'H264', description: 'Negotiated payload format (SDP encoding name).' }) codec!: string;
  @ApiProperty({ example: 96, description: 'Payload type, both directions.' }) payloadType!: number;
  @ApiProperty({ enum: ['sendrecv', 'sendonly', 'recvonly', 'inactive'], description: "Direction from the MCU's side." }) direction!: string;
  @ApiProperty({ example: 640, description: 'Width of the composite sent, pixels.' }) width!: number;
  @ApiProperty({ example: 360, description: 'Height of the composite sent, pixels.' }) height!: number;
  @ApiProperty({ description: "Pictures per second received from the participant's camera." }) fpsIn!: number;
  @ApiProperty({ description: 'Pictures per second sent to the participant.' }) fpsOut!: number;
  @ApiProperty({ description: 'Incoming RTP payload bitrate, bits/s.' }) bitrateIn!: number;
  @ApiProperty({ description: 'Outgoing RTP payload bitrate, bits/s.' }) bitrateOut!: number;
  @ApiProperty({ description: 'RTP packets received.' }) packetsIn!: number;
  @ApiProperty({ description: 'RTP payload octets received.' }) bytesIn!: number;
  @ApiProperty({ description: 'RTP packets sent.' }) packetsOut!: number;
  @ApiProperty({ description: 'RTP payload octets sent.' }) bytesOut!: number;
  @ApiProperty({ description: 'Incoming packets lost (sequence gaps), cumulative.' }) packetsLost!: number;
  @ApiProperty({ description: "Key frames the MCU asked the participant's camera for (RTCP PLI/FIR, SIP INFO, H.245)." }) keyframesRequested!: number;
  @ApiProperty({ description: 'Key frames sent to the participant.' }) keyframesSent!: number;
  @ApiProperty({ description: 'Key frame requests received from the participant (PLI, FIR, SIP INFO picture_fast_update, H.245 videoFastUpdatePicture).' })
  keyframeRequestsReceived!: number;
  @ApiProperty({ description: "Pictures of the participant's camera that did not decode, plus malformed payloads." }) decodeErrors!: number;
  @ApiProperty({ description: 'Restarts of the ffmpeg processes serving this participant.' }) processRestarts!: number;
}

/** `GET /api/rooms/:id/participants/:pid/stats`: the participant's audio leg (RTP/RTCP, RFC 3550) and its video leg. */
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
  @ApiProperty({ type: ParticipantVideoStatsDto, nullable: true, description: 'The video leg; null when the participant has none (audio only or video declined).' })
  video!: ParticipantVideoStatsDto | null;
}
