import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, CLOCK, type AppConfig } from '@app/config';
import type { Clock } from '@app/domain';
import { StatementBatcher } from '@app/database';
import { jobIds, JobProducer } from '@app/queue';
import type { PendingReminder } from './reminder-planner.service';

/**
 * The Redis side of reminders: one delayed job per pending row, id = the row's id,
 * payload = the id only. Called after the planning transaction commits; if Redis is
 * away the booking still stands and the reconciler creates the jobs later. Concurrent
 * callers (bookings answered together) share one Redis pipeline (StatementBatcher).
 */
@Injectable()
export class ReminderQueue implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ReminderQueue.name);
  /** Work handOver() started and a graceful shutdown still waits for. */
  private readonly handedOver = new Set<Promise<unknown>>();

  private readonly batcher = new StatementBatcher<PendingReminder[], void>(
    async (lists) => {
      await this.add(lists.flat());
      return lists.map(() => undefined);
    },
    { maxBatch: 64, maxInFlight: 2 },
  );

  constructor(
    private readonly producer: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async enqueue(reminders: PendingReminder[]): Promise<void> {
    if (reminders.length > 0) await this.batcher.submit(reminders);
  }

  /**
   * For request paths: the jobs of reminders just committed, and the removal of those
   * just cancelled, go to Redis without the answer waiting for them. Postgres already
   * holds every reminder, so a slow or absent Redis delays no booking: its jobs come
   * late, or from the reconciler, as when enqueue() fails. (A booking waited about 7 ms
   * here, a fifth of its time in the booking bench, and longer whenever Redis was slow.)
   * Background work (the reconciler, a re-plan) uses enqueue(), which waits: that is
   * its back-pressure.
   */
  handOver(change: { pending?: PendingReminder[]; cancelled?: string[] }): void {
    const work = Promise.all([
      change.cancelled?.length ? this.discard(change.cancelled) : undefined,
      change.pending?.length ? this.enqueue(change.pending) : undefined,
    ]).catch((error: unknown) =>
      this.logger.warn({ err: (error as Error).message }, 'reminder jobs not handed over'),
    );
    this.handedOver.add(work);
    void work.finally(() => this.handedOver.delete(work));
  }

  /** A graceful shutdown first lets the jobs handed over reach Redis. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.handedOver]);
  }

  private async add(reminders: PendingReminder[]): Promise<void> {
    const now = this.clock.now().toMillis();
    try {
      await this.producer.addMany(
        'send-reminder',
        reminders.map((r) => ({
          payload: { reminderId: r.id },
          options: {
            jobId: jobIds.sendReminder(r.id),
            delay: Math.max(0, r.sendAt.getTime() - now),
            attempts: this.config.REMINDER_MAX_ATTEMPTS,
            backoff: { type: 'exponential', delay: this.config.REMINDER_BACKOFF_MS },
            // Postgres keeps the history; a finished job must not block a re-created one.
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      );
    } catch (error) {
      this.logger.warn(
        { count: reminders.length, err: (error as Error).message },
        'reminder jobs not enqueued; the reconciler will create them',
      );
    }
  }

  /** Of these pending reminders, those with no job in Redis (lost, or never handed over). */
  async withoutJob(reminders: PendingReminder[]): Promise<PendingReminder[]> {
    const ids = reminders.map((r) => jobIds.sendReminder(r.id));
    const missing = new Set(await this.producer.missing('send-reminder', ids));
    return reminders.filter((_, i) => missing.has(ids[i]));
  }

  /** Best effort: a stale job finds its row cancelled and does nothing anyway. */
  async discard(reminderIds: string[]): Promise<void> {
    try {
      await this.producer.remove('send-reminder', reminderIds.map(jobIds.sendReminder));
    } catch (error) {
      this.logger.warn(
        { count: reminderIds.length, err: (error as Error).message },
        'could not remove cancelled reminder jobs',
      );
    }
  }
}
