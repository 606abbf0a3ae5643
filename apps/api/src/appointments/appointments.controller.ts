import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import type { Actor } from '@app/auth';
import { DomainError, type AppointmentStatus, type LifecycleAction } from '@app/domain';
import { AppointmentQueriesService, AppointmentsService } from '@app/scheduling';
import { CurrentActor, Roles, ALL_ROLES } from '../auth/access.decorators';
import { instant } from '../http/instant';
import { ApiBookingErrors } from '../http/responses';
import { UuidPipe } from '../http/uuid.pipe';
import {
  AppointmentDto,
  AppointmentPageDto,
  AppointmentQueryDto,
  BookAppointmentDto,
  BookingResultDto,
  CancelDto,
  RescheduleDto,
} from './appointments.dto';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('appointments')
@Controller('appointments')
@ApiBookingErrors()
export class AppointmentsController {
  constructor(
    private readonly appointments: AppointmentsService,
    private readonly queries: AppointmentQueriesService,
  ) {}

  @ApiOperation({ summary: 'Book a visit' })
  @Post()
  @Roles(...ALL_ROLES)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body: the same result; another body: 409 IDEMPOTENCY_CONFLICT',
  })
  @ApiCreatedResponse({ type: BookingResultDto })
  book(
    @CurrentActor() actor: Actor,
    @Body() body: BookAppointmentDto,
    @Headers('idempotency-key') key?: string,
  ): Promise<BookingResultDto> {
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw DomainError.validation(
        'Idempotency-Key',
        'format',
        'Idempotency-Key must be 1–200 visible ASCII characters',
      );
    }
    return this.appointments.book(actor, { ...body, startsAt: instant(body.startsAt) }, key);
  }

  @ApiOperation({ summary: 'List visits by provider, patient, time and status' })
  @Get()
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: AppointmentPageDto })
  list(
    @CurrentActor() actor: Actor,
    @Query() query: AppointmentQueryDto,
  ): Promise<AppointmentPageDto> {
    return this.queries.list(actor, {
      providerId: query.providerId,
      patientId: query.patientId,
      from: query.from ? instant(query.from) : undefined,
      to: query.to ? instant(query.to) : undefined,
      status: query.status?.split(',') as AppointmentStatus[] | undefined,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  @ApiOperation({ summary: 'Read a visit' })
  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: AppointmentDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<AppointmentDto> {
    return this.queries.get(actor, id);
  }

  @ApiOperation({ summary: 'Move a visit to another time or provider' })
  @Post(':id/reschedule')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: BookingResultDto })
  reschedule(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: RescheduleDto,
  ): Promise<BookingResultDto> {
    return this.appointments.reschedule(actor, id, {
      startsAt: instant(body.startsAt),
      providerId: body.providerId,
    });
  }

  @ApiOperation({ summary: 'Confirm a visit' })
  @Post(':id/confirm')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: AppointmentDto })
  confirm(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
  ): Promise<AppointmentDto> {
    return this.move(actor, id, 'confirm');
  }

  @ApiOperation({ summary: 'Check the patient in' })
  @Post(':id/check-in')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: AppointmentDto })
  checkIn(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
  ): Promise<AppointmentDto> {
    return this.move(actor, id, 'check_in');
  }

  @ApiOperation({ summary: 'Mark a visit completed' })
  @Post(':id/complete')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: AppointmentDto })
  complete(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
  ): Promise<AppointmentDto> {
    return this.move(actor, id, 'complete');
  }

  @ApiOperation({ summary: 'Mark a visit as a no-show' })
  @Post(':id/no-show')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: AppointmentDto })
  noShow(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<AppointmentDto> {
    return this.move(actor, id, 'no_show');
  }

  @ApiOperation({ summary: 'Cancel a visit (reason required)' })
  @Post(':id/cancel')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: AppointmentDto })
  cancel(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: CancelDto,
  ): Promise<AppointmentDto> {
    return this.appointments.transition(actor, id, 'cancel', body.reason);
  }

  private move(actor: Actor, id: string, action: LifecycleAction): Promise<AppointmentDto> {
    return this.appointments.transition(actor, id, action);
  }
}
