import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { SIP_USER_LIMITS } from '../sip-user';

/** Body of `POST /api/sip/users`. The password is hashed into HA1 values and never stored or returned. */
export class CreateSipUserDto {
  @ApiProperty({ example: 'alice', pattern: SIP_USER_LIMITS.usernamePattern.source })
  @IsString()
  @Matches(SIP_USER_LIMITS.usernamePattern, { message: 'username must be 1–64 characters of A–Z a–z 0–9 . _ ~ + -' })
  username!: string;

  @ApiProperty({ format: 'password', minLength: SIP_USER_LIMITS.passwordMinLength, maxLength: SIP_USER_LIMITS.passwordMaxLength, writeOnly: true })
  @IsString()
  @MinLength(SIP_USER_LIMITS.passwordMinLength)
  @MaxLength(SIP_USER_LIMITS.passwordMaxLength)
  password!: string;

  @ApiPropertyOptional({ example: 'Alice', maxLength: SIP_USER_LIMITS.displayNameMaxLength })
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(SIP_USER_LIMITS.displayNameMaxLength)
  displayName?: string;
}
