import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { providerView, ProvidersService } from '@app/clinic';
import { DomainError, parseInstant } from '@app/domain';
import type { Actor } from '@app/auth';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/access.decorators';
import { ProblemDto } from '../http/problem.dto';
import { UuidPipe } from '../http/uuid.pipe';
import { arrayOf } from '../http/validation.pipe';
import {
  CreateProviderDto,
  CreateTimeOffDto,
  ProviderDto,
  ProviderListQueryDto,
  TimeOffDto,
  UpdateProviderDto,
  WorkingBlockDto,
  WorkingBlockViewDto,
} from './providers.dto';

@ApiTags('providers')
@Controller('providers')
@ApiBadRequestResponse({ type: ProblemDto })
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @ApiOperation({ summary: 'Add a provider' })
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: ProviderDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'NPI already registered' })
  create(@CurrentActor() actor: Actor, @Body() body: CreateProviderDto): Promise<ProviderDto> {
    return this.providers.create(actor, body);
  }

  @ApiOperation({ summary: 'List providers' })
  @Get()
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: [ProviderDto] })
  list(@Query() query: ProviderListQueryDto): Promise<ProviderDto[]> {
    return this.providers.list(query);
  }

  @ApiOperation({ summary: 'Read a provider' })
  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: ProviderDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  async get(@Param('id', UuidPipe) id: string): Promise<ProviderDto> {
    return providerView(await this.providers.get(id));
  }

  @ApiOperation({ summary: 'Change a provider' })
  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: ProviderDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: UpdateProviderDto,
  ): Promise<ProviderDto> {
    return this.providers.update(actor, id, body);
  }

  @ApiOperation({ summary: "Read a provider's weekly working template" })
  @Get(':id/working-hours')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: [WorkingBlockViewDto] })
  @ApiNotFoundResponse({ type: ProblemDto })
  workingHours(@Param('id', UuidPipe) id: string): Promise<WorkingBlockViewDto[]> {
    return this.providers.workingHours(id);
  }

  @ApiOperation({ summary: "Replace a provider's weekly working template" })
  @Put(':id/working-hours')
  @Roles('admin')
  @ApiBody({
    type: [WorkingBlockDto],
    description: 'The whole weekly template; replaces the current one',
  })
  @ApiOkResponse({ type: [WorkingBlockViewDto] })
  @ApiNotFoundResponse({ type: ProblemDto })
  setWorkingHours(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body(arrayOf(WorkingBlockDto, 100)) blocks: WorkingBlockDto[],
  ): Promise<WorkingBlockViewDto[]> {
    if (blocks.length > 100)
      throw DomainError.validation('body', 'maxItems', 'at most 100 working blocks');
    return this.providers.setWorkingHours(actor, id, blocks);
  }

  @ApiOperation({ summary: 'Add time off for a provider' })
  @Post(':id/time-off')
  @Roles('admin', 'front_desk')
  @ApiCreatedResponse({ type: TimeOffDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  addTimeOff(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: CreateTimeOffDto,
  ): Promise<TimeOffDto> {
    return this.providers.addTimeOff(actor, id, {
      startsAt: parseInstant(body.startsAt)!.toJSDate(),
      endsAt: parseInstant(body.endsAt)!.toJSDate(),
      reason: body.reason,
    });
  }

  @ApiOperation({ summary: "List a provider's time off" })
  @Get(':id/time-off')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: [TimeOffDto] })
  @ApiNotFoundResponse({ type: ProblemDto })
  timeOff(@Param('id', UuidPipe) id: string): Promise<TimeOffDto[]> {
    return this.providers.timeOff(id);
  }
}
