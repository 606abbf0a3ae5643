import type { Client } from 'pg';
import { clearQueuePrefix } from '../harness/session';
import { round } from '../harness/stats';
import {
  deliveryFacts,
  insertReminders,
  leadSeconds,
  triggerReconcile,
  waitDelivered,
  waitQueueIdle,
} from './reminder-kit';
import { REMINDER_NEEDS, waitForJobs } from './reminder-pipeline';
import { MAIN_PLANS } from './sizes';
import type { BenchContext, Scenario, ScenarioOutcome } from './types';

const FLUSH = 'Redis flushed with reminders pending';
const KILL = 'Worker killed (SIGKILL) mid-run';

/** N reminders due soon, their jobs in Redis (through the app's own reconciler), a worker running. */
async function queuedBatch(
  ctx: BenchContext,
  db: Client,
  n: number,
  tag: number,
): Promise<{ ids: string[] }> {
  await ctx.worker();
  await waitQueueIdle(ctx);
  const lead = leadSeconds(ctx);
  const batch = await insertReminders(db, { count: n, tag, leadSeconds: lead, spacingMs: 0 });
  await triggerReconcile(ctx);
  await waitForJobs(ctx, batch.ids, lead - 1);
  return batch;
}

function duplicatesRow(scenario: string, duplicates: number) {
  return {
    scenario,
    figure: 'duplicate sends',
    value: duplicates,
    unit: '',
    target: '0',
    met: duplicates === 0,
  };
}

/**
 * Every key of this run's prefix is deleted while N reminders wait as delayed jobs: what
 * FLUSHALL does to the app, without touching anyone else's keys on a shared Redis. Only
 * the worker's periodic reconciliation (RECONCILE_EVERY_SECONDS) can bring them back.
 */
export const redisFlush: Scenario = {
  id: 'redis-flush',
  title: FLUSH,
  needs: REMINDER_NEEDS,
  plans: MAIN_PLANS,
  targets: [
    { figure: 'delivered after reconciliation', target: '100 % within 60 s' },
    { figure: 'duplicate sends', target: '0' },
  ],
  async run(ctx: BenchContext): Promise<ScenarioOutcome> {
    const n = ctx.quick ? 1_000 : 10_000;
    const db = await ctx.db();
    try {
      const batch = await queuedBatch(ctx, db, n, 3);
      const flushedAt = Date.now();
      const removed = await clearQueuePrefix(ctx.redisUrl);
      ctx.log(`deleted ${removed} keys under ${ctx.queuePrefix}:*, ${n} reminders pending`);
      const done = await waitDelivered(ctx, db, batch.ids, 'after the flush', 150);
      const f = await deliveryFacts(db, batch.ids);
      const seconds = f.lastSentAt ? (f.lastSentAt.getTime() - flushedAt) / 1000 : Number.NaN;
      return {
        rows: [
          {
            scenario: FLUSH,
            figure: `delivered after the flush, ${n} pending`,
            value: round((100 * f.sent) / n, 2),
            unit: `% (last ${round(seconds)} s after the flush)`,
            target: '100 % within 60 s',
            met: done && f.sent === n && seconds <= 60,
            note: `lateness after the planned time p50 ${f.lateness.p50} ms, max ${f.lateness.max} ms${Object.keys(f.notSent).length ? `; not sent ${JSON.stringify(f.notSent)}` : ''}`,
          },
          duplicatesRow(FLUSH, f.duplicates),
        ],
        raw: { reminders: n, keysDeleted: removed, secondsToLastDelivery: seconds, delivery: f },
      };
    } finally {
      await db.end();
    }
  },
};

/** SIGKILL once a third is sent; a new worker must finish the rest, none twice, none lost. */
export const workerKill: Scenario = {
  id: 'worker-sigkill',
  title: KILL,
  notInQuick: "skipped by --quick: recovery waits for BullMQ's 30 s job lock to expire",
  needs: REMINDER_NEEDS,
  plans: MAIN_PLANS,
  targets: [
    { figure: 'lost reminders', target: '0' },
    { figure: 'duplicate sends', target: '0' },
  ],
  async run(ctx: BenchContext): Promise<ScenarioOutcome> {
    const n = ctx.quick ? 1_000 : 10_000;
    const db = await ctx.db();
    try {
      const batch = await queuedBatch(ctx, db, n, 4);
      let sentAtKill = 0;
      const deadline = Date.now() + 60_000;
      while (sentAtKill < n / 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM reminders WHERE id = ANY($1::uuid[]) AND status = 'sent'`,
          [batch.ids],
        );
        sentAtKill = rows[0].n;
      }
      await ctx.killWorker();
      const killedAt = Date.now();
      ctx.log(`SIGKILLed the worker with ${sentAtKill}/${n} sent; starting a new one`);
      await ctx.worker();
      const done = await waitDelivered(ctx, db, batch.ids, 'after the kill', 180);
      const f = await deliveryFacts(db, batch.ids);
      const lost = n - f.sent;
      const recovery = f.lastSentAt ? (f.lastSentAt.getTime() - killedAt) / 1000 : Number.NaN;
      return {
        rows: [
          {
            scenario: KILL,
            figure: `lost reminders of ${n}`,
            value: lost,
            unit: '',
            target: '0',
            met: done && lost === 0,
            note: `killed at ${sentAtKill} sent; the rest was sent within ${round(recovery)} s of the kill${Object.keys(f.notSent).length ? `; not sent ${JSON.stringify(f.notSent)}` : ''}`,
          },
          duplicatesRow(KILL, f.duplicates),
        ],
        raw: { reminders: n, sentAtKill, recoverySeconds: recovery, delivery: f },
      };
    } finally {
      await db.end();
    }
  },
};
