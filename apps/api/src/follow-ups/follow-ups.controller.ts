import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@app/auth';
import { FollowUpsService } from '@app/follow-ups';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/access.decorators';
import { ProblemDto } from '../http/problem.dto';
import { UuidPipe } from '../http/uuid.pipe';
import {
  FollowUpDto,
  FollowUpPageDto,
  FollowUpQueryDto,
  ResolveDto,
  ScanResultDto,
} from './follow-ups.dto';

@ApiTags('follow-ups')
@Controller('follow-ups')
export class FollowUpsController {
  constructor(private readonly followUps: FollowUpsService) {}

  @ApiOperation({
    summary: 'The follow-up worklist, most urgent first (lapsed, then longest overdue)',
  })
  @Get()
  @Roles(...ALL_ROLES)
  @ApiOkResponse({
    type: FollowUpPageDto,
    description: 'A clinician sees the follow-ups of their own patients only',
  })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'VALIDATION' })
  list(@CurrentActor() actor: Actor, @Query() query: FollowUpQueryDto): Promise<FollowUpPageDto> {
    return this.followUps.list(actor, query);
  }

  @ApiOperation({ summary: 'Run the overdue scan now' })
  @Post('scan')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({
    type: ScanResultDto,
    description: 'Counts only; skipped when a scan was already running',
  })
  scan(@CurrentActor() actor: Actor): Promise<ScanResultDto> {
    return this.followUps.scanNow(actor);
  }

  @ApiOperation({ summary: 'Close a follow-up by hand, with a note' })
  @Post(':id/resolve')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: FollowUpDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'VALIDATION: the note is missing' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'NOT_FOUND' })
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'INVALID_TRANSITION: already closed',
  })
  resolve(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: ResolveDto,
  ): Promise<FollowUpDto> {
    return this.followUps.resolve(actor, id, body.note);
  }
}
