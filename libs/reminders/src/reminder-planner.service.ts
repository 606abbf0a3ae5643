import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CLOCK } from '@app/config';
import type { Clock } from '@app/domain';
import { updateReturning } from '@app/database';
import {
  plannedRemindersInsertSql,
  planVisitReminders,
  type PlannedReminder,
} from './reminder-plan';
import { ReminderSettingsService } from './reminder-settings.service';

export interface PendingReminder {
  id: string;
  sendAt: Date;
}

interface VisitFacts {
  id: string;
  patient_id: string;
  starts_at: Date;
  consent_sms: boolean;
  consent_email: boolean;
  has_phone: boolean;
  has_email: boolean;
  zone: string;
}

/**
 * Turns visits into reminder rows, inside the caller's transaction: one row per offset
 * and channel, moved earlier out of quiet hours (never later), skipped with a reason
 * when the patient has not consented, has no contact for the channel, or the time is
 * already past. Returns the pending rows so the caller can enqueue them after commit.
 */
@Injectable()
export class ReminderPlanner {
  constructor(
    private readonly settings: ReminderSettingsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async plan(
    em: EntityManager,
    appointmentIds: string[],
    options: { confirmFor?: string[] } = {},
  ): Promise<PendingReminder[]> {
    if (appointmentIds.length === 0) return [];
    const now = this.clock.now();
    const policy = await this.settings.get(em);
    const visits = await em.query<VisitFacts[]>(
      `SELECT a.id, a.patient_id, a.starts_at, p.consent_sms, p.consent_email,
              p.phone IS NOT NULL AS has_phone, p.email IS NOT NULL AS has_email,
              coalesce(p.timezone, l.timezone) AS zone
         FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN locations l ON l.id = a.location_id
        WHERE a.id = ANY($1) AND a.status IN ('scheduled','confirmed') AND a.starts_at > $2`,
      [appointmentIds, now.toJSDate()],
    );
    const confirm = new Set(options.confirmFor ?? []);
    const rows = visits.flatMap((visit) =>
      planVisitReminders(
        {
          id: visit.id,
          patientId: visit.patient_id,
          startsAt: visit.starts_at,
          consentSms: visit.consent_sms,
          consentEmail: visit.consent_email,
          hasPhone: visit.has_phone,
          hasEmail: visit.has_email,
          zone: visit.zone,
        },
        policy,
        now,
        confirm.has(visit.id),
      ),
    );
    return this.insert(em, rows);
  }

  /** Cancels a visit's pending reminders (visit cancelled or moved); returns their ids for job removal. */
  async cancel(em: EntityManager, appointmentIds: string[], reason: string): Promise<string[]> {
    if (appointmentIds.length === 0) return [];
    const rows = await updateReturning<{ id: string }>(
      em,
      `UPDATE reminders SET status = 'cancelled', reason = $2, updated_at = now()
        WHERE appointment_id = ANY($1) AND status = 'pending' RETURNING id`,
      [appointmentIds, reason],
    );
    return rows.map((r) => r.id);
  }

  /**
   * After a consent or policy change: the pending and skipped reminders of future visits
   * are cancelled and planned again; sent ones stay (the unique key keeps them single).
   */
  async replan(
    em: EntityManager,
    scope: { patientId: string } | { appointmentIds: string[] },
  ): Promise<{ cancelled: string[]; pending: PendingReminder[] }> {
    const now = this.clock.now().toJSDate();
    const visits = await em.query<{ id: string }[]>(
      'patientId' in scope
        ? `SELECT id FROM appointments WHERE patient_id = $1 AND status IN ('scheduled','confirmed') AND starts_at > $2`
        : `SELECT id FROM appointments WHERE id = ANY($1) AND status IN ('scheduled','confirmed') AND starts_at > $2`,
      ['patientId' in scope ? scope.patientId : scope.appointmentIds, now],
    );
    const ids = visits.map((v) => v.id);
    if (ids.length === 0) return { cancelled: [], pending: [] };
    const cancelled = await updateReturning<{ id: string }>(
      em,
      `UPDATE reminders SET status = 'cancelled', reason = 'replanned', updated_at = now()
        WHERE appointment_id = ANY($1) AND kind = 'reminder' AND status IN ('pending','skipped') RETURNING id`,
      [ids],
    );
    return { cancelled: cancelled.map((r) => r.id), pending: await this.plan(em, ids) };
  }

  private async insert(em: EntityManager, rows: PlannedReminder[]): Promise<PendingReminder[]> {
    if (rows.length === 0) return [];
    const inserted = await em.query<{ id: string; send_at: Date; status: string }[]>(
      plannedRemindersInsertSql('$1::jsonb'),
      [JSON.stringify(rows)],
    );
    return inserted
      .filter((r) => r.status === 'pending')
      .map((r) => ({ id: r.id, sendAt: r.send_at }));
  }
}
