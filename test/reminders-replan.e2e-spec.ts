import type { INestApplicationContext } from '@nestjs/common';
import { DateTime } from 'luxon';
import { createTestContext, factories, waitFor, type TestContext } from '@app/testing';
import { createWorkerApp } from '../apps/worker/src/bootstrap';

describe('changing the reminder policy', () => {
  let ctx: TestContext;
  let worker: INestApplicationContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    worker = await createWorkerApp(ctx.config);
  });
  afterAll(async () => {
    await worker.close();
    await ctx.close();
  });

  it('re-plans the pending reminders of every future visit (a worker job); confirmations stay', async () => {
    const f = factories(ctx.db);
    const location = await f.location({ timezone: 'America/Chicago' });
    const provider = await f.provider(
      { locationId: location.id, roles: ['therapist'] },
      { weekdays: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' },
    );
    const desk = (await ctx.tokenFor('front_desk')).token;
    const admin = (await ctx.tokenFor('admin')).token;
    const visits: string[] = [];
    for (const days of [10, 11]) {
      const patient = await f.patient({ consentSms: true, consentEmail: true });
      const start = DateTime.now()
        .setZone('America/Chicago')
        .plus({ days })
        .set({ hour: 11, minute: 0, second: 0, millisecond: 0 });
      const res = await ctx.request('POST', '/appointments', {
        token: desk,
        body: {
          patientId: patient.id,
          providerId: provider.id,
          visitType: 'THERAPY',
          startsAt: start.toISO(),
        },
      });
      expect(res.status).toBe(201);
      visits.push(res.body.appointment.id);
    }
    const offsets = async (id: string) =>
      (
        await ctx.db.query<{ o: number; channel: string }[]>(
          `SELECT offset_minutes AS o, channel FROM reminders WHERE appointment_id = $1 AND kind = 'reminder' AND status = 'pending' ORDER BY 1 DESC, 2`,
          [id],
        )
      ).map((r) => `${r.o}/${r.channel}`);
    expect(await offsets(visits[0])).toEqual(['4320/email', '1440/email', '1440/sms', '120/sms']);

    const put = await ctx.request('PUT', '/settings/reminders', {
      token: admin,
      body: {
        offsets: [{ minutesBefore: 2880, channels: ['sms'] }],
        quietHours: { start: '21:00', end: '08:00' },
      },
    });
    expect(put.status).toBe(200);
    for (const id of visits) {
      await waitFor(async () => (await offsets(id)).join() === '2880/sms', {
        what: `visit ${id} re-planned`,
      });
    }
    // The confirmation is not a reminder: it stays as it was.
    const [{ n }] = await ctx.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM reminders WHERE appointment_id = ANY($1) AND kind = 'confirmation' AND status <> 'cancelled'`,
      [visits],
    );
    expect(n).toBe(2);
  });
});
