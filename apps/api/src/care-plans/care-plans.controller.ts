import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiOperation,
} from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import type { Actor } from '@app/auth';
import type { Frequency, PlanStatus } from '@app/domain';
import { CarePlansService } from '@app/scheduling';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/access.decorators';
import { ProblemDto } from '../http/problem.dto';
import { UuidPipe } from '../http/uuid.pipe';
import { IsIsoDate } from '../http/validators';

const TRACKS = ['medication', 'therapy'] as const;
const FREQUENCIES: Frequency[] = ['weekly', 'biweekly'];
const STATES = ['active', 'paused', 'ended'] as const;
const STATUSES: PlanStatus[] = ['on_track', 'due_soon', 'overdue', 'lapsed'];

class CreateCarePlanDto {
  @ApiProperty({ enum: TRACKS }) @IsIn(TRACKS) track!: 'medication' | 'therapy';
  @ApiProperty({ format: 'uuid', description: 'the responsible provider' })
  @IsUUID()
  providerId!: string;
  @ApiPropertyOptional({
    minimum: 4,
    maximum: 12,
    description: 'medication plans: weeks between med checks',
  })
  @IsOptional()
  @IsInt()
  @Min(4)
  @Max(12)
  intervalWeeks?: number;
  @ApiPropertyOptional({ enum: FREQUENCIES, description: 'therapy plans' })
  @IsOptional()
  @IsIn(FREQUENCIES)
  frequency?: Frequency;
  @ApiPropertyOptional({
    format: 'date',
    description: 'last visit before the patient joined this clinic',
  })
  @IsOptional()
  @IsIsoDate()
  lastVisitOn?: string;
  @ApiPropertyOptional({ format: 'date', description: 'default: today' })
  @IsOptional()
  @IsIsoDate()
  startsOn?: string;
}

class UpdateCarePlanDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() providerId?: string;
  @ApiPropertyOptional({ minimum: 4, maximum: 12 })
  @IsOptional()
  @IsInt()
  @Min(4)
  @Max(12)
  intervalWeeks?: number;
  @ApiPropertyOptional({ enum: FREQUENCIES })
  @IsOptional()
  @IsIn(FREQUENCIES)
  frequency?: Frequency;
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsIsoDate()
  lastVisitOn?: string | null;
  @ApiPropertyOptional({
    enum: STATES,
    description: 'pause or end the plan, or resume a paused one',
  })
  @IsOptional()
  @IsIn(STATES)
  status?: 'active' | 'paused' | 'ended';
  @ApiPropertyOptional({
    description: 'why (kept in the plan history)',
    example: 'Dose increased: recheck in 4 weeks',
  })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

class CarePlanDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) patientId!: string;
  @ApiProperty({ enum: TRACKS }) track!: 'medication' | 'therapy';
  @ApiProperty({ format: 'uuid' }) providerId!: string;
  @ApiProperty({ type: Number, nullable: true }) intervalWeeks!: number | null;
  @ApiProperty({ enum: FREQUENCIES, nullable: true }) frequency!: Frequency | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) lastVisitOn!: string | null;
  @ApiProperty({ format: 'date' }) startsOn!: string;
  @ApiProperty({ enum: STATES }) state!: 'active' | 'paused' | 'ended';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastVisitAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAppointmentAt!:
    string | null;
  @ApiProperty({ format: 'date' }) dueOn!: string;
  @ApiProperty({ enum: STATUSES }) status!: PlanStatus;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

class CarePlanChangeDto {
  @ApiProperty({ format: 'date-time' }) changedAt!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) changedBy!: string | null;
  @ApiProperty({ type: Number, nullable: true }) intervalWeeks!: number | null;
  @ApiProperty({ type: String, nullable: true }) frequency!: string | null;
  @ApiProperty() status!: string;
  @ApiProperty({ format: 'uuid' }) providerId!: string;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
}

@ApiTags('care-plans')
@Controller()
@ApiBadRequestResponse({ type: ProblemDto })
@ApiNotFoundResponse({ type: ProblemDto })
export class CarePlansController {
  constructor(private readonly plans: CarePlansService) {}

  @ApiOperation({ summary: 'Open a care plan for a patient' })
  @Post('patients/:id/care-plans')
  @Roles('admin', 'clinician')
  @ApiCreatedResponse({ type: CarePlanDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'an open plan of this track exists' })
  @ApiUnprocessableEntityResponse({
    type: ProblemDto,
    description: 'PROVIDER_NOT_ELIGIBLE, PATIENT_INACTIVE',
  })
  create(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: CreateCarePlanDto,
  ): Promise<CarePlanDto> {
    return this.plans.create(actor, id, body);
  }

  @ApiOperation({ summary: "List a patient's care plans with due dates and status" })
  @Get('patients/:id/care-plans')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: [CarePlanDto] })
  list(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<CarePlanDto[]> {
    return this.plans.listForPatient(actor, id);
  }

  @ApiOperation({ summary: 'Read a care plan with its due date and status' })
  @Get('care-plans/:id')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: CarePlanDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<CarePlanDto> {
    return this.plans.get(actor, id);
  }

  @ApiOperation({ summary: "Change a plan's cadence, provider or state (history kept)" })
  @Patch('care-plans/:id')
  @Roles('admin', 'clinician')
  @ApiOkResponse({ type: CarePlanDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'INVALID_TRANSITION: the plan has ended' })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: UpdateCarePlanDto,
  ): Promise<CarePlanDto> {
    return this.plans.update(actor, id, body);
  }

  @ApiOperation({ summary: "A care plan's change history" })
  @Get('care-plans/:id/history')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: [CarePlanChangeDto] })
  history(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
  ): Promise<CarePlanChangeDto[]> {
    return this.plans.history(actor, id);
  }
}
