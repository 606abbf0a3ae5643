import type { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import {
  formatInZone,
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
  last_completed_at: Date | null;
  last_booked_at: Date | null;
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
 * The next booked visit of plan `plan`'s track, as `<as>.starts_at`: probed only for a plan
 * with something booked ahead (`last_booked_at > now`, `$1` being now).
 */
export const nextVisitJoin = (plan: string, as: string): string => `
    LEFT JOIN LATERAL (
      SELECT a.starts_at FROM appointments a
       WHERE a.patient_id = ${plan}.patient_id AND a.status IN ('scheduled','confirmed','checked_in') AND a.starts_at > $1
         AND a.visit_type IN (SELECT code FROM visit_types v WHERE v.track = ${plan}.track)
       ORDER BY a.starts_at LIMIT 1) ${as} ON ${plan}.last_booked_at > $1`;

/**
 * Per plan `c`: the last completed visit of its track (with any provider: a patient seen by
 * a covering prescriber was seen) and, unless `next` is false, the next booked one. The
 * database keeps last_completed_at and last_booked_at on each plan (migration
 * 1764000000004), so no plan is looked up in the visits table except for its next visit.
 * Callers append a WHERE on `c`; `$1` is now.
 */
export function planFactsSql({ next = true }: { next?: boolean } = {}): string {
  return `
  SELECT c.*, l.timezone,
         c.last_completed_at AS last_visit_at,
         (c.last_completed_at AT TIME ZONE l.timezone)::date::text AS last_visit_local
         ${next ? ', next.starts_at AS next_appointment_at' : ''}
    FROM care_plans c
    JOIN providers pr ON pr.id = c.provider_id
    JOIN locations l ON l.id = pr.location_id
    ${next ? nextVisitJoin('c', 'next') : ''}`;
}

export const PLAN_FACTS_SQL = planFactsSql();

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
  const local = (d: Date | null) => (d ? formatInZone(d, row.timezone) : null);
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
