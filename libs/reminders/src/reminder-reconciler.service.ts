import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { updateReturning } from '@app/database';
import { ReminderFailures } from './reminder-failures';
import { ReminderQueue } from './reminder-queue.service';

const BATCH = 2_000;

export interface ReconcileResult {
  enqueued: number;
  requeued: number;
  failed: number;
}

/**
 * Makes Redis agree with Postgres, so losing Redis loses no reminder:
 *  - every pending row without a job gets it back (a row whose time passed while Redis
 *    was away goes out at once, or is skipped as expired by the sender if the visit has
 *    started); `enqueued` counts those;
 *  - a claim that never reported back is settled: with the `log` transport nothing was
 *    delivered (delivery and `sent` commit together), so it is pending again; with a
 *    real channel delivery is unknown, so it is failed and the front desk is told.
 * Running it twice changes nothing the second time.
 */
@Injectable()
export class ReminderReconciler {
  private readonly logger = new Logger(ReminderReconciler.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: ReminderQueue,
    private readonly failures: ReminderFailures,
  ) {}

  async reconcile(): Promise<ReconcileResult> {
    const { requeued, failed } = await this.settleStaleClaims();
    let enqueued = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.db.query<{ id: string; send_at: Date }[]>(
        `SELECT id, send_at FROM reminders WHERE status = 'pending' AND id > $1 ORDER BY id LIMIT $2`,
        [after, BATCH],
      );
      if (rows.length === 0) break;
      // Only the jobs Redis lacks: offering all of them again every pass cost a busy
      // worker about 2 s of delivery at 1,000 reminders/s on a slow machine.
      const lost = await this.queue.withoutJob(rows.map((r) => ({ id: r.id, sendAt: r.send_at })));
      await this.queue.enqueue(lost);
      enqueued += lost.length;
      after = rows[rows.length - 1].id;
    }
    if (requeued || failed)
      this.logger.warn({ requeued, failed }, 'settled interrupted reminder deliveries');
    return { enqueued, requeued, failed };
  }

  private async settleStaleClaims(): Promise<{ requeued: number; failed: number }> {
    return this.db.transaction(async (em) => {
      const rows = await updateReturning<{
        id: string;
        status: string;
        appointment_id: string;
        patient_id: string;
        care_plan_id: string | null;
      }>(
        em,
        `UPDATE reminders r
            SET status = CASE WHEN r.transport = 'log' THEN 'pending' ELSE 'failed' END,
                reason = CASE WHEN r.transport = 'log' THEN r.reason ELSE 'interrupted: delivery unknown' END,
                claimed_at = NULL, updated_at = now()
           FROM appointments a
          WHERE a.id = r.appointment_id AND r.status = 'sending'
            AND r.claimed_at < now() - make_interval(secs => $1)
          RETURNING r.id, r.status, r.appointment_id, r.patient_id, a.care_plan_id`,
        [this.config.REMINDER_LEASE_SECONDS],
      );
      const failed = rows.filter((r) => r.status === 'failed');
      for (const row of failed) {
        await this.failures.open(em, {
          reminderId: row.id,
          appointmentId: row.appointment_id,
          patientId: row.patient_id,
          carePlanId: row.care_plan_id,
        });
      }
      return { requeued: rows.length - failed.length, failed: failed.length };
    });
  }
}
