import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import { hostname } from 'node:os';
import type { AppConfig } from '@app/config';
import { DomainError } from '@app/domain';
import { jobsProcessed } from '@app/health';
import type { QueueName } from '@app/queue';

/**
 * One BullMQ worker per queue: decodes a job and hands it to `handle`. Domain errors
 * that retrying cannot fix (NOT_FOUND, INVALID_TRANSITION, …) end the job without a
 * retry; anything else is thrown back to BullMQ, which retries with backoff.
 */
export abstract class QueueWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  protected readonly workerName = `${hostname()}:${process.pid}`;
  private worker?: Worker;

  protected constructor(
    private readonly queueName: QueueName,
    private readonly config: AppConfig,
    private readonly concurrency: number,
  ) {}

  protected abstract handle(job: Job): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.worker = new Worker(
      this.queueName,
      async (job) => {
        try {
          const result = await this.handle(job);
          jobsProcessed.inc({ queue: this.queueName, name: job.name, outcome: 'done' });
          return result;
        } catch (error) {
          if (error instanceof DomainError && error.code !== 'CONFLICT') {
            jobsProcessed.inc({ queue: this.queueName, name: job.name, outcome: 'dropped' });
            this.logger.warn({ jobId: job.id, code: error.code }, 'job dropped');
            return { dropped: error.code };
          }
          jobsProcessed.inc({ queue: this.queueName, name: job.name, outcome: 'error' });
          throw error;
        }
      },
      {
        prefix: this.config.QUEUE_PREFIX,
        connection: { url: this.config.REDIS_URL, maxRetriesPerRequest: null },
        concurrency: this.concurrency,
        lockDuration: this.config.WORKER_LOCK_MS,
        stalledInterval: this.config.WORKER_LOCK_MS,
        autorun: true,
      },
    );
    this.worker.on('failed', (job, error) =>
      this.logger.error({ jobId: job?.id, name: job?.name, err: error.message }, 'job failed'),
    );
    this.worker.on('error', (error) => this.logger.error({ err: error.message }, 'worker error'));
  }

  /** Finishes the jobs in hand, takes no new ones. */
  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
