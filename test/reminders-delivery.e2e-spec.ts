import type { INestApplicationContext } from '@nestjs/common';
import { DateTime } from 'luxon';
import {
  createTestContext,
  dumpRedis,
  factories,
  startSmsGateway,
  startSmtpSink,
  waitFor,
  type TestContext,
} from '@app/testing';
import { createWorkerApp } from '../apps/worker/src/bootstrap';

/** A zone where it is late morning now, so a visit a few minutes ahead is in working and waking hours. */
function middayZone(): string {
  const zones = [
    'Pacific/Honolulu',
    'America/Los_Angeles',
    'America/Sao_Paulo',
    'America/New_York',
    'Europe/London',
    'Europe/Berlin',
    'Asia/Kolkata',
    'Asia/Tokyo',
    'Australia/Sydney',
    'Pacific/Auckland',
  ];
  const zone = zones.find((z) => {
    const hour = DateTime.now().setZone(z).hour;
    return hour >= 10 && hour < 16;
  });
  if (!zone) throw new Error('no zone at midday: extend the list');
  return zone;
}

interface Row {
  kind: string;
  channel: string;
  status: string;
  planned_for: Date;
  send_at: Date;
  sent_at: Date | null;
  transport_message_id: string | null;
}

describe('reminder delivery end to end: real SMTP server, local SMS gateway, real worker', () => {
  let ctx: TestContext;
  let worker: INestApplicationContext;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let sms: Awaited<ReturnType<typeof startSmsGateway>>;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    sms = await startSmsGateway();
    ctx = await createTestContext({
      env: {
        EMAIL_TRANSPORT: 'smtp',
        SMTP_URL: smtp.url,
        SMS_TRANSPORT: 'http',
        SMS_GATEWAY_URL: sms.url,
        SMS_ACCOUNT_SID: 'AC0000test',
        SMS_AUTH_TOKEN: 'secret-token',
        SMS_FROM: '+15550000000',
        REMINDER_BACKOFF_MS: '200',
      },
    });
    worker = await createWorkerApp(ctx.config);
  });
  afterAll(async () => {
    await worker.close();
    await ctx.close();
    await smtp.close();
    await sms.close();
  });

  it('delivers on time through both channels; a cancelled visit gets nothing; a moved one only for its new time; Redis holds no PHI', async () => {
    const zone = middayZone();
    const f = factories(ctx.db);
    const location = await f.location({
      timezone: zone,
      name: 'Harbor Clinic',
      address: '1 Quay Street',
      phone: '+1 555 0199',
    });
    const provider = await f.provider(
      { locationId: location.id, roles: ['therapist'] },
      { weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' },
    );
    const admin = (await ctx.tokenFor('admin')).token;
    const desk = (await ctx.tokenFor('front_desk')).token;
    const policy = await ctx.request('PUT', '/settings/reminders', {
      token: admin,
      body: {
        offsets: [
          { minutesBefore: 2, channels: ['email', 'sms'] },
          { minutesBefore: 1, channels: ['sms'] },
        ],
        quietHours: { start: '23:00', end: '05:00' },
      },
    });
    expect(policy.status).toBe(200);

    const [ana, bettina, carl] = await Promise.all(
      [
        ['Anastasia', 'Quenby', '+15550101001', 'anastasia.q@example.com'],
        ['Bettina', 'Rowntree', '+15550101002', 'bettina.r@example.com'],
        ['Carlisle', 'Stroud', '+15550101003', 'carlisle.s@example.com'],
      ].map(([firstName, lastName, phone, email]) =>
        f.patient({ firstName, lastName, phone, email, consentSms: true, consentEmail: true }),
      ),
    );
    const start = DateTime.now().plus({ seconds: 150 }).startOf('second');
    const book = async (patientId: string) => {
      const res = await ctx.request('POST', '/appointments', {
        token: desk,
        body: { patientId, providerId: provider.id, visitType: 'THERAPY', startsAt: start.toISO() },
      });
      expect(res.status).toBe(201);
      return res.body.appointment.id as string;
    };
    const a = await book(ana.id);
    const providerB = await f.provider(
      { locationId: location.id, roles: ['therapist'] },
      { weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' },
    );
    const bRes = await ctx.request('POST', '/appointments', {
      token: desk,
      body: {
        patientId: bettina.id,
        providerId: providerB.id,
        visitType: 'THERAPY',
        startsAt: start.toISO(),
      },
    });
    const b = bRes.body.appointment.id as string;
    expect(
      (
        await ctx.request('POST', `/appointments/${b}/cancel`, {
          token: desk,
          body: { reason: 'changed plans' },
        })
      ).status,
    ).toBe(200);
    const providerC = await f.provider(
      { locationId: location.id, roles: ['therapist'] },
      { weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' },
    );
    const cRes = await ctx.request('POST', '/appointments', {
      token: desk,
      body: {
        patientId: carl.id,
        providerId: providerC.id,
        visitType: 'THERAPY',
        startsAt: start.toISO(),
      },
    });
    const c = cRes.body.appointment.id as string;
    const newStart = start.plus({ seconds: 30 });
    expect(
      (
        await ctx.request('POST', `/appointments/${c}/reschedule`, {
          token: desk,
          body: { startsAt: newStart.toISO() },
        })
      ).status,
    ).toBe(200);

    const rows = (id: string) =>
      ctx.db.query<Row[]>(
        `SELECT kind, channel, status, planned_for, send_at, sent_at, transport_message_id FROM reminders WHERE appointment_id = $1`,
        [id],
      );
    await waitFor(
      async () => {
        const [ra, rc] = await Promise.all([rows(a), rows(c)]);
        const sentA = ra.filter((r) => r.status === 'sent' && r.kind === 'reminder').length;
        const sentC = rc.filter((r) => r.status === 'sent' && r.kind === 'reminder').length;
        return sentA === 3 && sentC === 3;
      },
      { timeoutMs: 200_000, intervalMs: 500, what: 'all reminders of A and C to be sent' },
    );

    // A: confirmation + 2 min (email, sms) + 1 min (sms), through the real servers.
    const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));
    const smsTo = (phone: string) => sms.messages.filter((m) => m.form.To === phone);
    expect(mailsTo('anastasia.q@example.com')).toHaveLength(2);
    expect(smsTo('+15550101001')).toHaveLength(2);
    const localTime = start.setZone(zone).setLocale('en-US').toFormat('h:mm a');
    for (const text of [
      ...mailsTo('anastasia.q@example.com').map((m) => m.text),
      ...smsTo('+15550101001').map((m) => m.form.Body ?? ''),
    ]) {
      expect(text).toContain('Anastasia');
      expect(text).toContain(localTime);
      expect(text).toContain('Harbor Clinic');
      expect(text).not.toMatch(/therapy|psych|medication|THERAPY/i);
    }
    expect(sms.messages[0].authorization).toBe(
      `Basic ${Buffer.from('AC0000test:secret-token').toString('base64')}`,
    );
    expect(sms.messages[0].path).toBe('/2010-04-01/Accounts/AC0000test/Messages.json');

    // B was cancelled before its send times: no reminder went out (a confirmation may have).
    expect(smsTo('+15550101002')).toHaveLength(0);
    expect(
      (await rows(b)).filter((r) => r.kind === 'reminder').every((r) => r.status === 'cancelled'),
    ).toBe(true);

    // C: reminders only for the new time.
    const rc = await rows(c);
    expect(
      rc
        .filter((r) => r.kind === 'reminder' && r.status === 'sent')
        .every((r) => r.planned_for.getTime() === newStart.toMillis()),
    ).toBe(true);
    expect(
      rc
        .filter((r) => r.kind === 'reminder' && r.planned_for.getTime() === start.toMillis())
        .every((r) => r.status === 'cancelled'),
    ).toBe(true);
    const newLocal = newStart.setZone(zone).setLocale('en-US').toFormat('h:mm a');
    expect(smsTo('+15550101003').every((m) => (m.form.Body ?? '').includes(newLocal))).toBe(true);

    // Lateness: sent time − planned send time, for the note on the issue.
    const sent = [...(await rows(a)), ...rc].filter(
      (r) => r.status === 'sent' && r.kind === 'reminder',
    );
    const lateness = sent
      .map((r) => r.sent_at!.getTime() - r.send_at.getTime())
      .sort((x, y) => x - y);
    process.stdout.write(
      `reminder lateness ms (n=${lateness.length}): min ${lateness[0]} p50 ${lateness[Math.floor(lateness.length / 2)]} max ${lateness[lateness.length - 1]}\n`,
    );
    expect(lateness.every((ms) => ms >= -2_000)).toBe(true);

    // Nothing in Redis names a patient.
    const dump = await dumpRedis(ctx.config.REDIS_URL, ctx.config.QUEUE_PREFIX);
    expect(dump.keys).toBeGreaterThan(0);
    for (const secret of [
      'Anastasia',
      'Quenby',
      'Bettina',
      'Rowntree',
      'Carlisle',
      'Stroud',
      '5550101001',
      '5550101002',
      '5550101003',
      'example.com',
    ]) {
      expect({ secret, found: dump.text.includes(secret) }).toEqual({ secret, found: false });
    }
  }, 240_000);
});
