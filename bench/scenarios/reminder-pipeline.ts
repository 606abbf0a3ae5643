import { countOutcomes, runLoad } from '../harness/load';
import { round } from '../harness/stats';
import {
  deliveryFacts,
  insertReminders,
  jobsPresent,
  leadSeconds,
  redis,
  redisBytes,
  triggerReconcile,
  waitDelivered,
  waitQueueIdle,
} from './reminder-kit';
import { MAIN_PLANS } from './sizes';
import type { BenchContext, FigureRow, Scenario, ScenarioOutcome } from './types';

const TITLE = 'Reminder pipeline, log channel';

/** What the log transport's delivery amounts to in SQL: mark sent and record the message. */
const RAW_DELIVERY = `
  WITH claimed AS (
    UPDATE reminders SET status = 'sent', attempts = attempts + 1, sent_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'pending' RETURNING id, patient_id, channel)
  INSERT INTO messages (reminder_id, patient_id, channel, recipient, subject, body)
  SELECT id, patient_id, channel, 'raw@example.test', 'Appointment reminder', 'raw baseline' FROM claimed
  RETURNING id`;
export const REMINDER_NEEDS = ['GET /appointments/{id}/reminders', 'GET /messages'];

/** Polls until every job is in Redis; returns the seconds it took. */
export async function waitForJobs(ctx: BenchContext, ids: string[], timeoutSeconds: number) {
  const r = redis(ctx);
  const started = performance.now();
  try {
    for (;;) {
      const present = await jobsPresent(r, ctx.queuePrefix, ids);
      if (present === ids.length) return (performance.now() - started) / 1000;
      if (performance.now() - started > timeoutSeconds * 1000)
        throw new Error(`only ${present}/${ids.length} reminder jobs reached Redis`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    r.disconnect();
  }
}

/**
 * Two batches through the production worker: N reminders due at the same instant (how
 * fast can it send?), then N due at 1,000 a second (how late is a reminder at the target
 * rate?). Redis memory is read while the first batch waits as delayed jobs.
 */
export const reminderPipeline: Scenario = {
  id: 'reminder-pipeline',
  title: TITLE,
  needs: REMINDER_NEEDS,
  plans: MAIN_PLANS,
  targets: [
    { figure: 'sends/s', target: '≥ 1,000' },
    { figure: 'p99 lateness after planned time', target: '≤ 1 s' },
    { figure: 'Redis bytes per pending reminder', target: '≤ 1 KB' },
    { figure: 'duplicate sends', target: '0' },
  ],
  async run(ctx: BenchContext): Promise<ScenarioOutcome> {
    const n = ctx.quick ? 1_000 : 10_000;
    await ctx.worker();
    await waitQueueIdle(ctx);
    const lead = leadSeconds(ctx);
    const db = await ctx.db();
    const r = redis(ctx);
    try {
      const burst = await insertReminders(db, {
        count: n,
        tag: 1,
        leadSeconds: lead,
        spacingMs: 0,
      });
      await triggerReconcile(ctx);
      const enqueueSeconds = await waitForJobs(ctx, burst.ids, lead - 1);
      const bytes = (await redisBytes(r, ctx.queuePrefix, burst.ids)) / n;
      ctx.log(`${n} jobs in Redis after ${round(enqueueSeconds, 2)} s, ${round(bytes)} bytes each`);
      await waitDelivered(ctx, db, burst.ids, `burst of ${n}`, 180);
      const b = await deliveryFacts(db, burst.ids);

      const paced = await insertReminders(db, {
        count: n,
        tag: 2,
        leadSeconds: lead,
        spacingMs: 1,
      });
      await triggerReconcile(ctx);
      await waitForJobs(ctx, paced.ids, lead - 1);
      await waitDelivered(ctx, db, paced.ids, `${n} at 1,000/s`, 180);
      const p = await deliveryFacts(db, paced.ids);

      // Baseline: the same delivery as one SQL statement per reminder from as many
      // connections as the worker runs jobs (WORKER_CONCURRENCY, 50): the ceiling the
      // database alone allows on this machine.
      const spare = await insertReminders(db, {
        count: n,
        tag: 5,
        leadSeconds: 86_400,
        spacingMs: 0,
      });
      const raw = await runLoad(
        'raw delivery SQL',
        {
          kind: 'pg',
          databaseUrl: ctx.databaseUrl,
          concurrency: 50,
          sql: RAW_DELIVERY,
          params: spare.ids.map((id) => [id]),
          maxSeconds: 120,
        },
        ctx.log,
      );
      const rawRate = (countOutcomes(raw)['1'] ?? 0) / raw.seconds;
      const duplicates = b.duplicates + p.duplicates;
      const rows: FigureRow[] = [
        {
          scenario: TITLE,
          figure: `sends/s, ${n} due at once`,
          value: round(b.rate),
          unit: 'sends/s',
          baseline: { label: 'raw SQL', value: round(rawRate), unit: 'sends/s' },
          ratio: round(b.rate / rawRate, 3),
          target: '≥ 1,000',
          met: b.rate >= 1000 && b.sent === n,
          note: `${b.sent}/${n} sent${Object.keys(b.notSent).length ? `, not sent ${JSON.stringify(b.notSent)}` : ''}; lateness p50 ${b.lateness.p50} ms, max ${b.lateness.max} ms`,
        },
        {
          scenario: TITLE,
          figure: `p99 lateness, ${n} due at 1,000/s`,
          value: p.lateness.p99,
          unit: 'ms',
          target: '≤ 1,000 ms',
          met: p.lateness.p99 <= 1000 && p.sent === n,
          note: `p50 ${p.lateness.p50} ms, max ${p.lateness.max} ms; ${p.sent}/${n} sent at ${round(p.rate)}/s`,
        },
        {
          scenario: TITLE,
          figure: 'Redis bytes per pending reminder',
          value: round(bytes),
          unit: 'bytes',
          target: '≤ 1,024',
          met: bytes <= 1024,
          note: 'MEMORY USAGE of each delayed job hash plus its share of the delayed set',
        },
        {
          scenario: TITLE,
          figure: 'duplicate sends',
          value: duplicates,
          unit: '',
          target: '0',
          met: duplicates === 0,
          note: `${b.messages + p.messages} messages for ${b.sent + p.sent} sent reminders`,
        },
      ];
      return {
        rows,
        raw: { reminders: n, enqueueSeconds, bytesPerReminder: bytes, burst: b, paced: p },
      };
    } finally {
      r.disconnect();
      await db.end();
    }
  },
};
