import { DateTime } from 'luxon';
import { AppointmentEntity, WorkingBlockEntity } from '@app/database';
import { clinic, ny, ZONE, type Clinic } from './scheduling-fixture';

describe('booking rules over HTTP', () => {
  let c: Clinic;

  beforeAll(async () => {
    c = await clinic();
  });
  afterAll(() => c.ctx.close());

  const book = (
    token: string,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) => c.ctx.request('POST', '/appointments', { token, body, headers });

  /** A completed visit in the past, written straight to the table (history, not a booking). */
  async function pastVisit(
    patientId: string,
    visitType: string,
    local: string,
    minutes: number,
    carePlanId?: string,
  ) {
    const start = DateTime.fromISO(local, { zone: ZONE });
    // Seen by a prescriber of its own, so history never collides with the bookings under test.
    const seenBy = await c.f.provider({ locationId: c.locationId, roles: ['prescriber'] }, false);
    await c.ctx.db.getRepository(AppointmentEntity).insert({
      patientId,
      providerId: seenBy.id,
      locationId: c.locationId,
      visitType,
      carePlanId: carePlanId ?? null,
      startsAt: start.toJSDate(),
      endsAt: start.plus({ minutes }).toJSDate(),
      status: 'completed',
    });
  }

  it('books a valid visit: 201, duration from the visit type, location offset in the answer', async () => {
    const patient = await c.f.patient();
    const res = await book(c.frontDesk, {
      patientId: patient.id,
      providerId: c.prescriberId,
      visitType: 'PSYCH_EVAL',
      startsAt: '2027-02-17T15:00:00Z',
    });
    expect(res.status).toBe(201);
    expect(res.body.appointment.startsAt).toBe('2027-02-17T10:00:00.000-05:00');
    expect(res.body.appointment.endsAt).toBe('2027-02-17T11:00:00.000-05:00');
    expect(res.body.appointment.status).toBe('scheduled');
    expect(res.body.warnings).toEqual([]);
  });

  it("a visit at the provider's other location answers in that location's zone", async () => {
    const chicago = await c.f.location({ timezone: 'America/Chicago' });
    const provider = await c.f.provider({ locationId: c.locationId, roles: ['prescriber'] }, false);
    await c.ctx.db.getRepository(WorkingBlockEntity).insert({
      providerId: provider.id,
      weekday: 3,
      startTime: '09:00',
      endTime: '17:00',
      locationId: chicago.id,
      modality: 'any',
    });
    const patient = await c.f.patient();
    const res = await book(c.frontDesk, {
      patientId: patient.id,
      providerId: provider.id,
      visitType: 'PSYCH_EVAL',
      startsAt: '2027-02-17T16:00:00Z',
    });
    expect(res.status).toBe(201);
    expect(res.body.appointment).toMatchObject({
      locationId: chicago.id,
      timezone: 'America/Chicago',
      startsAt: '2027-02-17T10:00:00.000-06:00',
    });
    const read = await c.ctx.request('GET', `/appointments/${res.body.appointment.id}`, {
      token: c.frontDesk,
    });
    expect(read.body).toEqual(res.body.appointment);
  });

  it('refuses an instant without an offset (ambiguous around DST) with 400', async () => {
    const patient = await c.f.patient();
    const res = await book(c.frontDesk, {
      patientId: patient.id,
      providerId: c.prescriberId,
      visitType: 'PSYCH_EVAL',
      startsAt: '2027-02-17T10:00:00',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('startsAt');
  });

  describe('each 422 code, from a real request', () => {
    it('IN_PAST', async () => {
      const patient = await c.f.patient();
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'PSYCH_EVAL',
        startsAt: ny('2027-02-12T10:00'),
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('IN_PAST');
    });

    it('PROVIDER_NOT_ELIGIBLE: a therapist cannot do a med check', async () => {
      const patient = await c.f.patient();
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: c.therapistId,
        visitType: 'MED_CHECK',
        startsAt: ny('2027-02-17T10:00'),
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PROVIDER_NOT_ELIGIBLE');
    });

    it('OUTSIDE_WORKING_HOURS', async () => {
      const patient = await c.f.patient();
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'PSYCH_EVAL',
        startsAt: ny('2027-02-17T16:30'),
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('OUTSIDE_WORKING_HOURS');
    });

    it('PROVIDER_TIME_OFF', async () => {
      const provider = await c.f.provider({ locationId: c.locationId, roles: ['prescriber'] });
      const off = await c.ctx.request('POST', `/providers/${provider.id}/time-off`, {
        token: c.frontDesk,
        body: {
          startsAt: ny('2027-02-18T00:00'),
          endsAt: ny('2027-02-19T00:00'),
          reason: 'Conference',
        },
      });
      expect(off.status).toBe(201);
      const patient = await c.f.patient();
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: provider.id,
        visitType: 'PSYCH_EVAL',
        startsAt: ny('2027-02-18T10:00'),
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PROVIDER_TIME_OFF');
    });

    it('CLINIC_CLOSED', async () => {
      const location = await c.f.location({ timezone: ZONE });
      const provider = await c.f.provider({ locationId: location.id, roles: ['prescriber'] });
      expect(
        (
          await c.ctx.request('PUT', `/locations/${location.id}/closures`, {
            token: c.admin,
            body: ['2027-02-19'],
          })
        ).status,
      ).toBe(200);
      const patient = await c.f.patient();
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: provider.id,
        visitType: 'PSYCH_EVAL',
        startsAt: ny('2027-02-19T10:00'),
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('CLINIC_CLOSED');
    });

    it('CADENCE_TOO_SOON', async () => {
      const patient = await c.f.patient();
      await pastVisit(patient.id, 'MED_CHECK', '2027-02-01T10:00', 30);
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'MED_CHECK',
        startsAt: ny('2027-02-17T10:00'),
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('CADENCE_TOO_SOON');
      expect(res.body.violations[0].detail).toMatch(/2027-03-01/);
    });

    it('PATIENT_INACTIVE', async () => {
      const patient = await c.f.patient({ status: 'discharged' });
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'PSYCH_EVAL',
        startsAt: ny('2027-02-17T11:00'),
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PATIENT_INACTIVE');
    });

    it('lists every broken rule at once, code = the first', async () => {
      const patient = await c.f.patient({ status: 'discharged' });
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: c.therapistId,
        visitType: 'MED_CHECK',
        startsAt: ny('2027-02-17T07:00'),
      });
      expect(res.status).toBe(422);
      const codes = res.body.violations.map((v: { code: string }) => v.code);
      expect(codes).toEqual(['PATIENT_INACTIVE', 'PROVIDER_NOT_ELIGIBLE', 'OUTSIDE_WORKING_HOURS']);
      expect(res.body.code).toBe('PATIENT_INACTIVE');
    });
  });

  describe('med check cadence and its override', () => {
    let patientId: string;
    beforeAll(async () => {
      const patient = await c.f.patient();
      patientId = patient.id;
      const plan = await c.f.carePlan({
        patientId,
        providerId: c.prescriberId,
        track: 'medication',
        intervalWeeks: 6,
      });
      await pastVisit(patientId, 'MED_CHECK', '2027-02-01T10:00', 30, plan.id);
    });
    const request = { visitType: 'MED_CHECK', startsAt: ny('2027-02-18T10:00') };

    it('front desk: CADENCE_TOO_SOON, and may not override', async () => {
      const res = await book(c.frontDesk, { ...request, patientId, providerId: c.prescriberId });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('CADENCE_TOO_SOON');
      const override = await book(c.frontDesk, {
        ...request,
        patientId,
        providerId: c.prescriberId,
        overrideReason: 'side effects',
      });
      expect(override.status).toBe(403);
    });

    it('another clinician: 403', async () => {
      const other = await c.f.provider({ locationId: c.locationId, roles: ['prescriber'] });
      const { token } = await c.ctx.tokenFor('clinician', other.id);
      expect(
        (
          await book(token, {
            ...request,
            patientId,
            providerId: c.prescriberId,
            overrideReason: 'side effects',
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await book(token, {
            ...request,
            patientId,
            providerId: other.id,
            overrideReason: 'side effects',
          })
        ).status,
      ).toBe(403);
    });

    it("the patient's prescriber: 201 with the override stored and audited", async () => {
      const res = await book(c.prescriberToken, {
        ...request,
        patientId,
        providerId: c.prescriberId,
        overrideReason: 'Akathisia after dose increase',
      });
      expect(res.status).toBe(201);
      expect(res.body.appointment.overrideReason).toBe('Akathisia after dose increase');
      const stored = await c.ctx.db
        .getRepository(AppointmentEntity)
        .findOneByOrFail({ id: res.body.appointment.id });
      expect(stored.overrideBy).not.toBeNull();
      const audit = await c.ctx.request('GET', `/audit?entityId=${res.body.appointment.id}`, {
        token: c.admin,
      });
      expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('override');
    });

    it('a med check more than 12 weeks after the last one books with a CADENCE_LATE warning', async () => {
      const patient = await c.f.patient();
      await pastVisit(patient.id, 'MED_CHECK', '2026-11-02T10:00', 30);
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'MED_CHECK',
        startsAt: ny('2027-02-17T14:00'),
      });
      expect(res.status).toBe(201);
      expect(res.body.warnings.map((w: { code: string }) => w.code)).toEqual(['CADENCE_LATE']);
    });

    it('a no-show does not count: the patient can be rebooked at once', async () => {
      const patient = await c.f.patient();
      await pastVisit(patient.id, 'MED_CHECK', '2026-12-01T10:00', 30);
      const missed = DateTime.fromISO('2027-02-08T10:00', { zone: ZONE });
      await c.ctx.db.getRepository(AppointmentEntity).insert({
        patientId: patient.id,
        providerId: (await c.f.provider({ locationId: c.locationId }, false)).id,
        locationId: c.locationId,
        visitType: 'MED_CHECK',
        startsAt: missed.toJSDate(),
        endsAt: missed.plus({ minutes: 30 }).toJSDate(),
        status: 'no_show',
      });
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'MED_CHECK',
        startsAt: ny('2027-02-17T15:00'),
      });
      expect(res.status).toBe(201);
    });
  });

  describe('Idempotency-Key', () => {
    it('same key and body → same result; another body → IDEMPOTENCY_CONFLICT', async () => {
      const patient = await c.f.patient();
      const body = {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'PSYCH_EVAL',
        startsAt: ny('2027-02-22T09:00'),
      };
      const first = await book(c.frontDesk, body, { 'idempotency-key': 'k-1' });
      const again = await book(c.frontDesk, body, { 'idempotency-key': 'k-1' });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body.appointment.id).toBe(first.body.appointment.id);
      expect(again.body).toEqual(first.body);
      const other = await book(
        c.frontDesk,
        { ...body, startsAt: ny('2027-02-22T11:00') },
        { 'idempotency-key': 'k-1' },
      );
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('IDEMPOTENCY_CONFLICT');
      expect(
        await c.ctx.db.getRepository(AppointmentEntity).countBy({ patientId: patient.id }),
      ).toBe(1);
    });

    it('concurrent retries with one key book once', async () => {
      const patient = await c.f.patient();
      const body = {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'PSYCH_EVAL',
        startsAt: ny('2027-02-22T14:00'),
      };
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          book(c.frontDesk, body, { 'idempotency-key': 'same-key' }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
      expect(new Set(results.map((r) => r.body.appointment.id)).size).toBe(1);
    });

    it('concurrent requests with one key and different bodies: one books, the others IDEMPOTENCY_CONFLICT', async () => {
      const patient = await c.f.patient();
      const results = await Promise.all(
        ['09:00', '11:00', '13:00', '15:00', '16:00'].map((time) =>
          book(
            c.frontDesk,
            {
              patientId: patient.id,
              providerId: c.prescriberId,
              visitType: 'MED_CHECK',
              startsAt: ny(`2027-03-04T${time}`),
            },
            { 'idempotency-key': 'one-key-many-bodies' },
          ),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(
        results
          .filter((r) => r.status === 409)
          .every((r) => r.body.code === 'IDEMPOTENCY_CONFLICT'),
      ).toBe(true);
      expect(
        await c.ctx.db.getRepository(AppointmentEntity).countBy({ patientId: patient.id }),
      ).toBe(1);
    });
  });

  describe('double booking', () => {
    it('answers 409 SLOT_TAKEN naming the provider or the patient', async () => {
      const [a, b] = [await c.f.patient(), await c.f.patient()];
      const at = ny('2027-02-23T10:00');
      expect(
        (
          await book(c.frontDesk, {
            patientId: a.id,
            providerId: c.prescriberId,
            visitType: 'PSYCH_EVAL',
            startsAt: at,
          })
        ).status,
      ).toBe(201);
      const provider = await book(c.frontDesk, {
        patientId: b.id,
        providerId: c.prescriberId,
        visitType: 'PSYCH_EVAL',
        startsAt: ny('2027-02-23T10:30'),
      });
      expect(provider.status).toBe(409);
      expect(provider.body).toMatchObject({ code: 'SLOT_TAKEN', conflict: 'provider' });
      const patient = await book(c.frontDesk, {
        patientId: a.id,
        providerId: c.therapistId,
        visitType: 'THERAPY',
        startsAt: ny('2027-02-23T10:15'),
      });
      expect(patient.status).toBe(409);
      expect(patient.body).toMatchObject({ code: 'SLOT_TAKEN', conflict: 'patient' });
    });
  });

  describe('lifecycle', () => {
    async function booked(local: string) {
      const patient = await c.f.patient();
      const res = await book(c.frontDesk, {
        patientId: patient.id,
        providerId: c.therapistId,
        visitType: 'THERAPY',
        startsAt: ny(local),
      });
      expect(res.status).toBe(201);
      return res.body.appointment.id as string;
    }
    const act = (id: string, action: string, body?: unknown) =>
      c.ctx.request('POST', `/appointments/${id}/${action}`, { token: c.frontDesk, body });

    it('scheduled → confirmed → checked_in → completed, only once the start has passed', async () => {
      const id = await booked('2027-02-16T10:00');
      expect((await act(id, 'confirm')).body.status).toBe('confirmed');
      expect((await act(id, 'check-in')).body.status).toBe('checked_in');
      const early = await act(id, 'complete');
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('INVALID_TRANSITION');
      c.clock.set(DateTime.fromISO('2027-02-16T10:05', { zone: ZONE }).toUTC());
      try {
        expect((await act(id, 'complete')).body.status).toBe('completed');
        expect((await act(id, 'cancel', { reason: 'too late' })).status).toBe(409);
      } finally {
        c.clock.set(DateTime.fromISO('2027-02-15T09:00', { zone: ZONE }).toUTC());
      }
    });

    it('cancel needs a reason and is late under 24 h', async () => {
      const soon = await booked('2027-02-15T15:00');
      expect((await act(soon, 'cancel', {})).status).toBe(400);
      const late = await act(soon, 'cancel', { reason: 'Patient sick' });
      expect(late.body).toMatchObject({
        status: 'cancelled',
        lateCancel: true,
        cancelReason: 'Patient sick',
      });
      const later = await booked('2027-02-19T15:00');
      expect((await act(later, 'cancel', { reason: 'Travel' })).body.lateCancel).toBe(false);
    });

    it('no-show only after the start, and it opens a no_show flag for the front desk at once', async () => {
      const id = await booked('2027-02-17T09:00');
      expect((await act(id, 'no-show')).status).toBe(409);
      c.clock.set(DateTime.fromISO('2027-02-17T09:20', { zone: ZONE }).toUTC());
      try {
        expect((await act(id, 'no-show')).body.status).toBe('no_show');
        const flags = await c.ctx.db.query<{ kind: string; closed_at: Date | null }[]>(
          `SELECT kind, closed_at FROM follow_up_flags WHERE appointment_id = $1`,
          [id],
        );
        expect(flags).toEqual([{ kind: 'no_show', closed_at: null }]);
      } finally {
        c.clock.set(DateTime.fromISO('2027-02-15T09:00', { zone: ZONE }).toUTC());
      }
    });

    it('reschedule keeps the id, re-checks the rules and frees the old time at once', async () => {
      const id = await booked('2027-02-24T10:00');
      const moved = await c.ctx.request('POST', `/appointments/${id}/reschedule`, {
        token: c.frontDesk,
        body: { startsAt: ny('2027-02-24T13:00') },
      });
      expect(moved.status).toBe(200);
      expect(moved.body.appointment.id).toBe(id);
      expect(moved.body.appointment.startsAt).toBe('2027-02-24T13:00:00.000-05:00');
      const outside = await c.ctx.request('POST', `/appointments/${id}/reschedule`, {
        token: c.frontDesk,
        body: { startsAt: ny('2027-02-24T20:00') },
      });
      expect(outside.status).toBe(422);
      expect(outside.body.code).toBe('OUTSIDE_WORKING_HOURS');
      const other = await c.f.patient();
      const oldSlot = await book(c.frontDesk, {
        patientId: other.id,
        providerId: c.therapistId,
        visitType: 'THERAPY',
        startsAt: ny('2027-02-24T10:00'),
      });
      expect(oldSlot.status).toBe(201);
      const clash = await c.ctx.request('POST', `/appointments/${id}/reschedule`, {
        token: c.frontDesk,
        body: { startsAt: ny('2027-02-24T10:30') },
      });
      expect(clash.status).toBe(409);
      expect(clash.body.code).toBe('SLOT_TAKEN');
    });
  });

  it('a clinician sees and changes only their own schedule', async () => {
    const patient = await c.f.patient();
    const res = await book(c.frontDesk, {
      patientId: patient.id,
      providerId: c.therapistId,
      visitType: 'THERAPY',
      startsAt: ny('2027-02-25T10:00'),
    });
    const id = res.body.appointment.id;
    expect(
      (await c.ctx.request('GET', `/appointments/${id}`, { token: c.prescriberToken })).status,
    ).toBe(403);
    expect(
      (await c.ctx.request('POST', `/appointments/${id}/confirm`, { token: c.prescriberToken }))
        .status,
    ).toBe(403);
    expect(
      (
        await c.ctx.request('GET', `/appointments?providerId=${c.therapistId}`, {
          token: c.prescriberToken,
        })
      ).status,
    ).toBe(403);
    const mine = await c.ctx.request('GET', '/appointments?limit=200', {
      token: c.prescriberToken,
    });
    expect(
      mine.body.items.every((a: { providerId: string }) => a.providerId === c.prescriberId),
    ).toBe(true);
  });

  it('GET /appointments pages in start order with a cursor', async () => {
    const first = await c.ctx.request('GET', `/appointments?providerId=${c.therapistId}&limit=2`, {
      token: c.frontDesk,
    });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const next = await c.ctx.request(
      'GET',
      `/appointments?providerId=${c.therapistId}&limit=2&cursor=${first.body.nextCursor}`,
      {
        token: c.frontDesk,
      },
    );
    expect(next.status).toBe(200);
    expect(next.body.items[0].startsAt >= first.body.items[1].startsAt).toBe(true);
    expect(next.body.items.map((a: { id: string }) => a.id)).not.toContain(first.body.items[1].id);
  });

  it("GET /schedule lists a local day's visits in order with patient names", async () => {
    const [p1, p2] = [
      await c.f.patient({ firstName: 'Zed' }),
      await c.f.patient({ firstName: 'Amy' }),
    ];
    await book(c.frontDesk, {
      patientId: p1.id,
      providerId: c.therapistId,
      visitType: 'THERAPY',
      startsAt: ny('2027-03-01T14:00'),
    });
    await book(c.frontDesk, {
      patientId: p2.id,
      providerId: c.therapistId,
      visitType: 'THERAPY',
      startsAt: ny('2027-03-01T09:00'),
    });
    const res = await c.ctx.request(
      'GET',
      `/schedule?date=2027-03-01&providerId=${c.therapistId}`,
      { token: c.frontDesk },
    );
    expect(res.status).toBe(200);
    expect(res.body.map((e: { patient: { firstName: string } }) => e.patient.firstName)).toEqual([
      'Amy',
      'Zed',
    ]);
  });
});
