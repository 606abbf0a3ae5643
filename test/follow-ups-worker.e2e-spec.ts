import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@app/domain';
import { FOLLOW_UP_SCAN_LOCK_KEY, FollowUpsService } from '@app/follow-ups';
import { JobProducer, QUEUES } from '@app/queue';
import { createTestContext, factories, waitFor, type TestContext } from '@app/testing';
import { createWorkerApp } from '../apps/worker/src/bootstrap';
import { NOW, ZONE } from './scheduling-fixture';

/**
 * The scan as the worker runs it: a BullMQ job scheduler on the 'follow-ups' queue, and an
 * advisory lock so that two processes never scan at once.
 */
describe('the follow-up scan in the worker', () => {
  let ctx: TestContext;
  let worker: INestApplicationContext;
  let plans: string[];
  let f: ReturnType<typeof factories>;
  let prescriberId: string;
  const clock = new FixedClock(NOW.toUTC());

  const openFlags = async () =>
    (
      await ctx.db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM follow_up_flags WHERE closed_at IS NULL AND care_plan_id = ANY ($1)`,
        [plans],
      )
    )[0].n;

  /** Never seen since starting in September: lapsed, so two flags (overdue and lapsed). */
  async function lapsedPlan(): Promise<string> {
    const patient = await f.patient();
    const plan = await f.carePlan({
      patientId: patient.id,
      providerId: prescriberId,
      track: 'medication',
      intervalWeeks: 6,
      startsOn: '2026-09-01',
    });
    return plan.id;
  }

  beforeAll(async () => {
    ctx = await createTestContext({ clock });
    f = factories(ctx.db);
    const location = await f.location({ timezone: ZONE });
    prescriberId = (await f.provider({ locationId: location.id, roles: ['prescriber'] })).id;
    plans = [];
    for (let i = 0; i < 3; i++) plans.push(await lapsedPlan());
    // Created only now: the scheduler's first job runs as soon as the worker declares it.
    worker = await createWorkerApp(ctx.config, clock);
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
  });

  it('the scheduled job opens the flags, and running it again changes nothing', async () => {
    await waitFor(async () => (await openFlags()) === 6, {
      what: 'the scheduled follow-up scan to open 6 flags',
    });
    const queue = worker.get(JobProducer).queue(QUEUES.followUps);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.every])).toEqual([['follow-up-scan', 15 * 60_000]]);

    const again = await queue.add('follow-up-scan', {}, { jobId: 'follow-up-scan-again' });
    expect(again.data).toEqual({}); // nothing about a patient goes to Redis
    const result = await waitFor(
      async () => {
        const job = await queue.getJob('follow-up-scan-again');
        return job?.finishedOn ? (job.returnvalue as Record<string, unknown>) : undefined;
      },
      { what: 'the second scan job to finish' },
    );
    expect(result).toMatchObject({ skipped: false, opened: 0, closed: 0 });
    expect(await openFlags()).toBe(6);
  });

  it('two scans started together on two processes: only one runs', async () => {
    const api = ctx.app.get(FollowUpsService);
    const other = worker.get(FollowUpsService);
    expect(ctx.app.get<DataSource>(getDataSourceToken())).not.toBe(
      worker.get<DataSource>(getDataSourceToken()),
    );

    // Started together, in whatever order they reach Postgres: one does the work, the
    // other is skipped (or, if it came second, finds nothing left to do).
    plans.push(await lapsedPlan(), await lapsedPlan());
    const together = await Promise.all([api.scan(), other.scan()]);
    expect(together.map((r) => r.opened).sort()).toEqual([0, 4]);
    expect(await openFlags()).toBe(10);

    // And deterministically: hold the first one inside its transaction (a session keeps
    // the flags table share-locked, so its UPDATE waits) and start the second meanwhile.
    const blocker = new Client({ connectionString: ctx.database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE follow_up_flags IN SHARE MODE');
      const first = api.scan();
      await waitFor(
        async () =>
          (
            await blocker.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND objid = $1
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
              [FOLLOW_UP_SCAN_LOCK_KEY],
            )
          ).rows[0].n > 0,
        { what: 'the first scan to hold the scan lock' },
      );
      const second = await other.scan();
      expect(second).toMatchObject({ skipped: true, opened: 0, closed: 0 });
      await blocker.query('COMMIT');
      expect((await first).skipped).toBe(false);
    } finally {
      await blocker.end();
    }
  });
});
