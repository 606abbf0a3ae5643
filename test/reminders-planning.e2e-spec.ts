import { DateTime } from 'luxon';
import { clinic, ny, ZONE, type Clinic } from './scheduling-fixture';

interface Reminder {
  kind: string;
  offsetMinutes: number;
  channel: string;
  status: string;
  reason: string | null;
  sendAt: string;
  plannedFor: string;
}

describe('reminder planning (no worker: rows only)', () => {
  let c: Clinic;
  let therapistId: string;
  beforeAll(async () => {
    c = await clinic(DateTime.fromISO('2027-02-15T10:00', { zone: ZONE }));
    // Early starts every day, so 08:30 visits are bookable.
    therapistId = (
      await c.f.provider(
        { locationId: c.locationId, roles: ['therapist'] },
        { weekdays: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '18:00' },
      )
    ).id;
  });
  afterAll(() => c.ctx.close());

  async function book(patientId: string, startsAt: string) {
    const res = await c.ctx.request('POST', '/appointments', {
      token: c.frontDesk,
      body: { patientId, providerId: therapistId, visitType: 'THERAPY', startsAt },
    });
    expect(res.status).toBe(201);
    return res.body.appointment.id as string;
  }
  const reminders = async (id: string) =>
    (
      await c.ctx.request<Reminder[]>('GET', `/appointments/${id}/reminders`, {
        token: c.frontDesk,
      })
    ).body;
  const local = (iso: string) => DateTime.fromISO(iso).setZone(ZONE).toFormat('yyyy-MM-dd HH:mm');
  const summary = (rows: Reminder[]) =>
    rows
      .map(
        (r) =>
          `${r.kind} ${r.offsetMinutes / 60}h ${r.channel} ${r.status}${r.reason ? `(${r.reason})` : ''} @${local(r.sendAt)}`,
      )
      .sort();

  it('08:30 visit 5 days ahead, default policy, full consent: 4 reminders + confirmation; the 2 h SMS moves to 20:59 the evening before', async () => {
    const patient = await c.f.patient({ consentSms: true, consentEmail: true });
    const id = await book(patient.id, ny('2027-02-20T08:30'));
    expect(summary(await reminders(id))).toEqual(
      [
        'confirmation 0h email pending @2027-02-15 10:00',
        'reminder 72h email pending @2027-02-17 08:30',
        'reminder 24h email pending @2027-02-19 08:30',
        'reminder 24h sms pending @2027-02-19 08:30',
        'reminder 2h sms pending @2027-02-19 20:59',
      ].sort(),
    );
  });

  it('across the March DST change the planned times are right on the local clock', async () => {
    const patient = await c.f.patient();
    // Monday after the spring-forward Sunday 2027-03-14.
    const id = await book(patient.id, ny('2027-03-15T08:30'));
    const rows = (await reminders(id)).filter((r) => r.kind === 'reminder');
    expect(summary(rows)).toEqual(
      [
        'reminder 72h email pending @2027-03-12 08:30',
        'reminder 24h email pending @2027-03-14 08:30',
        'reminder 24h sms pending @2027-03-14 08:30',
        'reminder 2h sms pending @2027-03-14 20:59',
      ].sort(),
    );
    const sms24 = rows.find((r) => r.channel === 'sms' && r.offsetMinutes === 1440)!;
    expect(DateTime.fromISO(sms24.sendAt).setZone(ZONE).offset).toBe(-240); // EDT: after the change
  });

  it('with SMS consent only, the email rows are skipped with reason no_consent', async () => {
    const patient = await c.f.patient({ consentSms: true, consentEmail: false });
    const id = await book(patient.id, ny('2027-02-20T10:00'));
    const rows = await reminders(id);
    expect(rows.filter((r) => r.channel === 'email').map((r) => `${r.status}:${r.reason}`)).toEqual(
      ['skipped:no_consent', 'skipped:no_consent'],
    );
    expect(
      rows
        .filter((r) => r.channel === 'sms' && r.kind === 'reminder')
        .every((r) => r.status === 'pending'),
    ).toBe(true);
    expect(rows.find((r) => r.kind === 'confirmation')).toMatchObject({
      channel: 'sms',
      status: 'pending',
    });
  });

  it('offsets already past at booking time are skipped, not sent late', async () => {
    const patient = await c.f.patient();
    const id = await book(patient.id, ny('2027-02-16T11:00'));
    const rows = (await reminders(id)).filter((r) => r.kind === 'reminder');
    expect(rows.filter((r) => r.offsetMinutes === 4320).map((r) => r.reason)).toEqual([
      'past_offset',
    ]);
    expect(rows.filter((r) => r.offsetMinutes === 120).map((r) => r.status)).toEqual(['pending']);
  });

  it('cancelling cancels the pending reminders in the same transaction; rescheduling plans for the new time only', async () => {
    const patient = await c.f.patient();
    const cancelled = await book(patient.id, ny('2027-02-22T10:00'));
    await c.ctx.request('POST', `/appointments/${cancelled}/cancel`, {
      token: c.frontDesk,
      body: { reason: 'sick' },
    });
    expect((await reminders(cancelled)).filter((r) => r.status === 'pending')).toEqual([]);

    const other = await c.f.patient();
    const moved = await book(other.id, ny('2027-02-23T10:00'));
    await c.ctx.request('POST', `/appointments/${moved}/reschedule`, {
      token: c.frontDesk,
      body: { startsAt: ny('2027-02-24T14:00') },
    });
    const rows = await reminders(moved);
    const pending = rows.filter((r) => r.status === 'pending');
    expect(new Set(pending.map((r) => local(r.plannedFor)))).toEqual(new Set(['2027-02-24 14:00']));
    expect(
      rows
        .filter((r) => local(r.plannedFor) === '2027-02-23 10:00' && r.kind === 'reminder')
        .every((r) => r.status === 'cancelled'),
    ).toBe(true);
  });

  it("changing a patient's consent re-plans their pending reminders", async () => {
    const patient = await c.f.patient({ consentSms: false, consentEmail: false });
    const id = await book(patient.id, ny('2027-02-25T10:00'));
    expect((await reminders(id)).filter((r) => r.status === 'pending')).toEqual([]);
    const patch = await c.ctx.request('PATCH', `/patients/${patient.id}`, {
      token: c.frontDesk,
      body: { consent: { sms: true, email: false } },
    });
    expect(patch.status).toBe(200);
    const pending = (await reminders(id)).filter(
      (r) => r.status === 'pending' && r.kind === 'reminder',
    );
    expect(pending.map((r) => `${r.offsetMinutes / 60}h ${r.channel}`).sort()).toEqual([
      '24h sms',
      '2h sms',
    ]);
  });

  it('validates the policy: distinct positive offsets, known channels, HH:mm quiet hours', async () => {
    const current = await c.ctx.request('GET', '/settings/reminders', { token: c.frontDesk });
    expect(current.body.quietHours).toEqual({ start: '21:00', end: '08:00' });
    const put = (body: unknown) =>
      c.ctx.request('PUT', '/settings/reminders', { token: c.admin, body });
    const dup = await put({
      offsets: [
        { minutesBefore: 60, channels: ['sms'] },
        { minutesBefore: 60, channels: ['email'] },
      ],
      quietHours: { start: '21:00', end: '08:00' },
    });
    expect(dup.status).toBe(400);
    expect(dup.body.errors[0].field).toBe('offsets[1].minutesBefore');
    expect(
      (
        await put({
          offsets: [{ minutesBefore: -5, channels: ['sms'] }],
          quietHours: { start: '21:00', end: '08:00' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await put({
          offsets: [{ minutesBefore: 60, channels: ['fax'] }],
          quietHours: { start: '21:00', end: '08:00' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await put({
          offsets: [{ minutesBefore: 60, channels: ['sms'] }],
          quietHours: { start: '9pm', end: '08:00' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await c.ctx.request('PUT', '/settings/reminders', {
          token: c.frontDesk,
          body: current.body,
        })
      ).status,
    ).toBe(403);
  });
});
