import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import type { Actor } from '@app/auth';
import { SeriesService } from '@app/scheduling';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/access.decorators';
import { instant } from '../http/instant';
import { ApiBookingErrors } from '../http/responses';
import { UuidPipe } from '../http/uuid.pipe';
import {
  CancelledSeriesDto,
  CancelSeriesDto,
  CreateSeriesDto,
  SeriesResultDto,
} from './appointments.dto';

@ApiTags('appointments')
@Controller('appointment-series')
@ApiBookingErrors()
export class SeriesController {
  constructor(private readonly series: SeriesService) {}

  @ApiOperation({ summary: 'Book a weekly or biweekly series' })
  @Post()
  @Roles(...ALL_ROLES)
  @ApiCreatedResponse({
    type: SeriesResultDto,
    description: 'Occurrences that break a rule are in skipped[] with their code',
  })
  create(@CurrentActor() actor: Actor, @Body() body: CreateSeriesDto): Promise<SeriesResultDto> {
    return this.series.create(actor, {
      ...body,
      firstStartsAt: instant(body.firstStartsAt),
      until: body.until ? instant(body.until) : undefined,
    });
  }

  @ApiOperation({ summary: "Cancel a series' remaining visits" })
  @Post(':id/cancel')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: CancelledSeriesDto })
  cancel(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: CancelSeriesDto,
  ): Promise<CancelledSeriesDto> {
    return this.series.cancel(actor, id, {
      from: body.from ? instant(body.from) : undefined,
      reason: body.reason,
    });
  }
}
