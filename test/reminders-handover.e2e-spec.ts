import { Redis } from 'ioredis';
import { FixedClock } from '@app/domain';
import { jobIds, QUEUES } from '@app/queue';
import { ReminderQueue } from '@app/reminders';
import { createTestContext, factories, startPrivateRedis } from '@app/testing';
import { NOW, ny } from './scheduling-fixture';

describe('a booking hands its reminder jobs to Redis without waiting for them', () => {
  it('answers while Redis holds every write back; shutting down waits until the jobs are in', async () => {
    // A Redis of its own: CLIENT PAUSE stops every client of the server.
    const redis = await startPrivateRedis();
    const ctx = await createTestContext({
      clock: new FixedClock(NOW.toUTC()),
      env: { REDIS_URL: redis.url },
    });
    const peek = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    try {
      const f = factories(ctx.db);
      const location = await f.location({ timezone: 'America/New_York' });
      const therapist = await f.provider({ locationId: location.id, roles: ['therapist'] });
      const patient = await f.patient({ consentSms: true, consentEmail: true });
      const { token } = await ctx.tokenFor('front_desk');

      // Writes wait for 5 s; reads (EXISTS below) still answer.
      await peek.call('CLIENT', 'PAUSE', '5000', 'WRITE');
      const res = await ctx.request<{ appointment: { id: string } }>('POST', '/appointments', {
        token,
        body: {
          patientId: patient.id,
          providerId: therapist.id,
          visitType: 'THERAPY',
          startsAt: ny('2027-02-16T10:00'),
        },
      });
      expect(res.status).toBe(201);
      const reminders = await ctx.db.query<{ id: string }[]>(
        `SELECT id FROM reminders WHERE appointment_id = $1 AND status = 'pending'`,
        [res.body.appointment.id],
      );
      expect(reminders.length).toBeGreaterThan(1); // the confirmation and reminders
      const jobKeys = reminders.map(
        (r) => `${ctx.config.QUEUE_PREFIX}:${QUEUES.reminders}:${jobIds.sendReminder(r.id)}`,
      );
      // The answer came while no job could be written yet.
      expect(await peek.exists(...jobKeys)).toBe(0);

      // Shutting down (the hook app.close() runs before connections close) waits for the
      // jobs handed over: they go in when the pause ends.
      await ctx.app.get(ReminderQueue).beforeApplicationShutdown();
      expect(await peek.exists(...jobKeys)).toBe(jobKeys.length);
    } finally {
      peek.disconnect();
      await ctx.close();
      await redis.stop();
    }
  });
});
