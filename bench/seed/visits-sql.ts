import { int } from './reference-sql';
import type { SeedOptions } from './sizes';

const h = 'bench_seed.h';

/** First week index >= `from` on the plan's phase of a `period`-week cycle. */
const aligned = (from: string, phase: string, period: string) =>
  `(${from} + (((${phase} - (${from})) % ${period}) + ${period}) % ${period})`;

const COLUMNS = `patient_id, provider_id, location_id, visit_type, care_plan_id, starts_at, ends_at, modality,
                 status, cancel_reason, late_cancel, created_at, updated_at`;

/** Past statuses from a hash `r`: completed, then cancelled (a third of them late), then no-show. */
const pastStatus = (noShow: number, cancelled: number) => `
  CASE WHEN r < ${noShow} THEN 'no_show' WHEN r < ${noShow + cancelled} THEN 'cancelled' ELSE 'completed' END,
  CASE WHEN r >= ${noShow} AND r < ${noShow + cancelled} THEN 'Patient request' END,
  r >= ${noShow} AND r < ${noShow + cancelled / 3}`;

const NOT_CLOSED = `NOT EXISTS (SELECT 1 FROM location_closures lc WHERE lc.location_id = v.loc_id AND lc.closed_on = v.day)`;
const NOT_OFF = `NOT EXISTS (SELECT 1 FROM time_off o WHERE o.provider_id = v.prov_id
                               AND tstzrange(o.starts_at, o.ends_at) && tstzrange(v.s, v.s + interval '1 hour'))`;
const FUTURE_STATUS = `CASE WHEN v.s < v.at + interval '2 days' AND r < 0.5 THEN 'confirmed' ELSE 'scheduled' END, NULL, false`;

/**
 * The visits, one statement per partition (`plan_n % jobs = part`) so that `jobs`
 * connections insert in parallel. Past visits up to now, and for plans that are on track
 * the next visit, kept clear of closures and time off.
 */
export function visitSql(options: SeedOptions, part: number): string[] {
  const jobs = int(options.jobs);
  const mine = `plan_n % ${jobs} = ${int(part)}`;
  const medFrom = `greatest(m.e + 4, ${int(-options.historyWeeks)})`;
  const therapyFrom = `greatest(t.start_week, ${int(-options.therapyHistoryWeeks)})`;
  return [
    // Evaluations that fall inside the history window.
    `INSERT INTO appointments (${COLUMNS})
     SELECT pa.id, v.prov_id, v.loc_id, 'PSYCH_EVAL', v.id, v.s, v.s + interval '60 minutes',
            CASE WHEN v.eval_tele THEN 'telehealth' ELSE 'in_person' END, 'completed', NULL, false,
            v.s - interval '14 days', v.s
       FROM (SELECT m.*, c.w0 + 7 * m.e + m.weekday - 1 AS day,
                    ((c.w0 + 7 * m.e + m.weekday - 1) + m.eval_t) AT TIME ZONE m.zone AS s
               FROM bench_seed.med m CROSS JOIN bench_seed.clock c
              WHERE ${mine} AND NOT m.transfer AND m.e >= ${int(-options.historyWeeks)}) v
       JOIN bench_seed.pat pa ON pa.n = v.plan_n
      WHERE ${NOT_CLOSED}`,
    `INSERT INTO appointments (${COLUMNS})
     SELECT pa.id, v.prov_id, v.loc_id, 'MED_CHECK', v.id, v.s, v.s + interval '30 minutes',
            CASE WHEN v.tele OR ${h}(v.key, 23) < 0.1 THEN 'telehealth' ELSE 'in_person' END,
            ${pastStatus(0.07, 0.07)}, v.s - interval '21 days', v.s
       FROM (SELECT m.*, c.at, c.w0 + 7 * k + m.weekday - 1 AS day, m.plan_n * 1024 + k + 512 AS key,
                    ((c.w0 + 7 * k + m.weekday - 1) + m.t) AT TIME ZONE m.zone AS s, ${h}(m.plan_n * 1024 + k + 512, 22) AS r
               FROM bench_seed.med m CROSS JOIN bench_seed.clock c
              CROSS JOIN LATERAL generate_series(${aligned(medFrom, 'm.phase', 'm.q')},
                                                 CASE WHEN m.fate = 'lapsed' THEN m.stop_week ELSE 0 END, m.q) k
              WHERE ${mine}) v
       JOIN bench_seed.pat pa ON pa.n = v.plan_n
      WHERE v.s < v.at AND ${NOT_CLOSED}`,
    `INSERT INTO appointments (${COLUMNS})
     SELECT pa.id, v.prov_id, v.loc_id, 'MED_CHECK', v.id, v.s, v.s + interval '30 minutes',
            CASE WHEN v.tele THEN 'telehealth' ELSE 'in_person' END, ${FUTURE_STATUS}, v.at - interval '20 days', v.at
       FROM (SELECT m.*, c.at, c.w0 + 7 * n.k + m.weekday - 1 AS day, n.s, ${h}(m.plan_n, 24) AS r
               FROM bench_seed.med m CROSS JOIN bench_seed.clock c
              CROSS JOIN LATERAL (
                SELECT k, ((c.w0 + 7 * k + m.weekday - 1) + m.t) AT TIME ZONE m.zone AS s
                  FROM (VALUES (${aligned('greatest(m.e + 4, 0)', 'm.phase', 'm.q')})) a(k0),
                       LATERAL (VALUES (a.k0), (a.k0 + m.q)) x(k)
                 WHERE ((c.w0 + 7 * k + m.weekday - 1) + m.t) AT TIME ZONE m.zone >= c.at
                 ORDER BY k LIMIT 1) n
              WHERE ${mine} AND m.fate = 'on_track') v
       JOIN bench_seed.pat pa ON pa.n = v.plan_n AND NOT pa.discharged
      WHERE ${NOT_CLOSED} AND ${NOT_OFF}`,
    `INSERT INTO appointments (${COLUMNS})
     SELECT pa.id, v.prov_id, v.loc_id, 'THERAPY', v.id, v.s, v.s + interval '50 minutes',
            CASE WHEN v.tele OR ${h}(v.key, 26) < 0.2 THEN 'telehealth' ELSE 'in_person' END,
            ${pastStatus(0.05, 0.08)}, v.s - interval '7 days', v.s
       FROM (SELECT t.*, c.at, c.w0 + 7 * k + t.weekday - 1 AS day, t.plan_n * 1024 + k + 512 AS key,
                    ((c.w0 + 7 * k + t.weekday - 1) + t.t) AT TIME ZONE t.zone AS s, ${h}(t.plan_n * 1024 + k + 512, 25) AS r
               FROM bench_seed.ther t CROSS JOIN bench_seed.clock c
              CROSS JOIN LATERAL generate_series(${aligned(therapyFrom, 't.phase', 't.period')},
                                                 CASE WHEN t.fate = 'dropped' THEN t.stop_week ELSE 0 END, t.period) k
              WHERE ${mine}) v
       JOIN bench_seed.ther_pat tp ON tp.plan_n = v.plan_n JOIN bench_seed.pat pa ON pa.n = tp.patient_n
      WHERE v.s < v.at AND ${NOT_CLOSED}`,
    `INSERT INTO appointments (${COLUMNS})
     SELECT pa.id, v.prov_id, v.loc_id, 'THERAPY', v.id, v.s, v.s + interval '50 minutes',
            CASE WHEN v.tele THEN 'telehealth' ELSE 'in_person' END, ${FUTURE_STATUS}, v.at - interval '6 days', v.at
       FROM (SELECT t.*, c.at, c.w0 + 7 * n.k + t.weekday - 1 AS day, n.s, ${h}(t.plan_n, 27) AS r
               FROM bench_seed.ther t CROSS JOIN bench_seed.clock c
              CROSS JOIN LATERAL (
                SELECT k, ((c.w0 + 7 * k + t.weekday - 1) + t.t) AT TIME ZONE t.zone AS s
                  FROM (VALUES (${aligned('0', 't.phase', 't.period')})) a(k0),
                       LATERAL (VALUES (a.k0), (a.k0 + t.period)) x(k)
                 WHERE ((c.w0 + 7 * k + t.weekday - 1) + t.t) AT TIME ZONE t.zone >= c.at
                 ORDER BY k LIMIT 1) n
              WHERE ${mine} AND t.fate = 'on_track') v
       JOIN bench_seed.ther_pat tp ON tp.plan_n = v.plan_n JOIN bench_seed.pat pa ON pa.n = tp.patient_n
      WHERE ${NOT_CLOSED} AND ${NOT_OFF}`,
  ];
}
