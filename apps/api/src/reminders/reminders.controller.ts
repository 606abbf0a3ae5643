import { Body, Controller, Get, Inject, Param, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import type { Actor } from '@app/auth';
import { CLOCK } from '@app/config';
import type { Clock } from '@app/domain';
import { jobIds, JobProducer } from '@app/queue';
import {
  REMINDER_CHANNELS,
  ReminderSettingsService,
  ReminderViews,
  type ReminderChannel,
} from '@app/reminders';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/access.decorators';
import { ListQueryDto } from '../http/list-query.dto';
import { ProblemDto } from '../http/problem.dto';
import { UuidPipe } from '../http/uuid.pipe';
import { HH_MM } from '../http/validators';

class OffsetDto {
  @ApiProperty({ example: 1440, description: 'minutes before the visit' })
  @IsInt()
  @Min(1)
  @Max(43_200)
  minutesBefore!: number;
  @ApiProperty({ enum: REMINDER_CHANNELS, isArray: true, example: ['sms', 'email'] })
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsIn(REMINDER_CHANNELS, { each: true })
  channels!: ReminderChannel[];
}

class QuietHoursDto {
  @ApiProperty({ example: '21:00' })
  @Matches(HH_MM, { message: 'start must be HH:mm' })
  start!: string;
  @ApiProperty({ example: '08:00' }) @Matches(HH_MM, { message: 'end must be HH:mm' }) end!: string;
}

class ReminderPolicyDto {
  @ApiProperty({ type: [OffsetDto] })
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => OffsetDto)
  offsets!: OffsetDto[];
  @ApiProperty({
    type: QuietHoursDto,
    description: "local times in the patient's zone (the location's when the patient has none)",
  })
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours!: QuietHoursDto;
}

class ReminderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) appointmentId!: string;
  @ApiProperty({ enum: ['confirmation', 'reminder'] }) kind!: 'confirmation' | 'reminder';
  @ApiProperty() offsetMinutes!: number;
  @ApiProperty({ enum: REMINDER_CHANNELS }) channel!: ReminderChannel;
  @ApiProperty({ enum: ['pending', 'sending', 'sent', 'failed', 'cancelled', 'skipped'] })
  status!: string;
  @ApiProperty({ type: String, nullable: true, example: 'no_consent' }) reason!: string | null;
  @ApiProperty({
    format: 'date-time',
    description: 'the visit start this reminder was planned for',
  })
  plannedFor!: string;
  @ApiProperty({ format: 'date-time' }) sendAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
}

class MessageDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) reminderId!: string | null;
  @ApiProperty({ format: 'uuid' }) patientId!: string;
  @ApiProperty({ enum: REMINDER_CHANNELS }) channel!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty({ type: String, nullable: true }) subject!: string | null;
  @ApiProperty() body!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

class MessagePageDto {
  @ApiProperty({ type: [MessageDto] }) items!: MessageDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class MessageQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() patientId?: string;
}

@ApiTags('reminders')
@Controller()
@ApiBadRequestResponse({ type: ProblemDto })
export class RemindersController {
  constructor(
    private readonly settings: ReminderSettingsService,
    private readonly views: ReminderViews,
    private readonly producer: JobProducer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @ApiOperation({ summary: 'Read the reminder policy' })
  @Get('settings/reminders')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: ReminderPolicyDto })
  policy(): Promise<ReminderPolicyDto> {
    return this.settings.get();
  }

  @ApiOperation({
    summary: "Replace the reminder policy; future visits' pending reminders are re-planned",
  })
  @Put('settings/reminders')
  @Roles('admin')
  @ApiOkResponse({ type: ReminderPolicyDto })
  async setPolicy(
    @CurrentActor() actor: Actor,
    @Body() body: ReminderPolicyDto,
  ): Promise<ReminderPolicyDto> {
    const policy = await this.settings.put(actor, body);
    const at = this.clock.now().toMillis();
    await this.producer.add(
      'replan-reminders',
      {},
      { jobId: jobIds.replanReminders(at), removeOnComplete: true },
    );
    return policy;
  }

  @ApiOperation({ summary: "A visit's reminders with status, reason and times" })
  @Get('appointments/:id/reminders')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: [ReminderDto] })
  @ApiNotFoundResponse({ type: ProblemDto })
  reminders(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
  ): Promise<ReminderDto[]> {
    return this.views.forAppointment(actor, id);
  }

  @ApiOperation({ summary: 'Messages the log transport recorded' })
  @Get('messages')
  @Roles('admin')
  @ApiOkResponse({ type: MessagePageDto })
  messages(@CurrentActor() actor: Actor, @Query() query: MessageQueryDto): Promise<MessagePageDto> {
    return this.views.messages(actor, query);
  }
}
