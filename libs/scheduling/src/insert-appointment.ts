import type { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { auditInsertSql } from '@app/audit';
import type { Modality } from '@app/domain';
import {
  plannedRemindersInsertSql,
  type PendingReminder,
  type PlannedReminder,
} from '@app/reminders';
import {
  APPOINTMENT_COLUMNS,
  visitFields,
  type AppointmentRow,
  type AppointmentView,
} from './appointment.view';
import { PATIENT_FACTS_SQL, type PatientFacts } from './booking-context';
import type { IdempotencyClaim } from './idempotency';
import { preparedQuery, StatementBatcher, type BatchOutcome } from '@app/database';

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
      ...appointmentColumns(v),
      status: 'scheduled',
      cancel_reason: null,
      late_cancel: false,
      timezone,
    }),
    // Written by the statement itself (see insertBooking's stored response).
    createdAt: '',
    updatedAt: '',
  };
}

/** The columns of a new visit that describe it, as the table names them. */
function appointmentColumns(v: NewAppointment) {
  return {
    patient_id: v.patientId,
    provider_id: v.providerId,
    location_id: v.locationId,
    visit_type: v.visitType,
    care_plan_id: v.carePlanId,
    series_id: v.seriesId ?? null,
    starts_at: v.start.toJSDate(),
    ends_at: v.end.toJSDate(),
    modality: v.modality,
    override_reason: v.overrideReason ?? null,
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
 * Bookings in ONE statement, so in one round trip and without a transaction around it.
 * For each booking: the visit (ON CONFLICT DO NOTHING: a lost race is no row, and never
 * a deadlock; two bookings of one batch for one slot are a lost race too), its audit
 * rows, its confirmation and reminder rows, and the response kept under the caller's
 * Idempotency-Key. They commit together or not at all. A concurrent request with the
 * same key that booked another time makes the key's insert fail (unique violation), and
 * with it the whole statement: see {@link BookingWriter} for what a batch then does.
 * The visits are inserted in patient order, so two batches lock patient rows (the plan
 * facts trigger) in one order. The answer is in the order of `writes`: null for a visit
 * that lost its slot.
 */
export async function insertBookings(
  em: EntityManager,
  writes: BookingWrite[],
): Promise<(BookingWritten | null)[]> {
  const rows = await preparedQuery<{
    n: number;
    created_at: string;
    updated_at: string;
    facts_held: boolean;
    pending_ids: string[];
    pending_at: Date[];
  }>(
    em,
    'booking-insert',
    `WITH b AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS b(n integer, id uuid, patient_id uuid, provider_id uuid,
              location_id uuid, visit_type text, care_plan_id uuid, series_id uuid, starts_at timestamptz,
              ends_at timestamptz, modality text, override_reason text, override_by uuid, created_by uuid,
              audit jsonb, facts jsonb, reminders jsonb, key_user uuid, key text, key_hash text, response jsonb)),
     ins AS (
       INSERT INTO appointments (id, patient_id, provider_id, location_id, visit_type, care_plan_id, series_id, starts_at, ends_at,
                                 modality, override_reason, override_by, created_by)
       SELECT id, patient_id, provider_id, location_id, visit_type, care_plan_id, series_id, starts_at, ends_at,
              modality, override_reason, override_by, created_by
         FROM b ORDER BY patient_id, starts_at
       ON CONFLICT DO NOTHING
       RETURNING id, to_char(created_at AT TIME ZONE 'UTC', ${ISO_UTC}) AS created_at,
                 to_char(updated_at AT TIME ZONE 'UTC', ${ISO_UTC}) AS updated_at),
     done AS (
       -- A scalar subquery, one primary-key probe per booking: as EXISTS, the planner may
       -- hash the facts of every patient (a scan of the table) for a batch it guesses at 100 rows.
       SELECT b.n, b.id, b.audit, b.reminders, b.key_user, b.key, b.key_hash, b.response, ins.created_at, ins.updated_at,
              coalesce((SELECT ${PATIENT_FACTS_SQL}::jsonb FROM patients p WHERE p.id = b.patient_id) = b.facts, false)
                AS facts_held
         FROM b JOIN ins USING (id)),
     audit AS (${auditInsertSql(`(SELECT coalesce(jsonb_agg(e), '[]') FROM done, jsonb_array_elements(done.audit) AS e)`)}),
     planned AS (${plannedRemindersInsertSql('done.reminders', { from: 'done', where: 'done.facts_held' })}),
     kept AS (
       INSERT INTO idempotency_keys (user_id, key, request_hash, response_status, response_body)
       SELECT key_user, key, key_hash, 201,
              jsonb_set(jsonb_set(response, '{appointment,createdAt}', to_jsonb(created_at)),
                        '{appointment,updatedAt}', to_jsonb(updated_at))
         FROM done WHERE key IS NOT NULL)
     SELECT done.n, done.created_at, done.updated_at, done.facts_held,
            coalesce(array_agg(planned.id) FILTER (WHERE planned.status = 'pending'), '{}') AS pending_ids,
            coalesce(array_agg(planned.send_at) FILTER (WHERE planned.status = 'pending'), '{}') AS pending_at
       FROM done LEFT JOIN planned ON planned.appointment_id = done.id
      GROUP BY done.n, done.created_at, done.updated_at, done.facts_held`,
    [`[${writes.map(bookingJson).join(',')}]`],
  );
  const written = new Map(rows.map((row) => [row.n, row]));
  return writes.map((_, n) => {
    const row = written.get(n);
    if (!row) return null;
    return {
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      pending: row.pending_ids.map((id, i) => ({ id, sendAt: row.pending_at[i] })),
      remindersWritten: row.facts_held,
    };
  });
}

/** One booking of insertBookings' parameter; `audit` is already JSON (auditRowsJson). */
function bookingJson(w: BookingWrite, n: number): string {
  const v = w.appointment;
  const key = w.idempotency;
  const fields = JSON.stringify({
    n,
    id: v.id,
    ...appointmentColumns(v), // dates become ISO strings
    override_by: v.overrideBy ?? null,
    created_by: v.createdBy,
    facts: w.patientFacts,
    reminders: w.reminders,
    key_user: key?.userId ?? null,
    key: key?.key ?? null,
    key_hash: key?.hash ?? null,
    response: key?.response ?? null,
  });
  return `{"audit":${w.audit},${fields.slice(1)}`;
}

/** A single booking: insertBookings of one. */
export async function insertBooking(
  em: EntityManager,
  w: BookingWrite,
): Promise<BookingWritten | null> {
  const [written] = await insertBookings(em, [w]);
  return written;
}

/**
 * Writes concurrent bookings together (StatementBatcher): under load, a statement and a
 * commit serve several bookings, which divides Postgres' CPU per booking by about two
 * (docs/decisions.md). A batch that fails as a whole (a key taken by a twin request, a
 * deadlock between two batches) is written again one booking at a time, so that each
 * booking gets the outcome it would have had alone.
 *
 * 16 per batch and 4 in flight: against 32 and 2, four booking bench runs each gave
 * p99 55.6–69.5 ms against 65.7–78.6 ms, at 893–1,003 against 890–965 bookings/s
 * (fewer bookings wait behind a long batch).
 */
export class BookingWriter {
  private readonly batcher: StatementBatcher<BookingWrite, BookingWritten | null>;

  constructor(em: EntityManager, maxBatch = 16, maxInFlight = 4) {
    this.batcher = new StatementBatcher(
      async (writes): Promise<BatchOutcome<BookingWritten | null>[]> => {
        if (writes.length === 1) return insertBookings(em, writes);
        try {
          return await insertBookings(em, writes);
        } catch {
          return Promise.all(
            writes.map((w) =>
              insertBooking(em, w).catch((error: unknown) =>
                error instanceof Error ? error : new Error(String(error)),
              ),
            ),
          );
        }
      },
      { maxBatch, maxInFlight },
    );
  }

  write(w: BookingWrite): Promise<BookingWritten | null> {
    return this.batcher.submit(w);
  }
}
