import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { QueueProbeEntity } from '@app/database';
import { DomainError } from '@app/domain';
import { jobIds, JobProducer } from '@app/queue';

export interface QueueProbeView {
  id: string;
  requestedAt: string;
  processedAt: string | null;
  processedBy: string | null;
}

const view = (p: QueueProbeEntity): QueueProbeView => ({
  id: p.id,
  requestedAt: p.requestedAt.toISOString(),
  processedAt: p.processedAt?.toISOString() ?? null,
  processedBy: p.processedBy,
});

/**
 * An operator's end-to-end check of the job path: the API writes a row and enqueues
 * its id; a worker marks the row processed. A probe still unprocessed after a few
 * seconds means the workers or Redis are not doing their job.
 */
@Injectable()
export class QueueProbeService {
  constructor(
    @InjectRepository(QueueProbeEntity) private readonly probes: Repository<QueueProbeEntity>,
    private readonly producer: JobProducer,
  ) {}

  async request(): Promise<QueueProbeView> {
    const probe = await this.probes.save(this.probes.create({}));
    await this.producer.add(
      'queue-probe',
      { probeId: probe.id },
      { jobId: jobIds.queueProbe(probe.id) },
    );
    return view(probe);
  }

  async get(id: string): Promise<QueueProbeView> {
    const probe = await this.probes.findOneBy({ id });
    if (!probe) throw DomainError.notFound('queue probe', id);
    return view(probe);
  }

  /** Idempotent: a second delivery of the same job changes nothing. */
  async process(id: string, workerName: string): Promise<boolean> {
    const result = await this.probes.update(
      { id, processedAt: IsNull() },
      { processedAt: () => 'now()', processedBy: workerName },
    );
    return (result.affected ?? 0) > 0;
  }
}
