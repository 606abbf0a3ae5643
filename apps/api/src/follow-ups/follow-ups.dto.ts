import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import type { Frequency, PlanStatus } from '@app/domain';
import { FLAG_KINDS, type FlagKind } from '@app/follow-ups';
import { ListQueryDto } from '../http/list-query.dto';

const STATES = ['open', 'closed'] as const;
const TRACKS = ['medication', 'therapy'] as const;
const FREQUENCIES: Frequency[] = ['weekly', 'biweekly'];
export const PLAN_STATUSES: PlanStatus[] = ['on_track', 'due_soon', 'overdue', 'lapsed'];

export class FollowUpQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: STATES, default: 'open' })
  @IsOptional()
  @IsIn(STATES)
  status?: 'open' | 'closed';
  @ApiPropertyOptional({ enum: FLAG_KINDS })
  @IsOptional()
  @IsIn(FLAG_KINDS)
  kind?: FlagKind;
  @ApiPropertyOptional({
    format: 'uuid',
    description: "a provider's follow-ups (a clinician may only ask for their own)",
  })
  @IsOptional()
  @IsUUID()
  providerId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: "the visit's location, else the provider's" })
  @IsOptional()
  @IsUUID()
  locationId?: string;
}

export class ResolveDto {
  @ApiProperty({ example: 'Called the patient: booked for next Tuesday', maxLength: 1000 })
  @IsString()
  @Length(1, 1000)
  note!: string;
}

class FollowUpPatientDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() firstName!: string;
  @ApiProperty() lastName!: string;
  @ApiProperty({ example: 'MRN100001' }) mrn!: string;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
}

class FollowUpProviderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

class FollowUpPlanDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: TRACKS }) track!: 'medication' | 'therapy';
  @ApiProperty({ type: Number, nullable: true }) intervalWeeks!: number | null;
  @ApiProperty({ enum: FREQUENCIES, nullable: true }) frequency!: Frequency | null;
  @ApiProperty({ format: 'date', description: 'the current due date' }) dueOn!: string;
  @ApiProperty({ enum: PLAN_STATUSES, description: 'as GET /care-plans/:id shows it' })
  status!: PlanStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAppointmentAt!:
    string | null;
}

class FollowUpAppointmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'THERAPY' }) visitType!: string;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ example: 'no_show' }) status!: string;
}

export class SlotSuggestionDto {
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
  @ApiProperty({ format: 'uuid' }) providerId!: string;
  @ApiProperty({ format: 'uuid' }) locationId!: string;
  @ApiProperty({ example: 'MED_CHECK' }) visitType!: string;
}

export class FollowUpDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: FLAG_KINDS }) kind!: FlagKind;
  @ApiProperty({ enum: STATES }) state!: 'open' | 'closed';
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'the due date that opened a plan flag',
  })
  dueOn!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      "open flags: local days past the plan's due date, or since the missed visit; else null",
  })
  daysOverdue!: number | null;
  @ApiProperty({ type: FollowUpPatientDto }) patient!: FollowUpPatientDto;
  @ApiProperty({ type: FollowUpProviderDto }) provider!: FollowUpProviderDto;
  @ApiProperty({ type: FollowUpPlanDto, nullable: true }) plan!: FollowUpPlanDto | null;
  @ApiProperty({ type: FollowUpAppointmentDto, nullable: true })
  appointment!: FollowUpAppointmentDto | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) reminderId!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) closedBy!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'auto: scheduled',
    description: "'resolved' (by staff) or 'auto: …' (by the scan)",
  })
  closeReason!: string | null;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({
    type: SlotSuggestionDto,
    nullable: true,
    description: "the first free slot with the plan's provider within the due window",
  })
  suggestion!: SlotSuggestionDto | null;
}

export class FollowUpPageDto {
  @ApiProperty({ type: [FollowUpDto] }) items!: FollowUpDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class FlagCountsDto {
  @ApiProperty() med_check_overdue!: number;
  @ApiProperty() med_check_lapsed!: number;
  @ApiProperty() therapy_overdue!: number;
  @ApiProperty() no_show!: number;
  @ApiProperty() reminder_failed!: number;
}

export class ScanResultDto {
  @ApiProperty({ description: 'another scan was running: this one did nothing' })
  skipped!: boolean;
  @ApiProperty() opened!: number;
  @ApiProperty() closed!: number;
  @ApiProperty({ type: FlagCountsDto }) openedByKind!: FlagCountsDto;
  @ApiProperty({ type: FlagCountsDto }) closedByKind!: FlagCountsDto;
}
