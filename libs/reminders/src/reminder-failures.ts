import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface FailedReminder {
  reminderId: string;
  appointmentId: string;
  patientId: string;
  carePlanId: string | null;
}

/** A reminder that could not be delivered puts the visit on the front desk's worklist (reminder_failed). */
@Injectable()
export class ReminderFailures {
  async open(em: EntityManager, failed: FailedReminder): Promise<void> {
    await em.query(
      `INSERT INTO follow_up_flags (patient_id, care_plan_id, appointment_id, kind, opened_at, details)
       VALUES ($1, $2, $3, 'reminder_failed', now(), jsonb_build_object('reminderId', $4::text))
       ON CONFLICT DO NOTHING`,
      [failed.patientId, failed.carePlanId, failed.appointmentId, failed.reminderId],
    );
  }
}
