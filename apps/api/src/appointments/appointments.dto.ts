import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  APPOINTMENT_STATUSES,
  type AppointmentStatus,
  type Frequency,
  type Modality,
} from '@app/domain';
import { ListQueryDto } from '../http/list-query.dto';
import { IsInstant } from '../http/validators';

const MODALITIES: Modality[] = ['in_person', 'telehealth'];
const FREQUENCIES: Frequency[] = ['weekly', 'biweekly'];
const VISIT_TYPE = /^[A-Z][A-Z0-9_]{1,39}$/;

export class BookAppointmentDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() patientId!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() providerId!: string;
  @ApiProperty({
    example: 'MED_CHECK',
    description: 'A visit type code; the duration comes from it',
  })
  @Matches(VISIT_TYPE, { message: 'visitType must be a visit type code such as MED_CHECK' })
  visitType!: string;
  @ApiProperty({ example: '2027-03-01T10:00:00-05:00', description: 'ISO-8601 with an offset' })
  @IsInstant()
  startsAt!: string;
  @ApiPropertyOptional({ enum: MODALITIES, default: 'in_person' })
  @IsOptional()
  @IsIn(MODALITIES)
  modality?: Modality;
  @ApiPropertyOptional({
    format: 'uuid',
    description: "Defaults to the patient's open plan of the visit type's track",
  })
  @IsOptional()
  @IsUUID()
  carePlanId?: string;
  @ApiPropertyOptional({
    description:
      'Books a med check sooner than the cadence allows (clinician of the patient or admin)',
    example: 'Side effects after dose change',
  })
  @IsOptional()
  @IsString()
  @Length(3, 500)
  overrideReason?: string;
}

export class RescheduleDto {
  @ApiProperty({ example: '2027-03-08T10:00:00-05:00' }) @IsInstant() startsAt!: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() providerId?: string;
}

export class CancelDto {
  @ApiProperty({ example: 'Patient called: sick' }) @IsString() @Length(1, 500) reason!: string;
}

export class AppointmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) patientId!: string;
  @ApiProperty({ format: 'uuid' }) providerId!: string;
  @ApiProperty({ format: 'uuid' }) locationId!: string;
  @ApiProperty({ example: 'MED_CHECK' }) visitType!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) carePlanId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) seriesId!: string | null;
  @ApiProperty({ format: 'date-time', example: '2027-03-01T10:00:00.000-05:00' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
  @ApiProperty({ example: 'America/New_York' }) timezone!: string;
  @ApiProperty({ enum: MODALITIES }) modality!: Modality;
  @ApiProperty({ enum: APPOINTMENT_STATUSES }) status!: AppointmentStatus;
  @ApiProperty({ type: String, nullable: true }) cancelReason!: string | null;
  @ApiProperty() lateCancel!: boolean;
  @ApiProperty({ type: String, nullable: true }) overrideReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class WarningDto {
  @ApiProperty({ example: 'CADENCE_LATE' }) code!: 'CADENCE_LATE';
  @ApiProperty() detail!: string;
}

export class BookingResultDto {
  @ApiProperty({ type: AppointmentDto }) appointment!: AppointmentDto;
  @ApiProperty({ type: [WarningDto] }) warnings!: WarningDto[];
}

export class AppointmentPageDto {
  @ApiProperty({ type: [AppointmentDto] }) items!: AppointmentDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AppointmentQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() providerId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() patientId?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsInstant() from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsInstant() to?: string;
  @ApiPropertyOptional({ description: 'comma-separated statuses', example: 'scheduled,confirmed' })
  @IsOptional()
  @Matches(
    new RegExp(`^(${APPOINTMENT_STATUSES.join('|')})(,(${APPOINTMENT_STATUSES.join('|')}))*$`),
    { message: `status must be a comma-separated list of ${APPOINTMENT_STATUSES.join(', ')}` },
  )
  status?: string;
}

export class CreateSeriesDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() patientId!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() providerId!: string;
  @ApiProperty({ example: 'THERAPY' })
  @Matches(VISIT_TYPE, { message: 'visitType must be a visit type code such as THERAPY' })
  visitType!: string;
  @ApiProperty({ example: '2027-02-23T10:00:00-05:00' }) @IsInstant() firstStartsAt!: string;
  @ApiProperty({ enum: FREQUENCIES }) @IsIn(FREQUENCIES) frequency!: Frequency;
  @ApiPropertyOptional({ minimum: 1, maximum: 52 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(52)
  count?: number;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'inclusive; at most a year after firstStartsAt',
  })
  @IsOptional()
  @IsInstant()
  until?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() carePlanId?: string;
  @ApiPropertyOptional({ enum: MODALITIES }) @IsOptional() @IsIn(MODALITIES) modality?: Modality;
}

export class SkippedOccurrenceDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startsAt!: string | null;
  @ApiProperty({ format: 'date' }) localDate!: string;
  @ApiProperty({ example: '10:00' }) localTime!: string;
  @ApiProperty({ example: 'OUTSIDE_WORKING_HOURS' }) code!: string;
  @ApiProperty() detail!: string;
}

export class SeriesResultDto {
  @ApiProperty({ format: 'uuid' }) seriesId!: string;
  @ApiProperty({ type: [AppointmentDto] }) booked!: AppointmentDto[];
  @ApiProperty({ type: [SkippedOccurrenceDto] }) skipped!: SkippedOccurrenceDto[];
}

export class CancelSeriesDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'default: now' })
  @IsOptional()
  @IsInstant()
  from?: string;
  @ApiProperty() @IsString() @Length(1, 500) reason!: string;
}

export class CancelledSeriesDto {
  @ApiProperty({ type: [AppointmentDto] }) cancelled!: AppointmentDto[];
}
