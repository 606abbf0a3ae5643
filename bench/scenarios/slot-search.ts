import { ranLatencies, runLoad } from '../harness/load';
import { round, summarize } from '../harness/stats';
import type { HttpRequestSpec } from '../load/protocol';
import { MAIN_PLANS } from './sizes';
import type { BenchContext, Scenario, ScenarioOutcome } from './types';

const TITLE = 'Slot search, one provider, 12 weeks';

/**
 * The busy time SlotsService.search reads (libs/scheduling/src/slots.service.ts, where it
 * is part of the one statement that also reads the provider), as a statement of its own:
 * the part of a slot search that has to touch the appointments table. Keep it in step
 * when that part changes.
 */
const BUSY_SQL = `
  SELECT provider_id, floor(extract(epoch FROM starts_at) * 1000)::float8 AS starts_ms,
         floor(extract(epoch FROM ends_at) * 1000)::float8 AS ends_ms FROM appointments
   WHERE provider_id = ANY($1) AND status <> 'cancelled' AND starts_at < $3 AND ends_at > $2
  UNION ALL
  SELECT provider_id, floor(extract(epoch FROM starts_at) * 1000)::float8,
         floor(extract(epoch FROM ends_at) * 1000)::float8 FROM time_off
   WHERE provider_id = ANY($1) AND starts_at < $3 AND ends_at > $2`;

/** One client, one request at a time: the latency a front-desk user waits for. */
export const slotSearch: Scenario = {
  id: 'slot-search',
  title: TITLE,
  needs: ['GET /slots'],
  plans: MAIN_PLANS,
  targets: [{ figure: 'GET /slots p99', target: '≤ 20 ms' }],
  async run(ctx: BenchContext): Promise<ScenarioOutcome> {
    const db = await ctx.db();
    let providers: { id: string; zone: string }[];
    try {
      ({ rows: providers } = await db.query<{ id: string; zone: string }>(
        `SELECT p.id, l.timezone AS zone FROM providers p JOIN locations l ON l.id = p.location_id
          WHERE p.active AND 'prescriber' = ANY (p.roles) ORDER BY md5(p.id::text) LIMIT 20`,
      ));
    } finally {
      await db.end();
    }
    const count = ctx.quick ? 300 : 2_000;
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const [from, to] = [day(1), day(84)];
    const requests: HttpRequestSpec[] = Array.from({ length: count }, (_, i) => ({
      method: 'GET',
      path: `/slots?visitType=MED_CHECK&providerId=${providers[i % providers.length].id}&from=${from}&to=${to}&limit=200`,
    }));
    const http = (label: string, list: HttpRequestSpec[]) =>
      runLoad(
        label,
        {
          kind: 'http',
          baseUrl: ctx.apiUrl,
          token: ctx.frontDesk.bearer,
          concurrency: 1,
          requests: list,
          maxSeconds: 120,
        },
        ctx.log,
      );
    await http('slots warm-up', requests.slice(0, 100));
    const result = await http('GET /slots', requests);
    const bad = result.outcomes.filter((s) => s !== 200).length;
    const window = [new Date(`${from}T00:00:00Z`), new Date(`${day(85)}T00:00:00Z`)];
    const sql = await runLoad(
      'busy-time SQL',
      {
        kind: 'pg',
        databaseUrl: ctx.databaseUrl,
        concurrency: 1,
        sql: BUSY_SQL,
        params: Array.from({ length: count }, (_, i) => [
          [providers[i % providers.length].id],
          ...window,
        ]),
        maxSeconds: 120,
      },
      ctx.log,
    );
    const [h, s] = [summarize(ranLatencies(result)), summarize(ranLatencies(sql))];
    return {
      rows: [
        {
          scenario: TITLE,
          figure: 'GET /slots p99',
          value: h.p99,
          unit: 'ms',
          baseline: { label: 'busy-time SQL p99', value: s.p99, unit: 'ms' },
          ratio: round(h.p99 / s.p99, 1),
          target: '≤ 20 ms',
          met: h.p99 <= 20 && bad === 0,
          note: `p50 ${h.p50} ms (SQL ${s.p50} ms)${bad ? `; ${bad} non-200: ${JSON.stringify(result.samples).slice(0, 200)}` : ''}`,
        },
      ],
      raw: {
        requests: count,
        providers: providers.length,
        from,
        to,
        http: h,
        sql: s,
        non200: bad,
        samples: result.samples,
      },
    };
  },
};
