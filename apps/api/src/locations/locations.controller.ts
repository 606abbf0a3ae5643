import { Body, Controller, Get, Param, ParseArrayPipe, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { LocationsService } from '@app/clinic';
import { DomainError, isIsoDate } from '@app/domain';
import type { Actor } from '@app/auth';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/access.decorators';
import { ProblemDto } from '../http/problem.dto';
import { UuidPipe } from '../http/uuid.pipe';

class CreateLocationDto {
  @ApiProperty({ example: 'Downtown clinic' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'America/New_York', description: 'IANA time zone' })
  @IsString()
  @MaxLength(64)
  timezone!: string;
  @ApiPropertyOptional({ example: '12 Main St, Springfield' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  address?: string;
  @ApiPropertyOptional({ example: '+1 555 0100' })
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9 ()-]{5,30}$/)
  phone?: string;
}

class LocationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() timezone!: string;
  @ApiProperty({ type: String, nullable: true }) address!: string | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
}

@ApiTags('locations')
@Controller('locations')
export class LocationsController {
  constructor(private readonly locations: LocationsService) {}

  @ApiOperation({ summary: 'Add a location' })
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: LocationDto })
  @ApiBadRequestResponse({ type: ProblemDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateLocationDto): Promise<LocationDto> {
    return this.locations.create(actor, body);
  }

  @ApiOperation({ summary: 'List locations' })
  @Get()
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: [LocationDto] })
  list(): Promise<LocationDto[]> {
    return this.locations.list();
  }

  @ApiOperation({ summary: "List a location's closure days" })
  @Get(':id/closures')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'string', format: 'date' } } })
  @ApiNotFoundResponse({ type: ProblemDto })
  closures(@Param('id', UuidPipe) id: string): Promise<string[]> {
    return this.locations.closures(id);
  }

  @ApiOperation({ summary: "Replace a location's closure days" })
  @Put(':id/closures')
  @Roles('admin')
  @ApiBody({
    schema: { type: 'array', items: { type: 'string', format: 'date' }, example: ['2027-12-25'] },
  })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'string', format: 'date' } } })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  setClosures(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body(
      new ParseArrayPipe({
        items: String,
        exceptionFactory: () =>
          DomainError.validation(
            'body',
            'isArray',
            'the body must be an array of YYYY-MM-DD dates',
          ),
      }),
    )
    dates: string[],
  ): Promise<string[]> {
    dates.forEach((date, i) => {
      if (typeof date !== 'string' || !isIsoDate(date))
        throw DomainError.validation(`[${i}]`, 'isIsoDate', `item ${i} must be a date YYYY-MM-DD`);
    });
    if (dates.length > 1000)
      throw DomainError.validation('body', 'maxItems', 'at most 1000 closure dates');
    return this.locations.setClosures(actor, id, dates);
  }
}
