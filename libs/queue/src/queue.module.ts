import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { JOB_QUEUE, QUEUES, type JobName, type JobPayloads, type QueueName } from './jobs';
import { createRedis } from './redis';

export const REDIS = Symbol('REDIS');

/** The producer: the only way the apps put work on a queue. */
@Injectable()
export class JobProducer implements OnApplicationShutdown {
  private readonly queues: Map<QueueName, Queue>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.queues = new Map(
      Object.values(QUEUES).map((name) => [
        name,
        new Queue(name, {
          prefix: config.QUEUE_PREFIX,
          connection: { url: config.REDIS_URL, maxRetriesPerRequest: 3 },
          defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000 },
        }),
      ]),
    );
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  async add<N extends JobName>(
    name: N,
    payload: JobPayloads[N],
    options: JobsOptions & { jobId: string },
  ): Promise<void> {
    await this.queue(JOB_QUEUE[name]).add(name, payload, options);
  }

  /** One round trip for many jobs; BullMQ ignores a job whose id already exists. */
  async addMany<N extends JobName>(
    name: N,
    jobs: { payload: JobPayloads[N]; options: JobsOptions & { jobId: string } }[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue(JOB_QUEUE[name]).addBulk(
      jobs.map((job) => ({ name, data: job.payload, opts: job.options })),
    );
  }

  /**
   * The ids among `jobIds` with no job in Redis, in one pipelined EXISTS per id: far
   * cheaper than offering every job again, which runs BullMQ's add script per job even
   * when it then ignores the id.
   */
  async missing(name: JobName, jobIds: string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    const queue = this.queue(JOB_QUEUE[name]);
    const pipeline = this.redis.pipeline();
    for (const id of jobIds) pipeline.exists(queue.toKey(id));
    const replies = (await pipeline.exec()) ?? [];
    return jobIds.filter((_, i) => {
      const [error, found] = replies[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      return found === 0;
    });
  }

  async remove(name: JobName, jobIds: string[]): Promise<void> {
    const queue = this.queue(JOB_QUEUE[name]);
    await Promise.all(jobIds.map((id) => queue.remove(id)));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    JobProducer,
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedis(config.REDIS_URL, 'client'),
    },
    RedisCloser,
  ],
  exports: [JobProducer, REDIS],
})
export class QueueModule {}
