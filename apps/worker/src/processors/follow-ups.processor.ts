import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, CLOCK, type AppConfig } from '@app/config';
import type { Clock } from '@app/domain';
import { FollowUpsService } from '@app/follow-ups';
import { JobProducer, QUEUES, jobIds } from '@app/queue';
import { QueueWorker } from './queue-worker';

/**
 * Runs the follow-up scan every FOLLOW_UP_SCAN_EVERY_MINUTES. The scan is one pair of
 * statements under an advisory lock, so several workers (or an admin's "scan now") never
 * scan at the same time; concurrency 1 keeps this worker from queueing scans on itself.
 */
@Injectable()
export class FollowUpsProcessor
  extends QueueWorker
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private watchdog?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly settings: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly followUps: FollowUpsService,
    private readonly producer: JobProducer,
  ) {
    super(QUEUES.followUps, settings, 1);
  }

  override onApplicationBootstrap(): void {
    super.onApplicationBootstrap();
    void this.ensureScheduler();
    // A flushed Redis loses the scheduler too: declaring it again (idempotent) resumes the
    // scans without a worker restart.
    this.watchdog = setInterval(() => void this.ensureScheduler(), this.everyMs());
    this.watchdog.unref();
  }

  override async onApplicationShutdown(): Promise<void> {
    clearInterval(this.watchdog);
    await super.onApplicationShutdown();
  }

  protected async handle(job: Job): Promise<unknown> {
    switch (job.name) {
      case 'follow-up-scan':
        // Counts only in the job's result: Redis never holds anything about a patient.
        return this.followUps.scan(this.clock.now());
      default:
        this.logger.warn({ name: job.name }, 'unknown job name');
        return undefined;
    }
  }

  private everyMs(): number {
    return this.settings.FOLLOW_UP_SCAN_EVERY_MINUTES * 60_000;
  }

  private async ensureScheduler(): Promise<void> {
    try {
      await this.producer
        .queue(QUEUES.followUps)
        .upsertJobScheduler(
          jobIds.followUpScanScheduler,
          { every: this.everyMs() },
          { name: 'follow-up-scan', data: {} },
        );
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message },
        'could not declare the follow-up scan scheduler',
      );
    }
  }
}
