import {
  CLOSE_REASONS,
  PLAN_FLAG_KINDS,
  PLAN_FLAG_RULES,
  sqlList,
  VISIT_FLAG_KINDS,
  type PlanFlagKind,
} from './flag-kinds';
import {
  dueOnSql,
  localTodaySql,
  planStatusSql,
  ratedPlanFactsSql,
  seenOnSql,
} from './plan-status-sql';

/**
 * The two statements of the overdue scan. `$1` is now (the injected clock's instant).
 * Both return one row per kind: { kind, n }.
 */

const PLAN_KINDS = sqlList(PLAN_FLAG_KINDS);
const BOOKED = `('scheduled','confirmed','checked_in')`;

/** (kind, track, statuses) for every plan flag, from PLAN_FLAG_RULES. */
const RULES_VALUES = `(VALUES ${(Object.keys(PLAN_FLAG_RULES) as PlanFlagKind[])
  .map(
    (kind) =>
      `('${kind}', '${PLAN_FLAG_RULES[kind].track}', ARRAY[${PLAN_FLAG_RULES[kind].statuses
        .map((s) => `'${s}'`)
        .join(',')}]::text[])`,
  )
  .join(', ')}) AS r(kind, track, statuses)`;

/** How many plan flags a plan of each track can carry at once (medication: overdue + lapsed). */
const KINDS_PER_TRACK = `CASE c.track ${(['medication', 'therapy'] as const)
  .map(
    (track) =>
      `WHEN '${track}' THEN ${PLAN_FLAG_KINDS.filter((k) => PLAN_FLAG_RULES[k].track === track).length}`,
  )
  .join(' ')} END`;

/**
 * Opens the plan flags whose condition holds. One pass over the active plans, reading
 * only care_plans and its small neighbours (never the visits table):
 * - plans that already carry every flag their track can have are skipped by a hash join
 *   on the open flags, so a second run does less;
 * - the facts are planFactsSql's (last completed visit of the track with any provider,
 *   local date in the plan provider's zone; booked ahead = last_booked_at after now, both
 *   kept on the plan by the database); the status is the domain's twin.
 * MATERIALIZED reads the flags table once, before the insert starts: a nested loop over a
 * table the statement is growing would re-read every new page per candidate (quadratic on
 * a first scan).
 */
export const OPEN_PLAN_FLAGS_SQL = `
  WITH open_counts AS MATERIALIZED (
    SELECT care_plan_id, count(*) AS n FROM follow_up_flags
     WHERE closed_at IS NULL AND kind IN ${PLAN_KINDS} GROUP BY care_plan_id
  ), resolved AS MATERIALIZED (
    SELECT care_plan_id, kind, due_on FROM follow_up_flags WHERE close_reason = '${CLOSE_REASONS.resolved}'
  ), rated AS MATERIALIZED (
    SELECT c.id, c.patient_id, c.track, d.due_on,
           ${planStatusSql({
             state: `'active'`,
             track: 'c.track',
             seenOn: 'b.seen_on',
             dueOn: 'd.due_on',
             today: 'b.today',
             hasFutureVisit: 'false',
           })} AS plan_status
      FROM care_plans c
      JOIN patients p ON p.id = c.patient_id
      JOIN providers pr ON pr.id = c.provider_id
      -- "Today" once per location, not once per plan.
      JOIN (SELECT id, timezone, ${localTodaySql('$1', 'timezone')} AS today FROM locations) l
        ON l.id = pr.location_id
      LEFT JOIN open_counts o ON o.care_plan_id = c.id
      CROSS JOIN LATERAL (
        SELECT ${seenOnSql('(c.last_completed_at AT TIME ZONE l.timezone)::date', 'c.last_visit_on', 'c.starts_on')} AS seen_on,
               l.today) b
      CROSS JOIN LATERAL (
        SELECT ${dueOnSql('c.track', 'b.seen_on', 'c.interval_weeks', 'c.frequency')} AS due_on) d
     WHERE c.status = 'active' AND p.status = 'active'
       AND coalesce(o.n, 0) < ${KINDS_PER_TRACK}
       AND NOT coalesce(c.last_booked_at > $1, false)
  ), opened AS (
    INSERT INTO follow_up_flags (patient_id, care_plan_id, kind, opened_at, due_on, details)
    SELECT f.patient_id, f.id, r.kind, $1, f.due_on, jsonb_build_object('status', f.plan_status)
      FROM rated f
      JOIN ${RULES_VALUES} ON r.track = f.track AND f.plan_status = ANY (r.statuses)
       -- What staff resolved stays resolved until the due date moves (the patient is seen
       -- or the cadence changes); otherwise "resolve" would last until the next scan.
     WHERE NOT EXISTS (SELECT 1 FROM resolved x
                        WHERE x.care_plan_id = f.id AND x.kind = r.kind AND x.due_on = f.due_on)
    -- A flag already open for the plan and kind is the partial unique index's conflict.
    ON CONFLICT DO NOTHING
    RETURNING kind)
  SELECT kind, count(*)::int AS n FROM opened GROUP BY kind`;

/**
 * Closes the open flags whose condition has ended, with the reason. Only open flags are
 * read, and plan facts are computed only for their plans (planFactsSql itself, so a
 * flag closes exactly when the plan view stops showing the status that opened it).
 */
export const CLOSE_FLAGS_SQL = `
  WITH facts AS MATERIALIZED (
    ${ratedPlanFactsSql(
      `c.id IN (SELECT care_plan_id FROM follow_up_flags WHERE closed_at IS NULL AND kind IN ${PLAN_KINDS})`,
      { next: false },
    )}
  ), verdicts AS (
    SELECT x.id, CASE
        WHEN p.status <> 'active' THEN '${CLOSE_REASONS.discharged}'
        WHEN f.status = 'ended' THEN '${CLOSE_REASONS.planEnded}'
        WHEN f.status = 'paused' THEN '${CLOSE_REASONS.planPaused}'
        WHEN f.last_booked_at > $1 THEN '${CLOSE_REASONS.scheduled}'
        WHEN f.plan_status = ANY (r.statuses) THEN NULL
        WHEN f.last_visit_at > x.opened_at THEN '${CLOSE_REASONS.seen}'
        ELSE '${CLOSE_REASONS.noLongerDue}'
      END AS reason
      FROM follow_up_flags x
      JOIN patients p ON p.id = x.patient_id
      JOIN facts f ON f.id = x.care_plan_id
      JOIN ${RULES_VALUES} ON r.kind = x.kind
     WHERE x.closed_at IS NULL AND x.kind IN ${PLAN_KINDS}
    UNION ALL
    -- Visit flags are few: kept apart so the plan flags never join the visits table.
    SELECT x.id, CASE
        WHEN p.status <> 'active' THEN '${CLOSE_REASONS.discharged}'
        -- A missed visit is dealt with once the patient has another visit of that kind booked.
        WHEN x.kind = 'no_show' THEN CASE WHEN EXISTS (
            SELECT 1 FROM appointments n
              JOIN visit_types nv ON nv.code = n.visit_type
              JOIN visit_types mv ON mv.code = a.visit_type
             WHERE n.patient_id = x.patient_id AND n.status IN ${BOOKED} AND n.starts_at > $1
               AND (n.visit_type = a.visit_type OR nv.track = mv.track))
          THEN '${CLOSE_REASONS.scheduled}' END
        -- A failed reminder matters until the visit it was for is over or off.
        WHEN a.status = 'cancelled' THEN '${CLOSE_REASONS.visitCancelled}'
        WHEN a.status IN ('completed','no_show') OR a.starts_at <= $1 THEN '${CLOSE_REASONS.visitPassed}'
      END
      FROM follow_up_flags x
      JOIN patients p ON p.id = x.patient_id
      JOIN appointments a ON a.id = x.appointment_id
     WHERE x.closed_at IS NULL AND x.kind IN ${sqlList(VISIT_FLAG_KINDS)}
  ), closed AS (
    UPDATE follow_up_flags x SET closed_at = $1, close_reason = v.reason
      FROM verdicts v
     WHERE x.id = v.id AND v.reason IS NOT NULL AND x.closed_at IS NULL
    RETURNING x.kind)
  SELECT kind, count(*)::int AS n FROM closed GROUP BY kind`;
