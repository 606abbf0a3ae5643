import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, type AppConfig } from '@app/config';
import { AuditModule } from '@app/audit';
import { DatabaseModule } from '@app/database';
import { FollowUpsModule } from '@app/follow-ups';
import type { Clock } from '@app/domain';
import { HealthModule } from '@app/health';
import { QueueModule } from '@app/queue';
import { RemindersModule } from '@app/reminders';
import { FollowUpsProcessor } from './processors/follow-ups.processor';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { RemindersProcessor } from './processors/reminders.processor';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        LoggerModule.forRoot({
          pinoHttp: { level: config.LOG_LEVEL, customProps: () => ({ app: 'worker' }) },
        }),
        DatabaseModule,
        QueueModule,
        AuditModule,
        HealthModule,
        RemindersModule,
        FollowUpsModule,
      ],
      providers: [MaintenanceProcessor, RemindersProcessor, FollowUpsProcessor],
    };
  }
}
