import { Injectable } from '@nestjs/common';
import { ReminderSender, type DeliveryOutcome } from './reminder-sender.service';

/** Larger batches hold their row locks and their connection longer for little gain. */
const MAX_BATCH = 100;

interface Waiting {
  reminderId: string;
  resolve: (outcome: Promise<DeliveryOutcome>) => void;
}

/**
 * Gathers the reminders a worker process is asked to deliver in the same turn of the
 * event loop (its concurrent `send-reminder` jobs) and delivers them as one batch. A
 * transaction per reminder left the worker's CPU, not Postgres, as the limit on sends
 * per second; a batch costs the same few statements whatever its size. Each caller
 * still gets its own outcome, and every caller of a batch whose transaction failed gets
 * that error, so BullMQ retries each job as before.
 */
@Injectable()
export class ReminderDeliveryBatcher {
  private waiting: Waiting[] = [];
  private flushScheduled = false;

  constructor(private readonly sender: ReminderSender) {}

  deliver(reminderId: string): Promise<DeliveryOutcome> {
    return new Promise((resolve) => {
      this.waiting.push({ reminderId, resolve });
      if (this.waiting.length >= MAX_BATCH) {
        this.flush();
      } else if (!this.flushScheduled) {
        // setImmediate runs after the pending I/O callbacks: every job BullMQ handed over
        // in this turn has asked by then.
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    const outcomes = this.sender.deliverMany(batch.map((w) => w.reminderId));
    batch.forEach((w, i) => w.resolve(outcomes[i]));
  }
}
