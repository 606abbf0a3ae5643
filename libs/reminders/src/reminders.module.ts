import { Module, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { registerReminderMetrics } from './reminder-metrics';
import { ReminderDeliveryBatcher } from './reminder-delivery-batcher';
import { ReminderFailures } from './reminder-failures';
import { ReminderPlanner } from './reminder-planner.service';
import { ReminderQueue } from './reminder-queue.service';
import { ReminderReconciler } from './reminder-reconciler.service';
import { ReminderSender } from './reminder-sender.service';
import { ReminderSettingsService } from './reminder-settings.service';
import { ReminderViews } from './reminder-views.service';
import { Transports } from './transports/transports';

@Module({
  providers: [
    ReminderSettingsService,
    ReminderPlanner,
    ReminderQueue,
    ReminderSender,
    ReminderDeliveryBatcher,
    ReminderReconciler,
    ReminderViews,
    ReminderFailures,
    Transports,
  ],
  exports: [
    ReminderFailures,
    ReminderSettingsService,
    ReminderPlanner,
    ReminderQueue,
    ReminderSender,
    ReminderDeliveryBatcher,
    ReminderReconciler,
    ReminderViews,
  ],
})
export class RemindersModule implements OnModuleInit {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onModuleInit(): void {
    registerReminderMetrics(this.db);
  }
}
