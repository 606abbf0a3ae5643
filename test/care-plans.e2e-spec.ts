import { DateTime } from 'luxon';
import { AppointmentEntity } from '@app/database';
import { clinic, ny, ZONE, type Clinic } from './scheduling-fixture';

describe('care plans', () => {
  let c: Clinic;
  beforeAll(async () => {
    c = await clinic();
  });
  afterAll(() => c.ctx.close());

  it('opens a medication plan for a transferred patient: due date from lastVisitOn, status overdue', async () => {
    const patient = await c.f.patient();
    const res = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.prescriberToken,
      body: {
        track: 'medication',
        providerId: c.prescriberId,
        intervalWeeks: 6,
        lastVisitOn: '2026-12-14',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      track: 'medication',
      intervalWeeks: 6,
      dueOn: '2027-01-25',
      status: 'overdue',
      state: 'active',
      nextAppointmentAt: null,
    });

    const booked = await c.ctx.request('POST', '/appointments', {
      token: c.frontDesk,
      body: {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'MED_CHECK',
        startsAt: ny('2027-02-17T10:00'),
      },
    });
    expect(booked.status).toBe(201);
    expect(booked.body.appointment.carePlanId).toBe(res.body.id);
    const [plan] = (
      await c.ctx.request('GET', `/patients/${patient.id}/care-plans`, { token: c.frontDesk })
    ).body;
    expect(plan).toMatchObject({
      status: 'on_track',
      nextAppointmentAt: '2027-02-17T10:00:00.000-05:00',
    });
  });

  it('due date follows the last completed prescriber visit', async () => {
    const patient = await c.f.patient();
    const plan = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.admin,
      body: {
        track: 'medication',
        providerId: c.prescriberId,
        intervalWeeks: 8,
        startsOn: '2026-10-01',
      },
    });
    const seen = DateTime.fromISO('2027-01-04T10:00', { zone: ZONE });
    await c.ctx.db.getRepository(AppointmentEntity).insert({
      patientId: patient.id,
      providerId: (await c.f.provider({ locationId: c.locationId }, false)).id,
      locationId: c.locationId,
      visitType: 'MED_CHECK',
      carePlanId: plan.body.id,
      startsAt: seen.toJSDate(),
      endsAt: seen.plus({ minutes: 30 }).toJSDate(),
      status: 'completed',
    });
    const res = await c.ctx.request('GET', `/care-plans/${plan.body.id}`, { token: c.admin });
    expect(res.body).toMatchObject({
      dueOn: '2027-03-01',
      status: 'on_track',
      lastVisitAt: '2027-01-04T10:00:00.000-05:00',
    });
  });

  it('one open plan per track; both tracks with different providers (combined care)', async () => {
    const patient = await c.f.patient();
    const med = { track: 'medication', providerId: c.prescriberId, intervalWeeks: 4 };
    const created = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.admin,
      body: med,
    });
    expect(created.status).toBe(201);
    const again = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.admin,
      body: med,
    });
    expect(again.status).toBe(409);
    const therapy = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.admin,
      body: { track: 'therapy', providerId: c.therapistId, frequency: 'biweekly' },
    });
    expect(therapy.status).toBe(201);
    expect(therapy.body.dueOn).toBe('2027-03-01');
  });

  it('refuses a therapist as the responsible provider of a medication plan, and bad cadence fields', async () => {
    const patient = await c.f.patient();
    const wrong = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.admin,
      body: { track: 'medication', providerId: c.therapistId, intervalWeeks: 6 },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('PROVIDER_NOT_ELIGIBLE');
    const outOfRange = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.admin,
      body: { track: 'medication', providerId: c.prescriberId, intervalWeeks: 13 },
    });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.errors[0].field).toBe('intervalWeeks');
    const missing = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.admin,
      body: { track: 'therapy', providerId: c.therapistId },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('frequency');
  });

  it('changes keep their history; an ended plan cannot change', async () => {
    const patient = await c.f.patient();
    const plan = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.prescriberToken,
      body: { track: 'medication', providerId: c.prescriberId, intervalWeeks: 12 },
    });
    const changed = await c.ctx.request('PATCH', `/care-plans/${plan.body.id}`, {
      token: c.prescriberToken,
      body: { intervalWeeks: 4, note: 'Dose increased' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.intervalWeeks).toBe(4);
    await c.ctx.request('PATCH', `/care-plans/${plan.body.id}`, {
      token: c.prescriberToken,
      body: { status: 'ended', note: 'Transferred out' },
    });
    const history = await c.ctx.request('GET', `/care-plans/${plan.body.id}/history`, {
      token: c.admin,
    });
    expect(
      history.body.map(
        (h: { intervalWeeks: number; status: string }) => `${h.intervalWeeks}/${h.status}`,
      ),
    ).toEqual(['12/active', '4/active', '4/ended']);
    expect(
      (
        await c.ctx.request('PATCH', `/care-plans/${plan.body.id}`, {
          token: c.prescriberToken,
          body: { intervalWeeks: 6 },
        })
      ).status,
    ).toBe(409);
  });

  it('a clinician opens plans only for themselves, and the front desk not at all', async () => {
    const patient = await c.f.patient();
    const forOther = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.prescriberToken,
      body: { track: 'therapy', providerId: c.therapistId, frequency: 'weekly' },
    });
    expect(forOther.status).toBe(403);
    const desk = await c.ctx.request('POST', `/patients/${patient.id}/care-plans`, {
      token: c.frontDesk,
      body: { track: 'therapy', providerId: c.therapistId, frequency: 'weekly' },
    });
    expect(desk.status).toBe(403);
  });
});
