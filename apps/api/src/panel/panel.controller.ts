import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type { Actor } from '@app/auth';
import type { Frequency, PlanStatus } from '@app/domain';
import {
  FLAG_KINDS,
  FollowUpsService,
  PANEL_SORTS,
  type FlagKind,
  type PanelSort,
} from '@app/follow-ups';
import { CurrentActor, Roles } from '../auth/access.decorators';
import { PLAN_STATUSES } from '../follow-ups/follow-ups.dto';
import { ListQueryDto } from '../http/list-query.dto';
import { ProblemDto } from '../http/problem.dto';
import { UuidPipe } from '../http/uuid.pipe';

const TRACKS = ['medication', 'therapy'] as const;
const FREQUENCIES: Frequency[] = ['weekly', 'biweekly'];
const STATUS_LIST = new RegExp(`^(${PLAN_STATUSES.join('|')})(,(${PLAN_STATUSES.join('|')}))*$`);

class PanelQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    description: 'comma-separated statuses',
    example: 'overdue,lapsed',
  })
  @IsOptional()
  @Matches(STATUS_LIST, {
    message: `status must be a comma-separated list of ${PLAN_STATUSES.join(', ')}`,
  })
  status?: string;
  @ApiPropertyOptional({ enum: TRACKS }) @IsOptional() @IsIn(TRACKS) track?:
    'medication' | 'therapy';
  @ApiPropertyOptional({
    enum: PANEL_SORTS,
    default: 'urgency',
    description: 'urgency: lapsed, overdue, due soon, on track, then by due date; due; name',
  })
  @IsOptional()
  @IsIn(PANEL_SORTS)
  sort?: PanelSort;
}

class PanelPatientDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() firstName!: string;
  @ApiProperty() lastName!: string;
  @ApiProperty({ example: 'MRN100001' }) mrn!: string;
}

class PanelEntryDto {
  @ApiProperty({ format: 'uuid' }) planId!: string;
  @ApiProperty({ type: PanelPatientDto }) patient!: PanelPatientDto;
  @ApiProperty({ enum: TRACKS }) track!: 'medication' | 'therapy';
  @ApiProperty({ type: Number, nullable: true, description: 'medication: weeks between checks' })
  intervalWeeks!: number | null;
  @ApiProperty({ enum: FREQUENCIES, nullable: true, description: 'therapy' })
  frequency!: Frequency | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'last completed visit of the track, with any provider',
  })
  lastVisitAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'last visit before the patient joined the clinic',
  })
  lastVisitOn!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAppointmentAt!:
    string | null;
  @ApiProperty({ format: 'date' }) dueOn!: string;
  @ApiProperty({ enum: PLAN_STATUSES, description: 'the same status GET /care-plans/:id shows' })
  status!: PlanStatus;
  @ApiProperty({ enum: FLAG_KINDS, isArray: true }) openFlags!: FlagKind[];
}

class PanelPageDto {
  @ApiProperty({ type: [PanelEntryDto] }) items!: PanelEntryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

@ApiTags('follow-ups')
@Controller('providers')
export class PanelController {
  constructor(private readonly followUps: FollowUpsService) {}

  @ApiOperation({
    summary: "A provider's panel: one row per active plan, with last and next visit and status",
  })
  @Get(':id/panel')
  @Roles('admin', 'clinician')
  @ApiOkResponse({
    type: PanelPageDto,
    description: "The provider's own clinician and admins only (others: 403)",
  })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'VALIDATION' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'NOT_FOUND: no such provider' })
  panel(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Query() query: PanelQueryDto,
  ): Promise<PanelPageDto> {
    return this.followUps.panel(actor, id, {
      status: query.status?.split(',') as PlanStatus[] | undefined,
      track: query.track,
      sort: query.sort,
      limit: query.limit,
      cursor: query.cursor,
    });
  }
}
