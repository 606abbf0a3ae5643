import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { QueueProbeService } from '@app/health';
import { QUEUES, type JobPayloads } from '@app/queue';
import { QueueWorker } from './queue-worker';

@Injectable()
export class MaintenanceProcessor extends QueueWorker {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly probes: QueueProbeService,
  ) {
    super(QUEUES.maintenance, config, 4);
  }

  protected async handle(job: Job): Promise<unknown> {
    switch (job.name) {
      case 'queue-probe': {
        const { probeId } = job.data as JobPayloads['queue-probe'];
        return { processed: await this.probes.process(probeId, this.workerName) };
      }
      default:
        this.logger.warn({ name: job.name }, 'unknown job name');
        return undefined;
    }
  }
}
