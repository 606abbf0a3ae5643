import { Body, Controller, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { UsersService, type Actor } from '@app/auth';
import { AuditService } from '@app/audit';
import { CurrentActor, Roles } from '../auth/access.decorators';
import { ProblemDto } from '../http/problem.dto';
import { CreateUserDto, UserDto } from './users.dto';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  @ApiOperation({ summary: 'Create a user (admin, front desk, or clinician linked to a provider)' })
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: UserDto })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'Email already registered' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto): Promise<UserDto> {
    const user = await this.users.create(body);
    await this.audit.record(actor, {
      action: 'create',
      entity: 'user',
      entityId: user.id,
      details: { role: user.role },
    });
    return user;
  }
}
