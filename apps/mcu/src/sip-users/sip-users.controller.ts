import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Binding } from '@mcu/sip';
import { CreateSipUserDto } from './dto/create-sip-user.dto';
import { RegistrationDto } from './dto/registration.dto';
import { SipUserDto } from './dto/sip-user.dto';
import type { SipUser } from './sip-user';
import { SipUsersService } from './sip-users.service';

/** `/api/sip`: registrar credentials and bindings. Passwords are never returned. */
@ApiTags('sip')
@ApiBearerAuth()
@Controller('api/sip')
export class SipUsersController {
  constructor(private readonly users: SipUsersService) {}

  @Post('users')
  @ApiCreatedResponse({ type: SipUserDto })
  @ApiConflictResponse({ description: 'The username exists.' })
  create(@Body() dto: CreateSipUserDto): Promise<SipUser> {
    return this.users.create(dto);
  }

  @Get('users')
  @ApiOkResponse({ type: [SipUserDto] })
  list(): Promise<SipUser[]> {
    return this.users.list();
  }

  /** Deletes the user and its registrations. */
  @Delete('users/:username')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  delete(@Param('username') username: string): Promise<void> {
    return this.users.delete(username);
  }

  @Get('registrations')
  @ApiOkResponse({ type: [RegistrationDto] })
  registrations(): Promise<Binding[]> {
    return this.users.registrations();
  }
}
