import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import {
  localDateOf,
  medDueOn,
  planStatus,
  therapyDueOn,
  type Frequency,
  type PlanStatus,
} from '@app/domain';

export interface PlanFactsRow {
  id: string;
  patient_id: string;
  track: 'medication' | 'therapy';
  provider_id: string;
  interval_weeks: number | null;
  frequency: Frequency | null;
  last_visit_on: string | null;
  starts_on: string;
  status: 'active' | 'paused' | 'ended';
  created_at: Date;
  updated_at: Date;
  timezone: string;
  last_visit_at: Date | null;
  last_visit_local: string | null;
  next_appointment_at: Date | null;
}

export interface CarePlanView {
  id: string;
  patientId: string;
  track: 'medication' | 'therapy';
  providerId: string;
  intervalWeeks: number | null;
  frequency: Frequency | null;
  lastVisitOn: string | null;
  startsOn: string;
  state: 'active' | 'paused' | 'ended';
  lastVisitAt: string | null;
  nextAppointmentAt: string | null;
  dueOn: string;
  /** Cadence status (SPEC §3): on_track, due_soon, overdue, lapsed. Paused and ended plans are on_track. */
  status: PlanStatus;
  createdAt: string;
  updatedAt: string;
}

/**
 * Per plan: the last completed visit of its track (with any provider: a patient seen by a
 * covering prescriber was seen) and the next booked one. One query for any number of plans.
 */
export const PLAN_FACTS_SQL = `
  SELECT c.*, l.timezone,
         last.starts_at AS last_visit_at,
         (last.starts_at AT TIME ZONE l.timezone)::date::text AS last_visit_local,
         next.starts_at AS next_appointment_at
    FROM care_plans c
    JOIN providers pr ON pr.id = c.provider_id
    JOIN locations l ON l.id = pr.location_id
    LEFT JOIN LATERAL (
      SELECT a.starts_at FROM appointments a
       WHERE a.patient_id = c.patient_id AND a.status = 'completed'
         AND a.visit_type IN (SELECT code FROM visit_types v WHERE v.track = c.track)
       ORDER BY a.starts_at DESC LIMIT 1) last ON true
    LEFT JOIN LATERAL (
      SELECT a.starts_at FROM appointments a
       WHERE a.patient_id = c.patient_id AND a.status IN ('scheduled','confirmed','checked_in') AND a.starts_at > $1
         AND a.visit_type IN (SELECT code FROM visit_types v WHERE v.track = c.track)
       ORDER BY a.starts_at LIMIT 1) next ON true`;

export async function loadPlanFacts(
  em: EntityManager,
  now: DateTime,
  where: string,
  params: unknown[],
): Promise<PlanFactsRow[]> {
  const shifted = where.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 1}`);
  return em.query<PlanFactsRow[]>(
    `${PLAN_FACTS_SQL} WHERE ${shifted} ORDER BY c.track, c.created_at`,
    [now.toJSDate(), ...params],
  );
}

export function carePlanView(row: PlanFactsRow, now: DateTime): CarePlanView {
  const lastSeenOn = row.last_visit_local ?? row.last_visit_on ?? undefined;
  const dueOn =
    row.track === 'medication'
      ? medDueOn({
          intervalWeeks: row.interval_weeks ?? 12,
          startsOn: row.starts_on,
          lastVisitOn: row.last_visit_on ?? undefined,
          lastPrescriberVisitOn: row.last_visit_local ?? undefined,
        })
      : therapyDueOn({
          frequency: row.frequency ?? 'weekly',
          startsOn: row.starts_on,
          lastVisitOn: row.last_visit_on ?? undefined,
          lastSessionOn: row.last_visit_local ?? undefined,
        });
  const status: PlanStatus =
    row.status === 'active'
      ? planStatus({
          track: row.track,
          dueOn,
          today: localDateOf(now, row.timezone),
          lastSeenOn: lastSeenOn ?? row.starts_on,
          hasFutureVisit: row.next_appointment_at !== null,
        })
      : 'on_track';
  const local = (d: Date | null) =>
    d ? DateTime.fromJSDate(d, { zone: row.timezone }).toISO() : null;
  return {
    id: row.id,
    patientId: row.patient_id,
    track: row.track,
    providerId: row.provider_id,
    intervalWeeks: row.interval_weeks,
    frequency: row.frequency,
    lastVisitOn: row.last_visit_on,
    startsOn: row.starts_on,
    state: row.status,
    lastVisitAt: local(row.last_visit_at),
    nextAppointmentAt: local(row.next_appointment_at),
    dueOn,
    status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
