import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CLOCK } from '@app/config';
import type { Clock } from '@app/domain';

export interface FailedReminder {
  reminderId: string;
  appointmentId: string;
  patientId: string;
  carePlanId: string | null;
}

/**
 * A reminder that could not be delivered puts the visit on the front desk's worklist
 * (reminder_failed). Written here, in the caller's transaction, rather than through the
 * follow-ups library, which depends on scheduling, which depends on reminders.
 */
@Injectable()
export class ReminderFailures {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** True when this call opened the flag (false: one was already open for the visit). */
  async open(em: EntityManager, failed: FailedReminder): Promise<boolean> {
    const rows = await em.query<{ id: string }[]>(
      `INSERT INTO follow_up_flags (patient_id, care_plan_id, appointment_id, kind, opened_at, details)
       VALUES ($1, $2, $3, 'reminder_failed', $5, jsonb_build_object('reminderId', $4::text))
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        failed.patientId,
        failed.carePlanId,
        failed.appointmentId,
        failed.reminderId,
        this.clock.now().toJSDate(),
      ],
    );
    return rows.length > 0;
  }
}
