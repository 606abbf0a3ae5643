import type { PlanStatus } from '@app/domain';
import { PLAN_FLAG_KINDS, sqlList, VISIT_FLAG_KINDS, type FlagKind } from './flag-kinds';
import { nextVisitJoin } from '@app/scheduling';
import { localTodaySql, ratedPlanFactsSql, statusRankSql } from './plan-status-sql';

/**
 * The worklist and the panel: one statement each, paginated by keyset on an index, with
 * plan facts computed only for the rows of the page (worklist) or for one provider's
 * plans (panel). `$1` is always now.
 */

export interface WorklistFilter {
  state: 'open' | 'closed';
  kind?: FlagKind;
  providerId?: string;
  locationId?: string;
  limit: number;
  /** Decoded cursor key, without its leading tag. */
  after: (string | number)[] | null;
  /** Just this flag (the answer to resolve). */
  flagId?: string;
}

// Exactly the expressions of follow_up_flags_open_worklist_idx, so the index gives the order.
const OPEN_ORDER = [
  `(x.kind <> 'med_check_lapsed')`,
  `coalesce(x.due_on, (x.opened_at AT TIME ZONE 'UTC')::date)`,
  'x.id',
];

/**
 * One provider's open flags, found from their plans (and, for visits without a plan, from
 * the few open visit flags) through the partial indexes, instead of walking the whole
 * worklist index for the rows that match: a clinician with three flags among 300,000
 * open ones gets them in a few probes. `$3` is the provider.
 */
const PROVIDER_OPEN_FLAGS = `(
    SELECT x.* FROM care_plans c0
     CROSS JOIN LATERAL (
       -- OFFSET 0 keeps this a per-plan index probe: flattened into a join, the planner
       -- prefers hashing every open flag for a provider with a large panel.
       SELECT * FROM follow_up_flags f0
        WHERE f0.care_plan_id = c0.id AND f0.closed_at IS NULL
          AND f0.kind IN ${sqlList(PLAN_FLAG_KINDS)} OFFSET 0) x
     WHERE c0.provider_id = $3
    UNION ALL
    SELECT x.* FROM care_plans c0 JOIN follow_up_flags x ON x.care_plan_id = c0.id
     WHERE c0.provider_id = $3 AND x.closed_at IS NULL AND x.care_plan_id IS NOT NULL
       AND x.kind IN ${sqlList(VISIT_FLAG_KINDS)}
    UNION ALL
    SELECT x.* FROM follow_up_flags x JOIN appointments a0 ON a0.id = x.appointment_id
     WHERE x.care_plan_id IS NULL AND a0.provider_id = $3 AND x.closed_at IS NULL
       AND x.kind IN ${sqlList(VISIT_FLAG_KINDS)})`;

export function worklistQuery(
  now: Date,
  filter: WorklistFilter,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [
    now,
    filter.kind ?? null,
    filter.providerId ?? null,
    filter.locationId ?? null,
    filter.limit + 1,
    filter.flagId ?? null,
  ];
  const open = filter.state === 'open';
  let cursor = '';
  if (filter.after) {
    params.push(...filter.after);
    cursor = open
      ? `AND (${OPEN_ORDER.join(', ')}) > ($7::int = 1, $8::date, $9::uuid)`
      : `AND (x.closed_at, x.id) < ($7::timestamptz, $8::uuid)`;
  }
  const order = open ? OPEN_ORDER.join(', ') : 'x.closed_at DESC, x.id DESC';
  const outerOrder = open ? 'page.k0, page.k1, page.id' : 'page.closed_at DESC, page.id DESC';
  const today = localTodaySql('$1', 'page.zone');
  const sql = `
    WITH page AS (
      SELECT x.id, x.kind, x.opened_at, x.due_on AS flag_due_on, x.details, x.closed_at,
             to_char(x.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS closed_key,
             x.closed_by, x.close_reason, x.note, x.patient_id, x.care_plan_id, x.appointment_id,
             pr.id AS provider_id, pr.name AS provider_name, l.timezone AS zone,
             ${OPEN_ORDER[0]} AS k0, ${OPEN_ORDER[1]} AS k1,
             a.visit_type AS appointment_visit_type, a.starts_at AS appointment_starts_at,
             a.status AS appointment_status,
             (a.starts_at AT TIME ZONE l.timezone)::date AS appointment_local_on
        FROM ${open && filter.providerId ? PROVIDER_OPEN_FLAGS : 'follow_up_flags'} x
        LEFT JOIN care_plans c ON c.id = x.care_plan_id
        LEFT JOIN appointments a ON a.id = x.appointment_id
        -- The flag belongs to the plan's responsible provider, else to the visit's.
        JOIN providers pr ON pr.id = coalesce(c.provider_id, a.provider_id)
        JOIN locations l ON l.id = pr.location_id
       WHERE x.closed_at IS ${open ? '' : 'NOT '}NULL
         AND ($2::text IS NULL OR x.kind = $2)
         AND ($3::uuid IS NULL OR pr.id = $3)
         AND ($4::uuid IS NULL OR coalesce(a.location_id, pr.location_id) = $4)
         AND ($6::uuid IS NULL OR x.id = $6)
         ${cursor}
       ORDER BY ${order}
       LIMIT $5
    ), facts AS (
      ${ratedPlanFactsSql('c.id IN (SELECT care_plan_id FROM page)')}
    )
    SELECT page.*, p.first_name, p.last_name, p.mrn, p.phone, p.email,
           f.track, f.interval_weeks, f.frequency, f.due_on AS plan_due_on, f.plan_status,
           f.next_appointment_at, ${today} AS today,
           CASE WHEN page.kind IN ${sqlList(PLAN_FLAG_KINDS)} THEN ${today} - f.due_on
                WHEN page.kind = 'no_show' THEN ${today} - page.appointment_local_on END AS days_past_due
      FROM page
      JOIN patients p ON p.id = page.patient_id
      LEFT JOIN facts f ON f.id = page.care_plan_id
     ORDER BY ${outerOrder}`;
  return { sql, params };
}

export const PANEL_SORTS = ['urgency', 'due', 'name'] as const;
export type PanelSort = (typeof PANEL_SORTS)[number];

export interface PanelFilter {
  providerId: string;
  statuses?: PlanStatus[];
  track?: 'medication' | 'therapy';
  sort: PanelSort;
  limit: number;
  after: (string | number)[] | null;
}

const PANEL_KEYS: Record<PanelSort, { order: string[]; types: string[] }> = {
  urgency: { order: ['rank', 'due_on', 'id'], types: ['int', 'date', 'uuid'] },
  due: { order: ['due_on', 'id'], types: ['date', 'uuid'] },
  name: { order: ['sort_last', 'sort_first', 'id'], types: ['text', 'text', 'uuid'] },
};

export const panelKeyLength = (sort: PanelSort): number => PANEL_KEYS[sort].order.length;

/** One row per active plan of the provider, status from the SQL twin, keyset-paginated. */
export function panelQuery(now: Date, filter: PanelFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [
    now,
    filter.providerId,
    filter.track ?? null,
    filter.statuses?.length ? filter.statuses : null,
    filter.limit + 1,
  ];
  const keys = PANEL_KEYS[filter.sort];
  let cursor = '';
  if (filter.after) {
    params.push(...filter.after);
    cursor = `AND (${keys.order.join(', ')}) > (${keys.types.map((t, i) => `$${6 + i}::${t}`).join(', ')})`;
  }
  const order = keys.order.join(', ');
  // Only the name sort needs the patient before the LIMIT; otherwise the page's rows alone
  // are joined to patients.
  const byName = filter.sort === 'name';
  const sql = `
    WITH rated AS (
      ${ratedPlanFactsSql(`c.provider_id = $2 AND c.status = 'active' AND ($3::text IS NULL OR c.track = $3)`, { next: false })}
    ), ranked AS (
      SELECT r.*, ${statusRankSql('r.plan_status')} AS rank
             ${byName ? ', lower(p.last_name) AS sort_last, lower(p.first_name) AS sort_first' : ''}
        FROM rated r ${byName ? 'JOIN patients p ON p.id = r.patient_id' : ''}
    ), page AS (
      SELECT * FROM ranked
       WHERE ($4::text[] IS NULL OR plan_status = ANY ($4)) ${cursor}
       ORDER BY ${order}
       LIMIT $5
    )
    -- Two partial indexes hold a plan's open flags (plan kinds, visit kinds): one probe each.
    -- The next visit is looked up for the page's rows only.
    SELECT page.*, p.first_name, p.last_name, p.mrn, next.starts_at AS next_appointment_at,
           ARRAY(SELECT kind FROM follow_up_flags ff
                  WHERE ff.care_plan_id = page.id AND ff.closed_at IS NULL
                    AND ff.kind IN ${sqlList(PLAN_FLAG_KINDS)} ORDER BY kind)
        || ARRAY(SELECT DISTINCT kind FROM follow_up_flags ff
                  WHERE ff.care_plan_id = page.id AND ff.closed_at IS NULL AND ff.care_plan_id IS NOT NULL
                    AND ff.kind IN ('no_show','reminder_failed') ORDER BY kind) AS open_flags
      FROM page JOIN patients p ON p.id = page.patient_id
      ${nextVisitJoin('page', 'next')}
     ORDER BY ${order}`;
  return { sql, params };
}
