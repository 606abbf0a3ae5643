import { DateTime } from 'luxon';
import { ianaZone, planSendTime } from '@app/domain';
import type { ReminderChannel, ReminderPolicy } from './reminder-policy';

/** What planning needs to know about one visit and its patient. */
export interface VisitToRemind {
  id: string;
  patientId: string;
  startsAt: Date;
  consentSms: boolean;
  consentEmail: boolean;
  hasPhone: boolean;
  hasEmail: boolean;
  /** The patient's zone, else the visit location's. */
  zone: string;
}

export interface PlannedReminder {
  appointmentId: string;
  patientId: string;
  kind: 'confirmation' | 'reminder';
  offsetMinutes: number;
  channel: ReminderChannel;
  plannedFor: Date;
  sendAt: Date;
  status: 'pending' | 'skipped';
  reason: string | null;
}

/**
 * "24 hours before" a Monday 08:30 visit means Sunday 08:30 on the patient's clock, even
 * when the clocks changed overnight: whole days are counted on the calendar, the rest
 * of the offset in minutes.
 */
export function idealSendTime(start: DateTime, zone: string, minutesBefore: number): DateTime {
  // One minus(): luxon moves the days on the calendar first, then the minutes on the
  // time line, as two calls would, with one zone lookup fewer and no DateTime between.
  return start
    .setZone(ianaZone(zone))
    .minus({ days: Math.floor(minutesBefore / 1440), minutes: minutesBefore % 1440 });
}

/**
 * The reminder rows of one visit: one per offset and channel, moved earlier out of quiet
 * hours (never later), skipped with a reason when the patient has not consented, has no
 * contact for the channel, or the time is already past; plus, when asked, the booking's
 * immediate confirmation (email if possible, else SMS).
 */
export function planVisitReminders(
  visit: VisitToRemind,
  policy: ReminderPolicy,
  now: DateTime,
  confirm: boolean,
): PlannedReminder[] {
  const rows: PlannedReminder[] = [];
  const start = DateTime.fromJSDate(visit.startsAt);
  const refusal = (channel: ReminderChannel): string | null => {
    const consented = channel === 'sms' ? visit.consentSms : visit.consentEmail;
    if (!consented) return 'no_consent';
    return (channel === 'sms' ? visit.hasPhone : visit.hasEmail) ? null : 'no_contact';
  };
  const base = { appointmentId: visit.id, patientId: visit.patientId, plannedFor: visit.startsAt };
  if (confirm) {
    const channel: ReminderChannel = refusal('email') === null ? 'email' : 'sms';
    const reason = refusal(channel);
    rows.push({
      ...base,
      kind: 'confirmation',
      offsetMinutes: 0,
      channel,
      sendAt: now.toJSDate(),
      status: reason ? 'skipped' : 'pending',
      reason,
    });
  }
  for (const offset of policy.offsets) {
    const sendAt = planSendTime(
      idealSendTime(start, visit.zone, offset.minutesBefore),
      visit.zone,
      policy.quietHours,
    );
    for (const channel of offset.channels) {
      const reason = refusal(channel) ?? (sendAt <= now ? 'past_offset' : null);
      rows.push({
        ...base,
        kind: 'reminder',
        offsetMinutes: offset.minutesBefore,
        channel,
        sendAt: sendAt.toJSDate(),
        status: reason ? 'skipped' : 'pending',
        reason,
      });
    }
  }
  return rows;
}

/**
 * An INSERT of planned reminder rows held as JSON ({@link PlannedReminder}[]) in `json`,
 * usable as a statement of its own or as a data-modifying CTE: `from` joins the rows'
 * source in (e.g. `done` for `done.reminders`), `where` filters it. Rows already there
 * (the unique key) are left alone; the inserted ones come back.
 */
export function plannedRemindersInsertSql(
  json: string,
  options: { from?: string; where?: string } = {},
): string {
  return `INSERT INTO reminders (appointment_id, patient_id, kind, offset_minutes, channel, planned_for, send_at, status, reason)
    SELECT r."appointmentId", r."patientId", r.kind, r."offsetMinutes", r.channel, r."plannedFor", r."sendAt", r.status, r.reason
      FROM ${options.from ? `${options.from}, ` : ''}jsonb_to_recordset(${json})
        AS r("appointmentId" uuid, "patientId" uuid, kind text, "offsetMinutes" integer,
             channel text, "plannedFor" timestamptz, "sendAt" timestamptz, status text, reason text)
     WHERE ${options.where ?? 'true'}
    ON CONFLICT DO NOTHING RETURNING id, appointment_id, send_at, status`;
}
