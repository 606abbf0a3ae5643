import { DateTime } from 'luxon';
import type { PatientEntity } from '@app/database';
import { ReminderDeliveryBatcher, ReminderSender } from '@app/reminders';
import {
  countQueries,
  createTestContext,
  factories,
  startSmsGateway,
  type TestContext,
} from '@app/testing';

interface ReminderSpec {
  channel?: 'email' | 'sms';
  patient?: Partial<PatientEntity>;
  visitStatus?: 'scheduled' | 'cancelled';
  /** The visit was moved this many minutes after the reminder was planned. */
  movedMinutes?: number;
  dueInSeconds?: number;
}

/** One reminder (by default a consented email, due now) for its own visit an hour ahead. */
async function reminder(ctx: TestContext, spec: ReminderSpec = {}): Promise<string> {
  const f = factories(ctx.db);
  const location = await f.location({ timezone: 'UTC' });
  const provider = await f.provider({ locationId: location.id, roles: ['therapist'] }, false);
  const patient = await f.patient(spec.patient);
  const planned = DateTime.utc().plus({ hours: 1 }).startOf('second');
  const starts = planned.plus({ minutes: spec.movedMinutes ?? 0 });
  const status = spec.visitStatus ?? 'scheduled';
  const [visit] = await ctx.db.query<{ id: string }[]>(
    `INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, starts_at, ends_at, status, cancel_reason)
     VALUES ($1, $2, $3, 'THERAPY', $4, $5, $6, $7) RETURNING id`,
    [
      patient.id,
      provider.id,
      location.id,
      starts.toJSDate(),
      starts.plus({ minutes: 50 }).toJSDate(),
      status,
      status === 'cancelled' ? 'test' : null,
    ],
  );
  const [row] = await ctx.db.query<{ id: string }[]>(
    `INSERT INTO reminders (appointment_id, patient_id, kind, offset_minutes, channel, planned_for, send_at)
     VALUES ($1, $2, 'reminder', 60, $3, $4, now() + make_interval(secs => $5)) RETURNING id`,
    [visit.id, patient.id, spec.channel ?? 'email', planned.toJSDate(), spec.dueInSeconds ?? 0],
  );
  return row.id;
}

const statuses = async (ctx: TestContext, ids: string[]) => {
  const rows = await ctx.db.query<{ id: string; status: string; reason: string | null }[]>(
    `SELECT id, status, reason FROM reminders WHERE id = ANY($1)`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, { status: r.status, reason: r.reason }]));
  return ids.map((id) => byId.get(id));
};

/** Messages recorded per reminder (the log transport's delivery record). */
const messageCounts = async (ctx: TestContext, ids: string[]) => {
  const rows = await ctx.db.query<{ reminder_id: string; n: number }[]>(
    `SELECT reminder_id, count(*)::int AS n FROM messages WHERE reminder_id = ANY($1) GROUP BY reminder_id`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.reminder_id, r.n]));
  return ids.map((id) => byId.get(id) ?? 0);
};

describe('reminder delivery in batches (log transport)', () => {
  let ctx: TestContext;
  let sender: ReminderSender;
  beforeAll(async () => {
    ctx = await createTestContext();
    sender = ctx.app.get(ReminderSender);
  });
  afterAll(() => ctx.close());

  it('decides every reminder of a mixed batch as it would alone, in one transaction of a few statements', async () => {
    const deliverable = await reminder(ctx);
    const alreadySent = await reminder(ctx);
    expect(await sender.deliver(alreadySent)).toBe('sent');
    const cancelledVisit = await reminder(ctx, { visitStatus: 'cancelled' });
    const noConsent = await reminder(ctx, { patient: { consentEmail: false } });
    const movedVisit = await reminder(ctx, { movedMinutes: 30 });
    const notYetDue = await reminder(ctx, { dueInSeconds: 600 });
    const sms = await reminder(ctx, { channel: 'sms' });
    const ids = [
      deliverable,
      alreadySent,
      cancelledVisit,
      noConsent,
      movedVisit,
      notYetDue,
      sms,
      deliverable, // asked twice: delivered once
    ];

    const { result: outcomes, queries } = await countQueries(() =>
      Promise.all(sender.deliverMany(ids)),
    );

    expect(outcomes).toEqual([
      'sent',
      'not_pending',
      'cancelled',
      'skipped',
      'cancelled',
      'early',
      'sent',
      'not_pending',
    ]);
    // Lock, settle, insert the messages, mark them sent: whatever the batch size.
    expect(queries).toBe(4);
    expect(await statuses(ctx, ids.slice(0, 7))).toEqual([
      { status: 'sent', reason: null },
      { status: 'sent', reason: null },
      { status: 'cancelled', reason: 'visit_not_active' },
      { status: 'skipped', reason: 'no_consent' },
      { status: 'cancelled', reason: 'visit_moved' },
      { status: 'pending', reason: null },
      { status: 'sent', reason: null },
    ]);
    expect(await messageCounts(ctx, ids.slice(0, 7))).toEqual([1, 1, 0, 0, 0, 0, 1]);
    const [row] = await ctx.db.query<{ transport: string; attempts: number; id: string }[]>(
      `SELECT r.transport, r.attempts, m.id FROM reminders r JOIN messages m ON r.transport_message_id = 'log-' || m.id WHERE r.id = $1`,
      [deliverable],
    );
    expect(row).toMatchObject({ transport: 'log', attempts: 1 });

    // Delivering the same batch again changes nothing.
    expect(await Promise.all(sender.deliverMany(ids))).toEqual([
      'not_pending',
      'not_pending',
      'not_pending',
      'not_pending',
      'not_pending',
      'early',
      'not_pending',
      'not_pending',
    ]);
    expect(await messageCounts(ctx, ids.slice(0, 7))).toEqual([1, 1, 0, 0, 0, 0, 1]);
  });

  it('two batches racing over the same reminders send each one once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await reminder(ctx));
    const forward = sender.deliverMany(ids);
    const backward = sender.deliverMany([...ids].reverse());
    const [a, b] = await Promise.all([Promise.all(forward), Promise.all(backward)]);
    b.reverse();
    for (let i = 0; i < ids.length; i++)
      expect([a[i], b[i]].sort()).toEqual(['not_pending', 'sent']);
    expect(await messageCounts(ctx, ids)).toEqual(ids.map(() => 1));
    expect((await statuses(ctx, ids)).every((s) => s?.status === 'sent')).toBe(true);
  });

  it('a batch whose transaction fails rejects every caller and commits nothing', async () => {
    const fine = await reminder(ctx);
    const clash = await reminder(ctx);
    // A message already recorded for a pending reminder: the batch insert hits the unique index.
    await ctx.db.query(
      `INSERT INTO messages (reminder_id, patient_id, channel, recipient, body)
       SELECT id, patient_id, channel, 'x@example.com', 'x' FROM reminders WHERE id = $1`,
      [clash],
    );
    const results = await Promise.allSettled(sender.deliverMany([fine, clash]));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await statuses(ctx, [fine, clash])).toEqual([
      { status: 'pending', reason: null },
      { status: 'pending', reason: null },
    ]);
    expect(await messageCounts(ctx, [fine])).toEqual([0]);
  });

  it('the batcher gathers the deliveries asked for at the same moment into one transaction', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await reminder(ctx));
    const batcher = ctx.app.get(ReminderDeliveryBatcher);
    const { result, queries } = await countQueries(() =>
      Promise.all(ids.map((id) => batcher.deliver(id))),
    );
    expect(result).toEqual(ids.map(() => 'sent'));
    expect(queries).toBe(3); // lock, insert the messages, mark them sent
    expect(await messageCounts(ctx, ids)).toEqual(ids.map(() => 1));
  });
});

describe('reminder delivery in batches, SMS through a gateway', () => {
  let gateway: Awaited<ReturnType<typeof startSmsGateway>>;
  let ctx: TestContext;
  beforeAll(async () => {
    gateway = await startSmsGateway();
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

  it('logs the emails in the batch transaction and sends each SMS once after commit', async () => {
    const email = await reminder(ctx);
    const sms = [
      await reminder(ctx, { channel: 'sms', patient: { phone: '+15550200001' } }),
      await reminder(ctx, { channel: 'sms', patient: { phone: '+15550200002' } }),
    ];
    const noSmsConsent = await reminder(ctx, { channel: 'sms', patient: { consentSms: false } });
    const ids = [email, ...sms, noSmsConsent];
    expect(await Promise.all(ctx.app.get(ReminderSender).deliverMany(ids))).toEqual([
      'sent',
      'sent',
      'sent',
      'skipped',
    ]);
    expect(gateway.messages.map((m) => m.form.To).sort()).toEqual(['+15550200001', '+15550200002']);
    const rows = await ctx.db.query<{ id: string; status: string; transport: string | null }[]>(
      `SELECT id, status, transport FROM reminders WHERE id = ANY($1)`,
      [ids],
    );
    const transport = new Map(rows.map((r) => [r.id, r.transport]));
    expect(ids.map((id) => transport.get(id))).toEqual(['log', 'http', 'http', null]);
    expect(await messageCounts(ctx, ids)).toEqual([1, 0, 0, 0]);
  });
});
