import { ranLatencies, runLoad } from '../harness/load';
import { round, summarize } from '../harness/stats';
import type { HttpRequestSpec } from '../load/protocol';
import { MAIN_PLANS } from './sizes';
import type { BenchContext, FigureRow, Scenario, ScenarioOutcome } from './types';

const TITLE = 'Panel of 2,000 plans and the follow-up worklist';

/** The bare facts of a panel: each active plan of the provider with its last and next visit. */
const PANEL_SQL = `
  SELECT c.id,
         (SELECT max(a.starts_at) FROM appointments a WHERE a.care_plan_id = c.id AND a.status = 'completed') AS last_seen,
         (SELECT min(a.starts_at) FROM appointments a WHERE a.care_plan_id = c.id
             AND a.status IN ('scheduled', 'confirmed') AND a.starts_at > now()) AS next_booked
    FROM care_plans c WHERE c.provider_id = $1 AND c.status = 'active'`;

/**
 * The clinician who owns the seed's 2,000-plan panel reads its first page (sorted by
 * urgency, so every plan's status is computed), one request at a time; the front desk
 * reads the worklist the overdue scan filled. Runs after that scan.
 */
export const panel: Scenario = {
  id: 'panel',
  title: TITLE,
  needs: ['GET /providers/{id}/panel', 'GET /follow-ups'],
  plans: MAIN_PLANS,
  targets: [
    { figure: 'GET /providers/:id/panel p50 (2,000 plans)', target: '≤ 20 ms' },
    { figure: 'GET /follow-ups p50 / p99', target: 'reported' },
  ],
  async run(ctx: BenchContext): Promise<ScenarioOutcome> {
    const db = await ctx.db();
    let provider: { id: string; plans: number };
    try {
      ({
        rows: [provider],
      } = await db.query<{ id: string; plans: number }>(
        `SELECT provider_id AS id, count(*)::int AS plans FROM care_plans WHERE status = 'active'
          GROUP BY provider_id ORDER BY count(*) DESC LIMIT 1`,
      ));
    } finally {
      await db.end();
    }
    const clinician = await ctx.userFor('clinician', provider.id);
    const count = ctx.quick ? 200 : 1_000;
    const http = (label: string, token: string, path: string, n: number) =>
      runLoad(
        label,
        {
          kind: 'http',
          baseUrl: ctx.apiUrl,
          token,
          concurrency: 1,
          requests: Array.from({ length: n }, (): HttpRequestSpec => ({ method: 'GET', path })),
          maxSeconds: 120,
        },
        ctx.log,
      );
    const panelPath = `/providers/${provider.id}/panel?limit=200`;
    await http('panel warm-up', clinician.bearer, panelPath, 30);
    const panelRun = await http('GET /providers/:id/panel', clinician.bearer, panelPath, count);
    await http('worklist warm-up', ctx.frontDesk.bearer, '/follow-ups', 30);
    const worklist = await http('GET /follow-ups', ctx.frontDesk.bearer, '/follow-ups', count);
    const sql = await runLoad(
      'panel SQL',
      {
        kind: 'pg',
        databaseUrl: ctx.databaseUrl,
        concurrency: 1,
        sql: PANEL_SQL,
        params: Array.from({ length: count }, () => [provider.id]),
        maxSeconds: 120,
      },
      ctx.log,
    );
    const [p, w, s] = [panelRun, worklist, sql].map((r) => summarize(ranLatencies(r)));
    const bad = [...panelRun.outcomes, ...worklist.outcomes].filter(
      (status) => status !== 200,
    ).length;
    const rows: FigureRow[] = [
      {
        scenario: TITLE,
        figure: `GET /providers/:id/panel p50 (${provider.plans} plans, first 200)`,
        value: p.p50,
        unit: 'ms',
        baseline: { label: 'plans + last/next visit SQL p50', value: s.p50, unit: 'ms' },
        ratio: round(p.p50 / s.p50, 1),
        target: '≤ 20 ms',
        met: p.p50 <= 20 && bad === 0,
        note: `p99 ${p.p99} ms (SQL ${s.p99} ms)${bad ? `; ${bad} non-200: ${JSON.stringify({ ...panelRun.samples, ...worklist.samples }).slice(0, 200)}` : ''}`,
      },
      {
        scenario: TITLE,
        figure: 'GET /follow-ups p50 / p99 (front desk, open flags)',
        value: w.p50,
        unit: `ms / ${w.p99} ms`,
        target: 'reported',
        met: null,
      },
    ];
    return { rows, raw: { provider, requests: count, panel: p, worklist: w, sql: s, non200: bad } };
  },
};
