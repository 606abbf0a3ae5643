import { DateTime } from 'luxon';
import { clinic, ny, ZONE, type Clinic } from './scheduling-fixture';

describe('therapy series across daylight-saving changes', () => {
  let c: Clinic;
  let therapistId: string;

  beforeAll(async () => {
    c = await clinic(DateTime.fromISO('2027-02-01T09:00', { zone: ZONE }));
    // Works every day, 00:00–24:00 local, so only DST and the rules decide.
    const therapist = await c.f.provider(
      { locationId: c.locationId, roles: ['therapist'] },
      { weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' },
    );
    therapistId = therapist.id;
  });
  afterAll(() => c.ctx.close());

  const create = (body: Record<string, unknown>) =>
    c.ctx.request('POST', '/appointment-series', { token: c.frontDesk, body });

  it('a biweekly 10:00 series from 2027-02-23 stays at 10:00 local through the March and November changes', async () => {
    const patient = await c.f.patient();
    const res = await create({
      patientId: patient.id,
      providerId: therapistId,
      visitType: 'THERAPY',
      firstStartsAt: ny('2027-02-23T10:00'),
      frequency: 'biweekly',
      count: 26,
    });
    expect(res.status).toBe(201);
    expect(res.body.skipped).toEqual([]);
    const starts = res.body.booked.map((a: { startsAt: string }) =>
      DateTime.fromISO(a.startsAt, { setZone: true }),
    );
    expect(starts).toHaveLength(26);
    expect(starts[0].toISODate()).toBe('2027-02-23');
    expect(starts[25].toISODate()).toBe('2028-02-08');
    for (const start of starts) {
      const local = start.setZone(ZONE);
      expect(local.toFormat('HH:mm ccc')).toBe('10:00 Tue');
    }
    // Both offsets occur, so the series really crossed the changes.
    expect(new Set(starts.map((s: DateTime) => s.offset))).toEqual(new Set([-300, -240]));
    const march = starts.find((s: DateTime) => s.toISODate() === '2027-03-23')!;
    expect(march.toUTC().toISO()).toBe('2027-03-23T14:00:00.000Z');
    const november = starts.find((s: DateTime) => s.toISODate() === '2027-11-16')!;
    expect(november.toUTC().toISO()).toBe('2027-11-16T15:00:00.000Z');
  });

  it('a weekly 02:30 series reports 2027-03-14 (02:30 does not exist) instead of booking 03:30', async () => {
    const patient = await c.f.patient();
    const res = await create({
      patientId: patient.id,
      providerId: therapistId,
      visitType: 'THERAPY',
      firstStartsAt: ny('2027-03-07T02:30'),
      frequency: 'weekly',
      count: 3,
    });
    expect(res.status).toBe(201);
    expect(res.body.booked.map((a: { startsAt: string }) => a.startsAt)).toEqual([
      '2027-03-07T02:30:00.000-05:00',
      '2027-03-21T02:30:00.000-04:00',
    ]);
    expect(res.body.skipped).toEqual([
      expect.objectContaining({
        startsAt: null,
        localDate: '2027-03-14',
        localTime: '02:30',
        code: 'NONEXISTENT_LOCAL_TIME',
      }),
    ]);
  });

  it('skips occurrences that break a rule, with their code, and books the rest in one go', async () => {
    const patient = await c.f.patient();
    const blocker = await c.f.patient();
    const clash = await c.ctx.request('POST', '/appointments', {
      token: c.frontDesk,
      body: {
        patientId: blocker.id,
        providerId: c.therapistId,
        visitType: 'THERAPY',
        startsAt: ny('2027-02-16T11:00'),
      },
    });
    expect(clash.status).toBe(201);
    await c.ctx.request('PUT', `/locations/${c.locationId}/closures`, {
      token: c.admin,
      body: ['2027-02-23'],
    });
    const res = await create({
      patientId: patient.id,
      providerId: c.therapistId,
      visitType: 'THERAPY',
      firstStartsAt: ny('2027-02-09T11:00'),
      frequency: 'weekly',
      until: ny('2027-03-02T11:00'),
    });
    expect(res.status).toBe(201);
    expect(res.body.booked.map((a: { startsAt: string }) => a.startsAt.slice(0, 10))).toEqual([
      '2027-02-09',
      '2027-03-02',
    ]);
    expect(
      res.body.skipped.map((s: { localDate: string; code: string }) => `${s.localDate} ${s.code}`),
    ).toEqual(['2027-02-16 SLOT_TAKEN', '2027-02-23 CLINIC_CLOSED']);
    const cancelled = await c.ctx.request(
      'POST',
      `/appointment-series/${res.body.seriesId}/cancel`,
      { token: c.frontDesk, body: { from: ny('2027-02-20T00:00'), reason: 'Moving away' } },
    );
    expect(cancelled.status).toBe(200);
    expect(
      cancelled.body.cancelled.map((a: { startsAt: string }) => a.startsAt.slice(0, 10)),
    ).toEqual(['2027-03-02']);
  });

  it('refuses more than 52 occurrences or more than a year', async () => {
    const patient = await c.f.patient();
    const base = {
      patientId: patient.id,
      providerId: therapistId,
      visitType: 'THERAPY',
      firstStartsAt: ny('2027-04-06T10:00'),
      frequency: 'weekly',
    };
    expect((await create({ ...base, count: 53 })).status).toBe(400);
    const tooLong = await create({ ...base, until: ny('2028-05-01T10:00') });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].field).toBe('until');
  });
});
