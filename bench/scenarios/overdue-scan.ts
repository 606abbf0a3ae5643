import type { Client } from 'pg';
import { round } from '../harness/stats';
import { MAIN_PLANS } from './sizes';
import type { BenchContext, FigureRow, Scenario, ScenarioOutcome } from './types';

/**
 * The raw floor SPEC §5 compares the scan with: one bare INSERT … SELECT of the very rows
 * the first scan opened, into a scratch copy of follow_up_flags with the same columns,
 * checks, indexes and foreign keys. Whatever the scan costs beyond it is deciding which
 * plans to flag.
 */
async function bareInsertSeconds(db: Client): Promise<number> {
  const { rows: keys } = await db.query<{ def: string }>(
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE conrelid = 'follow_up_flags'::regclass AND contype = 'f'`,
  );
  await db.query(`DROP TABLE IF EXISTS bench_flags_copy`);
  await db.query(`CREATE TABLE bench_flags_copy (LIKE follow_up_flags INCLUDING ALL)`);
  for (const { def } of keys) await db.query(`ALTER TABLE bench_flags_copy ADD ${def}`);
  try {
    const started = performance.now();
    await db.query(
      `INSERT INTO bench_flags_copy (patient_id, care_plan_id, appointment_id, kind, opened_at, due_on, details)
       SELECT patient_id, care_plan_id, appointment_id, kind, opened_at, due_on, details FROM follow_up_flags`,
    );
    return (performance.now() - started) / 1000;
  } finally {
    await db.query(`DROP TABLE bench_flags_copy`);
  }
}

interface ScanBody {
  skipped: boolean;
  opened: number;
  closed: number;
  openedByKind: Record<string, number>;
}

/** One POST /follow-ups/scan, timed; a failure (e.g. the API's statement timeout) is kept, not thrown. */
async function timedScan(ctx: BenchContext, label: string) {
  const started = performance.now();
  const response = await ctx.admin.request('POST', '/follow-ups/scan', undefined, {}, 600_000);
  const seconds = (performance.now() - started) / 1000;
  if (response.status !== 200) {
    const error = `HTTP ${response.status}: ${JSON.stringify(response.body).slice(0, 200)}`;
    ctx.log(`${label}: FAILED after ${round(seconds, 2)} s (${error})`);
    return {
      seconds,
      error,
      skipped: false,
      opened: Number.NaN,
      closed: Number.NaN,
      openedByKind: {},
    };
  }
  const body = response.body as ScanBody;
  ctx.log(
    `${label}: ${round(seconds, 2)} s, opened ${body.opened}, closed ${body.closed}${body.skipped ? ' (SKIPPED)' : ''}`,
  );
  return { seconds, error: null, ...body };
}

/**
 * POST /follow-ups/scan twice on a fresh dataset (the worker is not running, so no
 * periodic scan gets there first): the first run opens the flags, the second must open
 * nothing and be cheaper. The 1 M run also compares its cost per plan with the 100 k run.
 */
function overdueScan(
  id: string,
  title: string,
  plans: { quick: number; full: number },
  base?: string,
): Scenario {
  return {
    id,
    title,
    needs: ['POST /follow-ups/scan'],
    plans,
    targets: [
      { figure: 'first scan', target: base ? '≤ 5 s' : 'reported' },
      { figure: 'second scan opens nothing, takes less', target: '0 opened, < first' },
      ...(base ? [{ figure: 'cost per plan vs the smaller scan', target: '≈ 1 (linear)' }] : []),
    ],
    async run(ctx: BenchContext): Promise<ScenarioOutcome> {
      const db = await ctx.db();
      let activePlans: number;
      let baselineSeconds: number;
      let first: Awaited<ReturnType<typeof timedScan>>;
      let second: Awaited<ReturnType<typeof timedScan>>;
      try {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM care_plans WHERE status = 'active'`,
        );
        activePlans = rows[0].n;
        first = await timedScan(ctx, `first scan of ${activePlans} active plans`);
        second = await timedScan(ctx, 'second scan');
        baselineSeconds = await bareInsertSeconds(db);
        ctx.log(
          `bare INSERT … SELECT of the ${first.opened} opened flags: ${round(baselineSeconds, 2)} s`,
        );
      } finally {
        await db.end();
      }
      const rows: FigureRow[] = [
        {
          scenario: title,
          figure: `first scan, ${activePlans} active plans`,
          value: round(first.seconds, 3),
          unit: 's',
          baseline: {
            label: 'bare INSERT … SELECT of those flags',
            value: round(baselineSeconds, 3),
            unit: 's',
          },
          ratio: round(first.seconds / baselineSeconds, 1),
          target: base ? '≤ 5 s' : 'reported',
          met: first.skipped
            ? 'skipped: another scan was running'
            : base
              ? first.seconds <= 5
              : null,
          note: `opened ${first.opened} (${JSON.stringify(first.openedByKind)}), closed ${first.closed}`,
        },
        {
          scenario: title,
          figure: 'second scan opens nothing, takes less',
          value: second.error ? null : second.opened,
          unit: `opened, in ${round(second.seconds, 3)} s`,
          target: '0 opened, < first',
          met: second.error
            ? `failed: ${second.error}`
            : !second.skipped && second.opened === 0 && second.seconds < first.seconds,
        },
      ];
      const smaller = base
        ? (ctx.earlier[base] as { activePlans?: number; first?: { seconds: number } })
        : undefined;
      if (base) {
        const perPlan = first.seconds / activePlans;
        const basePerPlan =
          smaller?.first && smaller.activePlans
            ? smaller.first.seconds / smaller.activePlans
            : null;
        const ratio = basePerPlan ? perPlan / basePerPlan : null;
        rows.push({
          scenario: title,
          figure: 'cost per plan vs the smaller scan',
          value: ratio === null ? null : round(ratio, 2),
          unit: '×',
          target: '≈ 1 (linear; ≤ 1.5)',
          met: ratio === null ? `needs ${base} in the same run` : ratio <= 1.5,
          note: basePerPlan
            ? `${round(perPlan * 1e6, 2)} µs vs ${round(basePerPlan * 1e6, 2)} µs per active plan`
            : undefined,
        });
      }
      return { rows, raw: { activePlans, baselineSeconds, first, second } };
    },
  };
}

export const overdueScan100k = overdueScan(
  'overdue-scan-100k',
  'Overdue scan, 100 k plans',
  MAIN_PLANS,
);

export const overdueScan1m = overdueScan(
  'overdue-scan-1m',
  'Overdue scan, 1 M plans (60 k with --quick)',
  // --quick cannot afford a 1 M seed: 60 k still shows whether the cost is linear.
  { quick: 60_000, full: 1_000_000 },
  'overdue-scan-100k',
);
