import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import type { Actor } from '@app/auth';
import { AppointmentQueriesService } from '@app/scheduling';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/access.decorators';
import { ProblemDto } from '../http/problem.dto';
import { IsIsoDate } from '../http/validators';
import { AppointmentDto } from '../appointments/appointments.dto';

class ScheduleQueryDto {
  @ApiProperty({
    format: 'date',
    example: '2027-03-01',
    description: "a local date in the location's (or provider's) zone",
  })
  @IsIsoDate()
  date!: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() providerId?: string;
}

class SchedulePatientDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() firstName!: string;
  @ApiProperty() lastName!: string;
  @ApiProperty() mrn!: string;
}

class ScheduleEntryDto extends AppointmentDto {
  @ApiProperty({ type: SchedulePatientDto }) patient!: SchedulePatientDto;
  @ApiProperty() providerName!: string;
}

@ApiTags('appointments')
@Controller('schedule')
export class ScheduleController {
  constructor(private readonly queries: AppointmentQueriesService) {}

  @ApiOperation({ summary: "A local day's visits for a location or provider" })
  @Get()
  @Roles(...ALL_ROLES)
  @ApiOkResponse({
    type: [ScheduleEntryDto],
    description:
      "A local day's visits in order (cancelled ones left out); a clinician sees their own",
  })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  day(@CurrentActor() actor: Actor, @Query() query: ScheduleQueryDto): Promise<ScheduleEntryDto[]> {
    return this.queries.schedule(actor, query);
  }
}
