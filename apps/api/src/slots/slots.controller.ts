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
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import type { Modality } from '@app/domain';
import { SlotsService } from '@app/scheduling';
import { Roles } from '../auth/access.decorators';
import { ListQueryDto } from '../http/list-query.dto';
import { ProblemDto } from '../http/problem.dto';

class SlotQueryDto extends ListQueryDto {
  @ApiProperty({ example: 'MED_CHECK' })
  @Matches(/^[A-Z][A-Z0-9_]{1,39}$/, {
    message: 'visitType must be a visit type code such as MED_CHECK',
  })
  visitType!: string;
  @ApiPropertyOptional({
    description: 'date YYYY-MM-DD (local) or instant with offset; default now',
    example: '2027-03-01',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;
  @ApiPropertyOptional({
    description:
      'inclusive date or exclusive instant; default from + 14 days; at most 92 days after from',
    example: '2027-05-24',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() providerId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "leaves out the patient's own conflicts and, for med checks, starts too soon for the cadence",
  })
  @IsOptional()
  @IsUUID()
  patientId?: string;
  @ApiPropertyOptional({ enum: ['in_person', 'telehealth'] })
  @IsOptional()
  @IsIn(['in_person', 'telehealth'])
  modality?: Modality;
}

class SlotDto {
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
  @ApiProperty({ format: 'uuid' }) providerId!: string;
  @ApiProperty() providerName!: string;
  @ApiProperty({ format: 'uuid' }) locationId!: string;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: "within a week of the plan's due date (with patientId and a plan)",
  })
  withinDueWindow!: boolean | null;
}

class SlotPageDto {
  @ApiProperty({ type: [SlotDto] }) items!: SlotDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) dueOn!: string | null;
}

@ApiTags('appointments')
@Controller('slots')
export class SlotsController {
  constructor(private readonly slots: SlotsService) {}

  @ApiOperation({ summary: 'Find free starts for a visit type' })
  @Get()
  @Roles('admin', 'front_desk', 'clinician')
  @ApiOkResponse({
    type: SlotPageDto,
    description: 'Free starts on a 15-minute grid, earliest first',
  })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  search(@Query() query: SlotQueryDto): Promise<SlotPageDto> {
    return this.slots.search(query);
  }
}
