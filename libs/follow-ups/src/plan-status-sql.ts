import {
  DUE_SOON_DAYS,
  MED_LAPSE_DAYS,
  THERAPY_DUE_SOON_DAYS,
  THERAPY_GRACE_DAYS,
  THERAPY_LAPSE_DAYS,
} from '@app/domain';
import { planFactsSql } from '@app/scheduling';

/**
 * The SQL twin of medDueOn/therapyDueOn/planStatus (libs/domain/src/plan-status.ts) and
 * of carePlanView's use of them. The panel filters and sorts by status and the scan opens
 * flags by it, so it has to be computed in the database; plan-status-sql.int-spec.ts
 * checks, over generated plans, that it never disagrees with the domain. The thresholds
 * are the domain's constants, interpolated (numbers, never input).
 */

/** Column expressions the twin reads; every date is a SQL `date`. */
export interface PlanStatusSqlInput {
  /** The plan's state column: a paused or ended plan is on_track, as in carePlanView. */
  state: string;
  track: string;
  /** Last completed visit of the track, else lastVisitOn, else the start (see seenOnSql). */
  seenOn: string;
  dueOn: string;
  today: string;
  /** A boolean expression: a visit of the track is booked after now. */
  hasFutureVisit: string;
}

/** carePlanView: lastSeenOn = last completed visit ?? lastVisitOn ?? startsOn. */
export const seenOnSql = (lastVisitLocal: string, lastVisitOn: string, startsOn: string): string =>
  `coalesce(${lastVisitLocal}, ${lastVisitOn}, ${startsOn})`;

/** medDueOn / therapyDueOn from the same anchor (carePlanView's defaults: 12 weeks, weekly). */
export const dueOnSql = (
  track: string,
  seenOn: string,
  intervalWeeks: string,
  frequency: string,
): string =>
  `(${seenOn} + CASE WHEN ${track} = 'medication' THEN coalesce(${intervalWeeks}, 12) * 7
                    WHEN coalesce(${frequency}, 'weekly') = 'weekly' THEN 7 ELSE 14 END)`;

/** planStatus, branch for branch (first match wins; `date - date` is whole days). */
export const planStatusSql = (x: PlanStatusSqlInput): string => `(CASE
    WHEN ${x.state} <> 'active' THEN 'on_track'
    WHEN ${x.hasFutureVisit} THEN 'on_track'
    WHEN ${x.track} = 'medication' THEN CASE
      WHEN ${x.today} - ${x.seenOn} > ${MED_LAPSE_DAYS} THEN 'lapsed'
      WHEN ${x.today} - ${x.dueOn} > 0 THEN 'overdue'
      WHEN ${x.today} - ${x.dueOn} >= (${-DUE_SOON_DAYS}) THEN 'due_soon'
      ELSE 'on_track' END
    ELSE CASE
      WHEN ${x.today} - ${x.dueOn} > ${THERAPY_LAPSE_DAYS} THEN 'lapsed'
      WHEN ${x.today} - ${x.dueOn} > ${THERAPY_GRACE_DAYS} THEN 'overdue'
      WHEN ${x.today} - ${x.dueOn} >= (${-THERAPY_DUE_SOON_DAYS}) THEN 'due_soon'
      ELSE 'on_track' END
  END)`;

/** Most urgent first: lapsed 0, overdue 1, due_soon 2, on_track 3. */
export const statusRankSql = (status: string): string =>
  `(CASE ${status} WHEN 'lapsed' THEN 0 WHEN 'overdue' THEN 1 WHEN 'due_soon' THEN 2 ELSE 3 END)`;

/** "Today" in the zone of the plan provider's location, as carePlanView's localDateOf. */
export const localTodaySql = (now: string, zone: string): string =>
  `((${now})::timestamptz AT TIME ZONE ${zone})::date`;

/**
 * planFactsSql (the facts carePlanView reads) with seen_on, due_on, today and plan_status
 * added. `$1` is now; `where` filters care_plans `c` and may use $2…. Without `next`, the
 * rows have no next_appointment_at (the status needs only whether one is booked).
 */
export function ratedPlanFactsSql(where: string, { next = true }: { next?: boolean } = {}): string {
  const seenOn = seenOnSql('f.last_visit_local::date', 'f.last_visit_on', 'f.starts_on');
  return `
    SELECT f.*, s.seen_on, d.due_on, d.today,
           ${planStatusSql({
             state: 'f.status',
             track: 'f.track',
             seenOn: 's.seen_on',
             dueOn: 'd.due_on',
             today: 'd.today',
             hasFutureVisit: 'f.last_booked_at > $1',
           })} AS plan_status
      FROM (${planFactsSql({ next })} WHERE ${where}) f
     CROSS JOIN LATERAL (SELECT ${seenOn} AS seen_on) s
     CROSS JOIN LATERAL (SELECT ${dueOnSql('f.track', 's.seen_on', 'f.interval_weeks', 'f.frequency')} AS due_on,
                                ${localTodaySql('$1', 'f.timezone')} AS today) d`;
}
