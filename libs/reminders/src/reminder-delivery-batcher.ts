import { Injectable } from '@nestjs/common';
import { StatementBatcher } from '@app/database';
import { ReminderSender, type DeliveryOutcome } from './reminder-sender.service';

/** Larger batches hold their row locks and their connection longer for little gain. */
const MAX_BATCH = 100;

/**
 * Gathers the reminders a worker process is asked to deliver in the same turn of the
 * event loop (its concurrent `send-reminder` jobs) and delivers them as one batch. A
 * transaction per reminder left the worker's CPU, not Postgres, as the limit on sends
 * per second; a batch costs the same few statements whatever its size. Each caller
 * still gets its own outcome, and every caller of a batch whose transaction failed gets
 * that error, so BullMQ retries each job as before.
 *
 * Batches do not wait for one another (no in-flight limit): each caller's answer is the
 * promise of its own outcome, which a remote send settles after the batch commits.
 */
@Injectable()
export class ReminderDeliveryBatcher {
  private readonly batcher: StatementBatcher<string, Promise<DeliveryOutcome>>;

  constructor(sender: ReminderSender) {
    this.batcher = new StatementBatcher((ids) => Promise.resolve(sender.deliverMany(ids)), {
      maxBatch: MAX_BATCH,
      maxInFlight: Number.POSITIVE_INFINITY,
    });
  }

  async deliver(reminderId: string): Promise<DeliveryOutcome> {
    return await this.batcher.submit(reminderId);
  }
}
