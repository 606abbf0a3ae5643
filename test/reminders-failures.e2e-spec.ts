import type { INestApplicationContext } from '@nestjs/common';
import { DateTime } from 'luxon';
import { ReminderReconciler, ReminderSender } from '@app/reminders';
import {
  createTestContext,
  factories,
  startSmsGateway,
  waitFor,
  type TestContext,
} from '@app/testing';
import { createWorkerApp } from '../apps/worker/src/bootstrap';

interface Flag {
  kind: string;
  appointment_id: string;
  closed_at: Date | null;
}

/** One pending SMS reminder due now, for a visit an hour ahead. */
function dueReminder(ctx: TestContext): Promise<{ reminderId: string; appointmentId: string }> {
  const now = DateTime.utc();
  return factories(ctx.db).pendingReminder(now.plus({ hours: 1 }), now);
}

describe('reminders that cannot be delivered', () => {
  const flags = (ctx: TestContext, appointmentId: string) =>
    ctx.db.query<Flag[]>(
      `SELECT kind, appointment_id, closed_at FROM follow_up_flags WHERE appointment_id = $1`,
      [appointmentId],
    );
  const row = async (ctx: TestContext, id: string) =>
    (
      await ctx.db.query<{ status: string; attempts: number; last_error: string | null }[]>(
        `SELECT status, attempts, last_error FROM reminders WHERE id = $1`,
        [id],
      )
    )[0];

  describe('a gateway that keeps failing (503)', () => {
    let gateway: Awaited<ReturnType<typeof startSmsGateway>>;
    let ctx: TestContext;
    let worker: INestApplicationContext;
    beforeAll(async () => {
      gateway = await startSmsGateway({ status: 503 });
      ctx = await createTestContext({
        env: {
          SMS_TRANSPORT: 'http',
          SMS_GATEWAY_URL: gateway.url,
          SMS_ACCOUNT_SID: 'AC1',
          SMS_AUTH_TOKEN: 't',
          SMS_FROM: '+15550000000',
          REMINDER_MAX_ATTEMPTS: '3',
          REMINDER_BACKOFF_MS: '100',
        },
      });
      worker = await createWorkerApp(ctx.config);
    });
    afterAll(async () => {
      await worker.close();
      await ctx.close();
      await gateway.close();
    });

    it('retries with backoff, then marks the reminder failed and opens a reminder_failed flag for the front desk', async () => {
      const { reminderId, appointmentId } = await dueReminder(ctx);
      await worker.get(ReminderReconciler).reconcile(); // enqueues the pending row
      await waitFor(async () => (await row(ctx, reminderId)).status === 'failed', {
        timeoutMs: 30_000,
        what: 'the reminder to fail',
      });
      expect(await row(ctx, reminderId)).toMatchObject({
        status: 'failed',
        attempts: 3,
        last_error: 'SMS gateway answered 503',
      });
      expect(gateway.messages).toHaveLength(3);
      expect(await flags(ctx, appointmentId)).toEqual([
        { kind: 'reminder_failed', appointment_id: appointmentId, closed_at: null },
      ]);
      // Delivering it again changes nothing.
      expect(await worker.get(ReminderSender).deliver(reminderId)).toBe('not_pending');
      expect(gateway.messages).toHaveLength(3);
    });
  });

  describe('a gateway that refuses the number (400)', () => {
    let gateway: Awaited<ReturnType<typeof startSmsGateway>>;
    let ctx: TestContext;
    beforeAll(async () => {
      gateway = await startSmsGateway({ status: 400 });
      ctx = await createTestContext({
        env: {
          SMS_TRANSPORT: 'http',
          SMS_GATEWAY_URL: gateway.url,
          SMS_ACCOUNT_SID: 'AC1',
          SMS_AUTH_TOKEN: 't',
          SMS_FROM: '+15550000000',
        },
      });
    });
    afterAll(async () => {
      await ctx.close();
      await gateway.close();
    });

    it('fails at once without retrying (a permanent refusal)', async () => {
      const { reminderId, appointmentId } = await dueReminder(ctx);
      expect(await ctx.app.get(ReminderSender).deliver(reminderId)).toBe('failed');
      expect(await row(ctx, reminderId)).toMatchObject({ status: 'failed', attempts: 1 });
      expect((await flags(ctx, appointmentId)).map((f) => f.kind)).toEqual(['reminder_failed']);
    });
  });

  describe('Bull Board', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await createTestContext();
    });
    afterAll(() => ctx.close());

    it('is for admins only', async () => {
      expect((await ctx.request('GET', '/admin/queues')).status).toBe(401);
      const desk = (await ctx.tokenFor('front_desk')).token;
      expect((await ctx.request('GET', '/admin/queues', { token: desk })).status).toBe(403);
      const admin = (await ctx.tokenFor('admin')).token;
      const page = await ctx.request('GET', '/admin/queues', { token: admin });
      expect(page.status).toBe(200);
      expect(String(page.body)).toContain('<html');
      const viaLink = await ctx.request('GET', `/admin/queues?token=${admin}`);
      expect(viaLink.status).toBe(200);
      expect(viaLink.headers.get('set-cookie')).toMatch(/HttpOnly/);
    });
  });
});
