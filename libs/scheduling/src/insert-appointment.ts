import type { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { auditInsertSql } from '@app/audit';
import type { Modality } from '@app/domain';
import type { PendingReminder, PlannedReminder } from '@app/reminders';
import {
  APPOINTMENT_COLUMNS,
  visitFields,
  type AppointmentRow,
  type AppointmentView,
} from './appointment.view';
import { PATIENT_FACTS_SQL, type PatientFacts } from './booking-context';
import type { IdempotencyClaim } from './idempotency';
import { preparedQuery } from '@app/database';

export interface NewAppointment {
  patientId: string;
  providerId: string;
  locationId: string;
  visitType: string;
  carePlanId: string | null;
  seriesId?: string | null;
  start: DateTime;
  end: DateTime;
  modality: Modality;
  overrideReason?: string | null;
  overrideBy?: string | null;
  createdBy: string;
}

/**
 * The one way a visit is inserted. The exclusion constraints decide overlaps; ON
 * CONFLICT DO NOTHING makes a lost race an empty result (null) instead of an error —
 * and, unlike a plain INSERT, never deadlocks when many requests race for one slot.
 */
export async function insertAppointment(
  em: EntityManager,
  v: NewAppointment,
): Promise<AppointmentRow | null> {
  const [row] = await em.query<AppointmentRow[]>(
    `WITH inserted AS (
       INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, care_plan_id, series_id, starts_at, ends_at,
                                 modality, override_reason, override_by, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT DO NOTHING RETURNING *)
     SELECT ${APPOINTMENT_COLUMNS} FROM inserted a JOIN locations l ON l.id = a.location_id`,
    appointmentValues(v),
  );
  return row ?? null;
}

/** The values of an appointment's insertable columns, in the order both inserts list them. */
function appointmentValues(v: NewAppointment): unknown[] {
  return [
    v.patientId,
    v.providerId,
    v.locationId,
    v.visitType,
    v.carePlanId,
    v.seriesId ?? null,
    v.start.toJSDate(),
    v.end.toJSDate(),
    v.modality,
    v.overrideReason ?? null,
    v.overrideBy ?? null,
    v.createdBy,
  ];
}

/**
 * The view of a visit insertBooking is about to write, as appointmentView shows the row
 * (a new visit is scheduled, not cancelled); createdAt and updatedAt are the statement's.
 */
export function newAppointmentView(
  v: NewAppointment & { id: string },
  timezone: string,
): AppointmentView {
  return {
    ...visitFields({
      id: v.id,
      patient_id: v.patientId,
      provider_id: v.providerId,
      location_id: v.locationId,
      visit_type: v.visitType,
      care_plan_id: v.carePlanId,
      series_id: v.seriesId ?? null,
      starts_at: v.start.toJSDate(),
      ends_at: v.end.toJSDate(),
      modality: v.modality,
      status: 'scheduled',
      cancel_reason: null,
      late_cancel: false,
      override_reason: v.overrideReason ?? null,
      timezone,
    }),
    // Written by the statement itself (see insertBooking's stored response).
    createdAt: '',
    updatedAt: '',
  };
}

/** A single booking as written by {@link insertBooking}: the visit and what comes with it. */
export interface BookingWrite {
  /** The visit's id is chosen by the caller so that its audit, reminder and response rows can name it. */
  appointment: NewAppointment & { id: string };
  /** Audit rows (auditRowsJson). */
  audit: string;
  /** Reminder rows planned from `patientFacts`; written only while the patient's row still shows those facts. */
  reminders: PlannedReminder[];
  patientFacts: PatientFacts;
  /** The response to keep under the caller's key; its createdAt and updatedAt are filled in here. */
  idempotency?: IdempotencyClaim & { response: unknown };
}

export interface BookingWritten {
  /** The row's timestamps as the API writes them (ISO, UTC, milliseconds). */
  createdAt: string;
  updatedAt: string;
  /** Reminders to enqueue after the statement. */
  pending: PendingReminder[];
  /** False when the patient's facts changed since they were read: no reminder row was written. */
  remindersWritten: boolean;
}

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * A booking in ONE statement, so in one round trip and without a transaction around it:
 * the visit (ON CONFLICT DO NOTHING: a lost race is no row, and never a deadlock), its
 * audit rows, its confirmation and reminder rows, and the response kept under the
 * caller's Idempotency-Key. They commit together or not at all. A concurrent request
 * with the same key that booked another time makes the key's insert fail (unique
 * violation), and with it the whole statement: the caller then answers from that key.
 */
export async function insertBooking(
  em: EntityManager,
  w: BookingWrite,
): Promise<BookingWritten | null> {
  const v = w.appointment;
  const key = w.idempotency;
  const [row] = await preparedQuery<{
    created_at: string;
    updated_at: string;
    facts_held: boolean;
    pending_ids: string[];
    pending_at: Date[];
  }>(
    em,
    'booking-insert',
    `WITH ins AS (
       INSERT INTO appointments (id, patient_id, provider_id, location_id, visit_type, care_plan_id, series_id, starts_at, ends_at,
                                 modality, override_reason, override_by, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT DO NOTHING
       RETURNING to_char(created_at AT TIME ZONE 'UTC', ${ISO_UTC}) AS created_at,
                 to_char(updated_at AT TIME ZONE 'UTC', ${ISO_UTC}) AS updated_at),
     audit AS (${auditInsertSql('$14', 'EXISTS (SELECT 1 FROM ins)')}),
     held AS (SELECT EXISTS (SELECT 1 FROM patients p WHERE p.id = $2 AND ${PATIENT_FACTS_SQL}::jsonb = $15::jsonb) AS ok),
     planned AS (
       INSERT INTO reminders (appointment_id, patient_id, kind, offset_minutes, channel, planned_for, send_at, status, reason)
       SELECT r."appointmentId", r."patientId", r.kind, r."offsetMinutes", r.channel, r."plannedFor", r."sendAt", r.status, r.reason
         FROM jsonb_to_recordset($16::jsonb) AS r("appointmentId" uuid, "patientId" uuid, kind text, "offsetMinutes" integer,
              channel text, "plannedFor" timestamptz, "sendAt" timestamptz, status text, reason text)
        WHERE EXISTS (SELECT 1 FROM ins) AND (SELECT ok FROM held)
       ON CONFLICT DO NOTHING RETURNING id, send_at, status),
     kept AS (
       INSERT INTO idempotency_keys (user_id, key, request_hash, response_status, response_body)
       SELECT $17::uuid, $18::text, $19::text, 201,
              jsonb_set(jsonb_set($20::jsonb, '{appointment,createdAt}', to_jsonb(ins.created_at)),
                        '{appointment,updatedAt}', to_jsonb(ins.updated_at))
         FROM ins WHERE $18::text IS NOT NULL)
     SELECT ins.created_at, ins.updated_at, (SELECT ok FROM held) AS facts_held,
            (SELECT coalesce(array_agg(id), '{}') FROM planned WHERE status = 'pending') AS pending_ids,
            (SELECT coalesce(array_agg(send_at), '{}') FROM planned WHERE status = 'pending') AS pending_at
       FROM ins`,
    [
      v.id,
      ...appointmentValues(v),
      w.audit,
      JSON.stringify(w.patientFacts),
      JSON.stringify(w.reminders),
      key?.userId ?? null,
      key?.key ?? null,
      key?.hash ?? null,
      key ? JSON.stringify(key.response) : null,
    ],
  );
  if (!row) return null;
  return {
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    pending: row.pending_ids.map((id, i) => ({ id, sendAt: row.pending_at[i] })),
    remindersWritten: row.facts_held,
  };
}
