import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { AppConfig } from '@app/config';
import { ConfigModule } from '@app/config';
import { AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { ClinicModule } from '@app/clinic';
import { DatabaseModule } from '@app/database';
import { FollowUpsModule } from '@app/follow-ups';
import type { Clock } from '@app/domain';
import { HealthModule } from '@app/health';
import { PatientsModule } from '@app/patients';
import { QueueModule } from '@app/queue';
import { SchedulingModule } from '@app/scheduling';
import { RemindersModule } from '@app/reminders';
import { RemindersController } from './reminders/reminders.controller';
import { AppointmentsController } from './appointments/appointments.controller';
import { SeriesController } from './appointments/series.controller';
import { CarePlansController } from './care-plans/care-plans.controller';
import { ScheduleController } from './schedule/schedule.controller';
import { FollowUpsController } from './follow-ups/follow-ups.controller';
import { PanelController } from './panel/panel.controller';
import { SlotsController } from './slots/slots.controller';
import { QueueProbesController } from './admin/queue-probes.controller';
import { AuditController } from './audit/audit.controller';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { BootstrapAdmin } from './auth/bootstrap-admin';
import { HealthController } from './health/health.controller';
import { ProblemFilter } from './http/problem.filter';
import { loggerOptions } from './http/logging';
import { LocationsController } from './locations/locations.controller';
import { PatientsController } from './patients/patients.controller';
import { ProvidersController } from './providers/providers.controller';
import { UsersController } from './users/users.controller';
import { VisitTypesController } from './visit-types/visit-types.controller';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, logger: Logger, clock?: Clock): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        LoggerModule.forRoot(loggerOptions(logger)),
        DatabaseModule,
        QueueModule,
        AuditModule,
        AuthModule,
        ClinicModule,
        PatientsModule,
        HealthModule,
        SchedulingModule,
        FollowUpsModule,
        RemindersModule,
      ],
      controllers: [
        AuthController,
        UsersController,
        LocationsController,
        ProvidersController,
        VisitTypesController,
        PatientsController,
        AuditController,
        HealthController,
        QueueProbesController,
        AppointmentsController,
        SeriesController,
        SlotsController,
        CarePlansController,
        ScheduleController,
        FollowUpsController,
        PanelController,
        RemindersController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        BootstrapAdmin,
      ],
    };
  }
}
