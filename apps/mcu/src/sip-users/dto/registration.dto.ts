import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Binding } from '@mcu/sip';

/** One registrar binding as `GET /api/sip/registrations` lists it. */
export class RegistrationDto implements Binding {
  @ApiProperty({ example: 'sip:alice@192.0.2.10' }) aor!: string;
  @ApiProperty({ example: 'sip:alice@192.0.2.55:5062;transport=udp' }) contact!: string;
  @ApiProperty({ description: 'Expiry, epoch milliseconds.' }) expiresAt!: number;
  @ApiProperty() callId!: string;
  @ApiProperty() cseq!: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1 }) q?: number;
  @ApiProperty({ example: 'UDP:192.0.2.55:5062' }) source!: string;
  @ApiPropertyOptional() instanceId?: string;
}
