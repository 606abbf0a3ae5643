import type { INestApplicationContext } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { DateTime } from 'luxon';
import { Redis } from 'ioredis';
import { ReminderPlanner, ReminderQueue } from '@app/reminders';
import {
  createTestContext,
  factories,
  startPrivateRedis,
  waitFor,
  type TestContext,
} from '@app/testing';
import { createWorkerApp } from '../apps/worker/src/bootstrap';

const N = 1000;

/** N visits (one patient and one provider each) starting within a few seconds of `start`, with their reminders planned and enqueued. */
async function pendingReminders(ctx: TestContext, start: DateTime): Promise<string[]> {
  const location = await factories(ctx.db).location({ timezone: 'UTC' });
  // A one-minute SMS reminder, with quiet hours far from now.
  const quietStart = DateTime.utc().plus({ hours: 8 }).toFormat('HH:00');
  const quietEnd = DateTime.utc().plus({ hours: 9 }).toFormat('HH:00');
  await ctx.db.query(`UPDATE clinic_settings SET value = $1 WHERE key = 'reminders'`, [
    JSON.stringify({
      offsets: [{ minutesBefore: 1, channels: ['sms'] }],
      quietHours: { start: quietStart, end: quietEnd },
    }),
  ]);
  const ids = await ctx.db.query<{ id: string }[]>(
    `WITH g AS (SELECT n FROM generate_series(1, $1) n),
     pr AS (INSERT INTO providers (name, credentials, roles, location_id)
            SELECT 'Chaos provider ' || n, ARRAY['LCSW'], ARRAY['therapist'], $2 FROM g RETURNING id),
     pa AS (INSERT INTO patients (first_name, last_name, date_of_birth, phone, consent_sms)
            SELECT 'Chaos', 'Patient' || n, '1980-01-01', '+1555' || lpad(n::text, 7, '0'), true FROM g RETURNING id),
     pairs AS (SELECT a.id AS provider_id, b.id AS patient_id, a.n
                 FROM (SELECT id, row_number() OVER () AS n FROM pr) a JOIN (SELECT id, row_number() OVER () AS n FROM pa) b USING (n))
     INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, starts_at, ends_at)
     SELECT patient_id, provider_id, $2, 'THERAPY', $3::timestamptz + (n % 20) * interval '1 second', $3::timestamptz + (n % 20) * interval '1 second' + interval '50 minutes'
       FROM pairs RETURNING id`,
    [N, location.id, start.toJSDate()],
  );
  const planner = ctx.app.get(ReminderPlanner);
  const pending = await ctx.db.transaction((em) =>
    planner.plan(
      em,
      ids.map((r) => r.id),
    ),
  );
  await ctx.app.get(ReminderQueue).enqueue(pending);
  return pending.map((p) => p.id);
}

async function deliveryCounts(ctx: TestContext, ids: string[]) {
  const [row] = await ctx.db.query<
    { sent: number; messages: number; max_per_reminder: number; other: number }[]
  >(
    `SELECT count(*) FILTER (WHERE r.status = 'sent')::int AS sent,
            count(*) FILTER (WHERE r.status NOT IN ('sent','pending','sending'))::int AS other,
            (SELECT count(*)::int FROM messages m WHERE m.reminder_id = ANY($1)) AS messages,
            (SELECT coalesce(max(c), 0)::int FROM (SELECT count(*) c FROM messages m WHERE m.reminder_id = ANY($1) GROUP BY m.reminder_id) x) AS max_per_reminder
       FROM reminders r WHERE r.id = ANY($1)`,
    [ids],
  );
  return row;
}

describe('reminders survive losing Redis', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let ctx: TestContext;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    ctx = await createTestContext({ env: { REDIS_URL: redis.url, RECONCILE_EVERY_SECONDS: '2' } });
  });
  afterAll(async () => {
    await worker?.close();
    await ctx.close();
    await redis.stop();
  });

  it(`${N} pending reminders, FLUSHALL, reconciler runs: every one delivered exactly once`, async () => {
    // Visits of the first batch start ~70 s from now; the 1-minute reminders are due in ~10 s.
    const ids = await pendingReminders(ctx, DateTime.utc().plus({ seconds: 70 }));
    expect(ids).toHaveLength(N);
    const client = new Redis(redis.url);
    expect(await client.dbsize()).toBeGreaterThan(N);
    await client.flushall();
    expect(await client.dbsize()).toBe(0);
    client.disconnect();

    worker = await createWorkerApp(ctx.config);
    await waitFor(async () => (await deliveryCounts(ctx, ids)).sent === N, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'all reminders delivered after the flush',
    });
    expect(await deliveryCounts(ctx, ids)).toEqual({
      sent: N,
      other: 0,
      messages: N,
      max_per_reminder: 1,
    });
  }, 180_000);
});

describe('reminders survive a worker killed with SIGKILL mid-batch', () => {
  let ctx: TestContext;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await ctx.close();
  });

  function startWorker(concurrency: number): ChildProcess {
    // The worker itself, not a wrapper: SIGKILL must hit the process doing the work.
    const child = spawn(
      process.execPath,
      ['-r', require.resolve('@swc-node/register'), 'apps/worker/src/main.ts'],
      {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          DATABASE_URL: ctx.config.DATABASE_URL,
          REDIS_URL: ctx.config.REDIS_URL,
          QUEUE_PREFIX: ctx.config.QUEUE_PREFIX,
          JWT_SECRET: ctx.config.JWT_SECRET,
          LOG_LEVEL: 'warn',
          WORKER_CONCURRENCY: String(concurrency),
          WORKER_LOCK_MS: '2000',
          REMINDER_LEASE_SECONDS: '2',
          RECONCILE_EVERY_SECONDS: '2',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    children.push(child);
    return child;
  }

  it('every reminder delivered, none twice', async () => {
    const ids = await pendingReminders(ctx, DateTime.utc().plus({ seconds: 62 }));
    const first = startWorker(1);
    const atKill = await waitFor(
      async () => {
        const counts = await deliveryCounts(ctx, ids);
        return counts.sent >= 50 ? counts : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 20, what: 'the first worker to be mid-batch' },
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    // Killed in the middle: some sent, not all.
    expect(atKill.sent).toBeLessThan(N);

    startWorker(20);
    await waitFor(async () => (await deliveryCounts(ctx, ids)).sent === N, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'all reminders delivered after the kill',
    });
    expect(await deliveryCounts(ctx, ids)).toEqual({
      sent: N,
      other: 0,
      messages: N,
      max_per_reminder: 1,
    });
  }, 240_000);
});
