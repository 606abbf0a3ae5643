import { DateTime } from 'luxon';
import { JobProducer } from '@app/queue';
import { ReminderPlanner, ReminderReconciler } from '@app/reminders';
import { createTestContext, factories, type TestContext } from '@app/testing';

/** `n` pending SMS reminders due tomorrow, inserted without jobs (as if Redis lost them). */
async function pendingWithoutJobs(ctx: TestContext, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const start = DateTime.utc().plus({ days: 2, hours: i });
    const { reminderId } = await factories(ctx.db).pendingReminder(start, start.minus({ days: 1 }));
    ids.push(reminderId);
  }
  return ids;
}

describe('the reminder reconciler', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  it('creates the jobs Redis lacks, and only those', async () => {
    const ids = await pendingWithoutJobs(ctx, 3);
    const reconciler = ctx.app.get(ReminderReconciler);
    const producer = ctx.app.get(JobProducer);
    const jobsInRedis = async () => {
      const jobs = await Promise.all(ids.map((id) => producer.queue('reminders').getJob(id)));
      return jobs.filter((job) => job !== undefined).length;
    };
    expect(await producer.missing('send-reminder', ids)).toEqual(ids);

    expect(await reconciler.reconcile()).toEqual({ enqueued: 3, requeued: 0, failed: 0 });
    expect(await jobsInRedis()).toBe(3);
    expect(await producer.missing('send-reminder', ids)).toEqual([]);

    // Every job is there: nothing is offered again.
    expect(await reconciler.reconcile()).toEqual({ enqueued: 0, requeued: 0, failed: 0 });

    // One job lost: that one comes back, with its delay.
    await producer.remove('send-reminder', [ids[1]]);
    expect(await jobsInRedis()).toBe(2);
    expect(await reconciler.reconcile()).toEqual({ enqueued: 1, requeued: 0, failed: 0 });
    const job = await producer.queue('reminders').getJob(ids[1]);
    expect(job?.data).toEqual({ reminderId: ids[1] });
    expect(job?.opts.delay).toBeGreaterThan(23 * 3_600_000);
  });

  it('settles claims that never reported back: log pending again, a real channel failed and flagged', async () => {
    const [viaLog, viaGateway] = await pendingWithoutJobs(ctx, 2);
    await ctx.db.query(
      `UPDATE reminders SET status = 'sending', claimed_at = now() - interval '1 hour',
              transport = CASE WHEN id = $1 THEN 'log' ELSE 'http' END
        WHERE id = ANY($2)`,
      [viaLog, [viaLog, viaGateway]],
    );
    const result = await ctx.app.get(ReminderReconciler).reconcile();
    expect(result).toMatchObject({ requeued: 1, failed: 1 });
    const rows = await ctx.db.query<{ id: string; status: string; reason: string | null }[]>(
      `SELECT id, status, reason FROM reminders WHERE id = ANY($1) ORDER BY id = $2 DESC`,
      [[viaLog, viaGateway], viaLog],
    );
    expect(rows).toEqual([
      { id: viaLog, status: 'pending', reason: null },
      { id: viaGateway, status: 'failed', reason: 'interrupted: delivery unknown' },
    ]);
    const flags = await ctx.db.query<{ kind: string }[]>(
      `SELECT f.kind FROM follow_up_flags f JOIN reminders r ON r.appointment_id = f.appointment_id
        WHERE r.id = $1 AND f.closed_at IS NULL`,
      [viaGateway],
    );
    expect(flags).toEqual([{ kind: 'reminder_failed' }]);
  });

  it("cancelling a visit's reminders names each one, so their jobs can go", async () => {
    const ids = await pendingWithoutJobs(ctx, 2);
    const [{ appointment_id: visit }] = await ctx.db.query<{ appointment_id: string }[]>(
      `SELECT appointment_id FROM reminders WHERE id = $1`,
      [ids[0]],
    );
    const cancelled = await ctx.db.transaction((em) =>
      ctx.app.get(ReminderPlanner).cancel(em, [visit], 'visit cancelled'),
    );
    expect(cancelled).toEqual([ids[0]]);
  });
});
