import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { AppointmentEntity, TimeOffEntity, WorkingBlockEntity } from '@app/database';
import { countQueries } from '@app/testing';
import { clinic, ZONE, type Clinic } from './scheduling-fixture';

interface SlotBody {
  items: {
    startsAt: string;
    endsAt: string;
    providerId: string;
    withinDueWindow: boolean | null;
  }[];
  nextCursor: string | null;
  dueOn: string | null;
}

describe('GET /slots', () => {
  let c: Clinic;
  beforeAll(async () => {
    c = await clinic();
  });
  afterAll(() => c.ctx.close());

  const slots = (query: string, token = c.frontDesk) =>
    c.ctx.request<SlotBody>('GET', `/slots?${query}`, { token });

  it('answers from a fixed number of queries, whatever the range or the number of providers', async () => {
    await slots(`visitType=MED_CHECK&providerId=${c.prescriberId}&from=2027-02-15&to=2027-02-21`); // warms the visit-type cache
    const patient = await c.f.patient();
    const oneWeek = await countQueries(() =>
      slots(
        `visitType=MED_CHECK&providerId=${c.prescriberId}&patientId=${patient.id}&from=2027-02-15&to=2027-02-21&limit=200`,
      ),
    );
    const twelveWeeks = await countQueries(() =>
      slots(
        `visitType=MED_CHECK&providerId=${c.prescriberId}&patientId=${patient.id}&from=2027-02-15&to=2027-05-09&limit=200`,
      ),
    );
    await c.f.provider({ locationId: c.locationId, roles: ['prescriber'] });
    await c.f.provider({ locationId: c.locationId, roles: ['prescriber'] });
    const everyone = await countQueries(() =>
      slots(
        `visitType=MED_CHECK&locationId=${c.locationId}&patientId=${patient.id}&from=2027-02-15&to=2027-05-09&limit=200`,
      ),
    );
    expect(twelveWeeks.result.status).toBe(200);
    expect(twelveWeeks.result.body.items).toHaveLength(200);
    expect(twelveWeeks.queries).toBe(oneWeek.queries);
    expect(everyone.queries).toBe(twelveWeeks.queries);
    expect(twelveWeeks.queries).toBeLessThanOrEqual(5);
    // The note on the issue quotes this figure.
    process.stdout.write(`slot search queries (12 weeks, with patient): ${twelveWeeks.queries}\n`);
  });

  it('never offers a start that POST /appointments then refuses for working time or conflicts', async () => {
    const provider = await c.f.provider({ locationId: c.locationId, roles: ['prescriber'] });
    const busyPatient = await c.f.patient();
    const at = (local: string) => DateTime.fromISO(local, { zone: ZONE });
    await c.ctx.db.getRepository(AppointmentEntity).insert([
      {
        patientId: busyPatient.id,
        providerId: provider.id,
        locationId: c.locationId,
        visitType: 'MED_CHECK',
        startsAt: at('2027-02-16T10:10').toJSDate(),
        endsAt: at('2027-02-16T10:40').toJSDate(),
      },
      {
        patientId: busyPatient.id,
        providerId: provider.id,
        locationId: c.locationId,
        visitType: 'MED_CHECK',
        startsAt: at('2027-02-17T13:00').toJSDate(),
        endsAt: at('2027-02-17T13:30').toJSDate(),
        status: 'cancelled',
        cancelReason: 'x',
      },
    ]);
    await c.ctx.db.getRepository(TimeOffEntity).insert({
      providerId: provider.id,
      startsAt: at('2027-02-18T12:00').toJSDate(),
      endsAt: at('2027-02-19T12:00').toJSDate(),
      reason: 'out',
    });
    await c.ctx.request('PUT', `/locations/${c.locationId}/closures`, {
      token: c.admin,
      body: ['2027-02-22'],
    });

    const res = await slots(
      `visitType=PSYCH_EVAL&providerId=${provider.id}&from=2027-02-15&to=2027-02-23&limit=200`,
    );
    expect(res.status).toBe(200);
    const offered = res.body.items.map((s) => DateTime.fromISO(s.startsAt, { setZone: true }));
    const local = offered.map((s) => s.setZone(ZONE));
    expect(local.every((s) => s.minute % 15 === 0)).toBe(true);
    expect(
      local.every((s) => s.hour >= 9 && s.plus({ minutes: 60 }) <= s.set({ hour: 17, minute: 0 })),
    ).toBe(true);
    expect(local.some((s) => s.toISODate() === '2027-02-22')).toBe(false); // closed
    expect(local.some((s) => s >= at('2027-02-18T11:01') && s < at('2027-02-19T12:00'))).toBe(
      false,
    ); // time off
    expect(local.some((s) => s > at('2027-02-16T09:10') && s < at('2027-02-16T10:40'))).toBe(false); // busy 10:10–10:40
    expect(local.some((s) => s.equals(at('2027-02-17T13:00')))).toBe(true); // a cancelled visit frees its slot
    expect(local[0].toISO()).toBe(at('2027-02-15T09:00').toISO()); // now, on the grid

    // Book a set of non-overlapping offered starts: every one must succeed.
    let freeFrom = 0;
    const picks = offered.filter((s) =>
      s.toMillis() >= freeFrom ? ((freeFrom = s.toMillis() + 60 * 60_000), true) : false,
    );
    expect(picks.length).toBeGreaterThan(20);
    for (const start of picks) {
      const patient = await c.f.patient();
      const booked = await c.ctx.request('POST', '/appointments', {
        token: c.frontDesk,
        body: {
          patientId: patient.id,
          providerId: provider.id,
          visitType: 'PSYCH_EVAL',
          startsAt: start.toISO(),
        },
      });
      expect({ start: start.toISO(), status: booked.status, code: booked.body.code }).toEqual({
        start: start.toISO(),
        status: 201,
        code: undefined,
      });
    }
  });

  it("with a patient: leaves out the patient's own visits and med checks too soon for the cadence", async () => {
    const patient = await c.f.patient();
    await c.f.carePlan({
      patientId: patient.id,
      providerId: c.prescriberId,
      track: 'medication',
      intervalWeeks: 6,
      startsOn: '2026-12-01',
    });
    const seen = DateTime.fromISO('2027-02-08T10:00', { zone: ZONE });
    const other = await c.f.provider({ locationId: c.locationId, roles: ['prescriber'] }, false);
    await c.ctx.db.getRepository(AppointmentEntity).insert({
      patientId: patient.id,
      providerId: other.id,
      locationId: c.locationId,
      visitType: 'MED_CHECK',
      startsAt: seen.toJSDate(),
      endsAt: seen.plus({ minutes: 30 }).toJSDate(),
      status: 'completed',
    });
    const res = await slots(
      `visitType=MED_CHECK&providerId=${c.prescriberId}&patientId=${patient.id}&from=2027-02-15&to=2027-04-30&limit=200`,
    );
    expect(res.status).toBe(200);
    expect(res.body.dueOn).toBe('2027-03-22');
    const first = DateTime.fromISO(res.body.items[0].startsAt, { setZone: true });
    expect(first.toISODate()).toBe('2027-03-08'); // 4 weeks after 2027-02-08
    expect(res.body.items[0].withinDueWindow).toBe(false);
    const nearDue = await slots(
      `visitType=MED_CHECK&providerId=${c.prescriberId}&patientId=${patient.id}&from=2027-03-22&to=2027-03-22&limit=200`,
    );
    expect(nearDue.body.items.length).toBeGreaterThan(0);
    expect(nearDue.body.items.every((s) => s.withinDueWindow === true)).toBe(true);
  });

  it('pages with a cursor and caps the range at 92 days', async () => {
    const first = await slots(
      `visitType=THERAPY&providerId=${c.therapistId}&from=2027-03-01&to=2027-03-05&limit=5`,
    );
    expect(first.body.items).toHaveLength(5);
    const second = await slots(
      `visitType=THERAPY&providerId=${c.therapistId}&from=2027-03-01&to=2027-03-05&limit=5&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items[0].startsAt > first.body.items[4].startsAt).toBe(true);
    const forged = Buffer.from(JSON.stringify(['2027-03-01', c.therapistId])).toString('base64url');
    const refused = await slots(
      `visitType=THERAPY&providerId=${c.therapistId}&from=2027-03-01&to=2027-03-05&limit=5&cursor=${forged}`,
    );
    expect(refused.status).toBe(400);
    const tooWide = await slots(
      `visitType=THERAPY&providerId=${c.therapistId}&from=2027-03-01&to=2027-07-01`,
    );
    expect(tooWide.status).toBe(400);
    expect((tooWide.body as unknown as { errors: { field: string }[] }).errors[0].field).toBe('to');
    // 2027-03-01 through 2027-05-31 is 92 days (across the spring-forward change); a day more is not.
    const widest = `visitType=THERAPY&providerId=${c.therapistId}&from=2027-03-01`;
    expect((await slots(`${widest}&to=2027-05-31`)).status).toBe(200);
    expect((await slots(`${widest}&to=2027-06-01`)).status).toBe(400);
    expect((await slots(`${widest}T09:00:00-05:00&to=2027-06-01T10:00:00-04:00`)).status).toBe(200);
    expect((await slots(`${widest}T09:00:00-05:00&to=2027-06-01T10:01:00-04:00`)).status).toBe(400);
    expect((await slots(`visitType=NOPE_TYPE&providerId=${c.therapistId}`)).status).toBe(400);
  });

  it("pages through several providers' starts in (start, provider) order, each start once", async () => {
    const location = await c.f.location({ timezone: ZONE });
    const hours = [
      { start: '09:00', end: '11:00' },
      { start: '09:30', end: '11:00' },
      { start: '10:00', end: '12:00' },
    ];
    for (const h of hours)
      await c.f.provider({ locationId: location.id, roles: ['prescriber'] }, h);
    const query = `visitType=MED_CHECK&locationId=${location.id}&from=2027-03-01&to=2027-03-02`;
    const whole = await slots(`${query}&limit=200`);
    expect(whole.body.nextCursor).toBeNull();
    const key = (s: SlotBody['items'][number]) => [Date.parse(s.startsAt), s.providerId] as const;
    const keys = whole.body.items.map(key);
    expect(keys.length).toBe(2 * (7 + 5 + 7));
    const sorted = [...keys].sort(
      (a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0),
    );
    expect(keys).toEqual(sorted);

    const paged: SlotBody['items'] = [];
    let cursor: string | null = null;
    do {
      const page: { body: SlotBody } = await slots(
        `${query}&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      paged.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(whole.body.items);
  });

  it('writes each start and end with the offset of its own local time across a DST change', async () => {
    const provider = await c.f.provider(
      { locationId: c.locationId, roles: ['prescriber'] },
      { weekdays: [7], start: '00:30', end: '03:00' },
    );
    const res = await slots(
      `visitType=MED_CHECK&providerId=${provider.id}&from=2027-11-07&to=2027-11-07&limit=200`,
    );
    expect(res.status).toBe(200);
    // 00:30–03:00 on fall-back day: 01:00–02:00 happens twice (EDT, then EST).
    expect(res.body.items.map((s) => [s.startsAt, s.endsAt])).toEqual([
      ['2027-11-07T00:30:00.000-04:00', '2027-11-07T01:00:00.000-04:00'],
      ['2027-11-07T00:45:00.000-04:00', '2027-11-07T01:15:00.000-04:00'],
      ['2027-11-07T01:00:00.000-04:00', '2027-11-07T01:30:00.000-04:00'],
      ['2027-11-07T01:15:00.000-04:00', '2027-11-07T01:45:00.000-04:00'],
      ['2027-11-07T01:30:00.000-04:00', '2027-11-07T01:00:00.000-05:00'],
      ['2027-11-07T01:45:00.000-04:00', '2027-11-07T01:15:00.000-05:00'],
      ['2027-11-07T01:00:00.000-05:00', '2027-11-07T01:30:00.000-05:00'],
      ['2027-11-07T01:15:00.000-05:00', '2027-11-07T01:45:00.000-05:00'],
      ['2027-11-07T01:30:00.000-05:00', '2027-11-07T02:00:00.000-05:00'],
      ['2027-11-07T01:45:00.000-05:00', '2027-11-07T02:15:00.000-05:00'],
      ['2027-11-07T02:00:00.000-05:00', '2027-11-07T02:30:00.000-05:00'],
      ['2027-11-07T02:15:00.000-05:00', '2027-11-07T02:45:00.000-05:00'],
      ['2027-11-07T02:30:00.000-05:00', '2027-11-07T03:00:00.000-05:00'],
    ]);
  });

  it('reads busy time and closures at the edges of the range, in zones far from UTC', async () => {
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      const location = await c.f.location({ timezone: zone });
      // Monday 2027-03-01 … Wednesday 2027-03-03, working 00:00–01:00 and 23:00–24:00.
      const provider = await c.f.provider(
        { locationId: location.id, roles: ['prescriber'] },
        false,
      );
      await c.ctx.db.getRepository(WorkingBlockEntity).insert(
        [1, 2, 3].flatMap((weekday) =>
          [
            ['00:00', '01:00'],
            ['23:00', '24:00'],
          ].map(([startTime, endTime]) => ({
            providerId: provider.id,
            weekday,
            startTime,
            endTime,
            locationId: location.id,
            modality: 'any' as const,
          })),
        ),
      );
      const local = (iso: string) => DateTime.fromISO(iso, { zone });
      const patient = await c.f.patient();
      await c.ctx.db.getRepository(AppointmentEntity).insert(
        ['2027-03-01T00:00', '2027-03-02T23:30'].map((at) => ({
          patientId: patient.id,
          providerId: provider.id,
          locationId: location.id,
          visitType: 'MED_CHECK',
          startsAt: local(at).toJSDate(),
          endsAt: local(at).plus({ minutes: 30 }).toJSDate(),
        })),
      );
      await c.ctx.request('PUT', `/locations/${location.id}/closures`, {
        token: c.admin,
        body: ['2027-03-03'],
      });
      const res = await slots(
        `visitType=MED_CHECK&providerId=${provider.id}&from=2027-03-01&to=2027-03-03&limit=200`,
      );
      expect(res.status).toBe(200);
      const starts = res.body.items.map((s) =>
        DateTime.fromISO(s.startsAt).setZone(zone).toFormat('MM-dd HH:mm'),
      );
      expect(starts).toEqual([
        '03-01 00:30',
        '03-01 23:00',
        '03-01 23:15',
        '03-01 23:30',
        '03-02 00:00',
        '03-02 00:15',
        '03-02 00:30',
        '03-02 23:00',
      ]);
    }
  });

  it('names the provider first when neither the provider nor the patient exists', async () => {
    const [provider, patient] = [randomUUID(), randomUUID()];
    const res = await slots(
      `visitType=MED_CHECK&providerId=${provider}&patientId=${patient}&from=2027-03-01&to=2027-03-05`,
    );
    expect(res.status).toBe(404);
    expect((res.body as unknown as { detail: string }).detail).toBe(
      `provider ${provider} does not exist`,
    );
    const noPatient = await slots(
      `visitType=MED_CHECK&providerId=${c.prescriberId}&patientId=${patient}&from=2027-03-01&to=2027-03-05`,
    );
    expect((noPatient.body as unknown as { detail: string }).detail).toBe(
      `patient ${patient} does not exist`,
    );
  });

  it('a therapist has no slots for a prescriber visit type', async () => {
    const res = await slots(
      `visitType=MED_CHECK&providerId=${c.therapistId}&from=2027-03-01&to=2027-03-05`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });
});
