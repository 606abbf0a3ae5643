import { Body, Controller, Get, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { VisitTypesService } from '@app/clinic';
import { PROVIDER_ROLES, type ProviderRole } from '@app/domain';
import type { Actor } from '@app/auth';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/access.decorators';
import { ProblemDto } from '../http/problem.dto';

const TRACKS = ['medication', 'therapy'] as const;

class VisitTypeDto {
  @ApiProperty({ example: 'FAMILY_THERAPY' })
  @Matches(/^[A-Z][A-Z0-9_]{1,39}$/, { message: 'code must be UPPER_SNAKE_CASE, 2–40 characters' })
  code!: string;
  @ApiProperty({ example: 'Family therapy' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 50, minimum: 5, maximum: 480 })
  @IsInt()
  @Min(5)
  @Max(480)
  durationMinutes!: number;
  @ApiProperty({ enum: PROVIDER_ROLES }) @IsIn(PROVIDER_ROLES) requiredRole!: ProviderRole;
  @ApiPropertyOptional({ enum: TRACKS, nullable: true, type: String })
  @IsOptional()
  @IsIn(TRACKS)
  track!: 'medication' | 'therapy' | null;
}

@ApiTags('visit-types')
@Controller('visit-types')
export class VisitTypesController {
  constructor(private readonly visitTypes: VisitTypesService) {}

  @ApiOperation({ summary: 'List visit types' })
  @Get()
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: [VisitTypeDto] })
  list(): Promise<VisitTypeDto[]> {
    return this.visitTypes.list();
  }

  @ApiOperation({ summary: 'Add a visit type' })
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: VisitTypeDto })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto })
  create(@CurrentActor() actor: Actor, @Body() body: VisitTypeDto): Promise<VisitTypeDto> {
    return this.visitTypes.create(actor, { ...body, track: body.track ?? null });
  }
}
