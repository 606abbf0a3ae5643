import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { JobProducer, QUEUES, type JobPayloads } from '@app/queue';
import {
  ReminderDeliveryBatcher,
  ReminderPlanner,
  ReminderQueue,
  ReminderReconciler,
  ReminderSettingsService,
} from '@app/reminders';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QueueWorker } from './queue-worker';

const RECONCILER_ID = 'reconcile-reminders';

@Injectable()
export class RemindersProcessor
  extends QueueWorker
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private watchdog?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly settings: AppConfig,
    private readonly delivery: ReminderDeliveryBatcher,
    private readonly reconciler: ReminderReconciler,
    private readonly planner: ReminderPlanner,
    private readonly reminderQueue: ReminderQueue,
    private readonly policy: ReminderSettingsService,
    private readonly producer: JobProducer,
    @InjectDataSource() private readonly db: DataSource,
  ) {
    super(QUEUES.reminders, settings, settings.WORKER_CONCURRENCY);
  }

  override onApplicationBootstrap(): void {
    super.onApplicationBootstrap();
    void this.ensureReconciler();
    // A Redis that was flushed lost the job scheduler too: re-declare it (idempotent) so
    // reconciliation resumes without a worker restart.
    this.watchdog = setInterval(
      () => void this.ensureReconciler(),
      this.settings.RECONCILE_EVERY_SECONDS * 1000,
    );
    this.watchdog.unref();
  }

  override async onApplicationShutdown(): Promise<void> {
    clearInterval(this.watchdog);
    await super.onApplicationShutdown();
  }

  protected async handle(job: Job): Promise<unknown> {
    switch (job.name) {
      case 'send-reminder': {
        const { reminderId } = job.data as JobPayloads['send-reminder'];
        // Shares one transaction with the other jobs this process runs at the same moment.
        return { outcome: await this.delivery.deliver(reminderId) };
      }
      case 'reconcile-reminders':
        return this.reconciler.reconcile();
      case 'replan-reminders':
        return this.replanAll();
      default:
        this.logger.warn({ name: job.name }, 'unknown job name');
        return undefined;
    }
  }

  /** After a policy change: every future visit, in batches, each in its own transaction. */
  private async replanAll(): Promise<{ visits: number }> {
    this.policy.invalidate(); // this process may hold the previous policy in its cache
    let after = '00000000-0000-0000-0000-000000000000';
    let visits = 0;
    for (;;) {
      const rows = await this.db.query<{ id: string }[]>(
        `SELECT id FROM appointments WHERE status IN ('scheduled','confirmed') AND starts_at > now() AND id > $1 ORDER BY id LIMIT 500`,
        [after],
      );
      if (rows.length === 0) return { visits };
      const ids = rows.map((r) => r.id);
      const result = await this.db.transaction((em) =>
        this.planner.replan(em, { appointmentIds: ids }),
      );
      await this.reminderQueue.discard(result.cancelled);
      await this.reminderQueue.enqueue(result.pending);
      visits += ids.length;
      after = ids[ids.length - 1]!;
    }
  }

  private async ensureReconciler(): Promise<void> {
    try {
      await this.producer
        .queue(QUEUES.reminders)
        .upsertJobScheduler(
          RECONCILER_ID,
          { every: this.settings.RECONCILE_EVERY_SECONDS * 1000 },
          { name: 'reconcile-reminders', data: {} },
        );
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message },
        'could not declare the reminder reconciler',
      );
    }
  }
}
