import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SipUser } from '../sip-user';

/** A SIP user as the REST API returns it (no password, no HA1). */
export class SipUserDto implements SipUser {
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiPropertyOptional({ example: 'Alice' }) displayName?: string;
  @ApiProperty({ example: '192.0.2.10', description: 'Digest realm the credentials were hashed with.' }) realm!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}
