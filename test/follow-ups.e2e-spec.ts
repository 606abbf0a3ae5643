import { DateTime } from 'luxon';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '@app/auth';
import { AppointmentEntity } from '@app/database';
import { FollowUpsService } from '@app/follow-ups';
import { countQueries } from '@app/testing';
import { clinic, NOW, ny, ZONE, type Clinic } from './scheduling-fixture';

/** Follow-up flags and the worklist over HTTP, with the clock pinned to Monday 2027-02-15 09:00 New York. */
describe('follow-up flags and the worklist', () => {
  let c: Clinic;
  let service: FollowUpsService;

  beforeAll(async () => {
    c = await clinic();
    service = c.ctx.app.get(FollowUpsService);
  });
  afterAll(() => c.ctx.close());

  /** A visit in the past, seen by a provider of its own so history never collides with bookings. */
  async function pastVisit(
    patientId: string,
    visitType: string,
    local: string,
    status: 'completed' | 'no_show' = 'completed',
  ): Promise<string> {
    const start = DateTime.fromISO(local, { zone: ZONE });
    const seenBy = await c.f.provider(
      { locationId: c.locationId, roles: ['prescriber', 'therapist'] },
      false,
    );
    const { identifiers } = await c.ctx.db.getRepository(AppointmentEntity).insert({
      patientId,
      providerId: seenBy.id,
      locationId: c.locationId,
      visitType,
      startsAt: start.toJSDate(),
      endsAt: start.plus({ minutes: 30 }).toJSDate(),
      status,
    });
    return String(identifiers[0]?.id);
  }

  const scan = async () => {
    const res = await c.ctx.request('POST', '/follow-ups/scan', { token: c.admin });
    expect(res.status).toBe(200);
    return res.body;
  };

  const flagsOf = (planId: string) =>
    c.ctx.db.query<
      { id: string; kind: string; due_on: string; closed_at: Date | null; close_reason: string }[]
    >(
      `SELECT id, kind, due_on, closed_at, close_reason FROM follow_up_flags WHERE care_plan_id = $1 ORDER BY kind, opened_at`,
      [planId],
    );

  const medPlan = async (intervalWeeks: number, providerId = c.prescriberId) => {
    const patient = await c.f.patient();
    const plan = await c.f.carePlan({
      patientId: patient.id,
      providerId,
      track: 'medication',
      intervalWeeks,
      startsOn: '2026-09-01',
    });
    return { patient, plan };
  };

  it('flags a medication plan last seen 9 weeks ago on a 6-week interval; booking the suggested slot closes it', async () => {
    const { patient, plan } = await medPlan(6);
    await pastVisit(patient.id, 'MED_CHECK', '2026-12-14T10:00');
    const view = await c.ctx.request('GET', `/care-plans/${plan.id}`, { token: c.admin });
    expect(view.body).toMatchObject({ status: 'overdue', dueOn: '2027-01-25' });

    const first = await scan();
    expect(first.skipped).toBe(false);
    expect(first.openedByKind.med_check_overdue).toBeGreaterThanOrEqual(1);
    expect(await flagsOf(plan.id)).toMatchObject([
      { kind: 'med_check_overdue', due_on: '2027-01-25', closed_at: null },
    ]);

    const list = await c.ctx.request('GET', '/follow-ups?kind=med_check_overdue&limit=200', {
      token: c.frontDesk,
    });
    expect(list.status).toBe(200);
    const row = list.body.items.find((i: any) => i.plan?.id === plan.id);
    expect(row).toMatchObject({
      kind: 'med_check_overdue',
      state: 'open',
      dueOn: '2027-01-25',
      daysOverdue: 21,
      patient: {
        id: patient.id,
        firstName: patient.firstName,
        lastName: patient.lastName,
        mrn: patient.mrn,
        phone: patient.phone,
        email: patient.email,
      },
      provider: { id: c.prescriberId, name: 'Dr Prescriber' },
      plan: { track: 'medication', intervalWeeks: 6, dueOn: '2027-01-25', status: 'overdue' },
      suggestion: { providerId: c.prescriberId, visitType: 'MED_CHECK' },
    });
    const suggested = DateTime.fromISO(row.suggestion.startsAt);
    expect(suggested >= NOW.plus({ hours: 1 }) && suggested <= NOW.plus({ days: 7 })).toBe(true);

    const booked = await c.ctx.request('POST', '/appointments', {
      token: c.frontDesk,
      body: {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'MED_CHECK',
        startsAt: row.suggestion.startsAt,
      },
    });
    expect(booked.status).toBe(201);

    const second = await scan();
    expect(second.closedByKind.med_check_overdue).toBeGreaterThanOrEqual(1);
    expect(await flagsOf(plan.id)).toMatchObject([
      { kind: 'med_check_overdue', close_reason: 'auto: scheduled' },
    ]);
    expect((await flagsOf(plan.id))[0]?.closed_at).not.toBeNull();

    // Running it again changes nothing.
    expect(await scan()).toMatchObject({ skipped: false, opened: 0, closed: 0 });
  });

  it('13 weeks without a visit also opens med_check_lapsed, listed before the merely overdue', async () => {
    const { patient, plan } = await medPlan(8);
    await pastVisit(patient.id, 'MED_CHECK', '2026-11-16T10:00'); // 91 days before today
    const { patient: other, plan: overdueOnly } = await medPlan(4);
    await pastVisit(other.id, 'MED_CHECK', '2026-12-07T10:00'); // 70 days: overdue, not lapsed
    await scan();
    expect((await flagsOf(plan.id)).map((f) => [f.kind, f.closed_at])).toEqual([
      ['med_check_lapsed', null],
      ['med_check_overdue', null],
    ]);
    expect((await flagsOf(overdueOnly.id)).map((f) => f.kind)).toEqual(['med_check_overdue']);

    const list = await c.ctx.request('GET', `/follow-ups?providerId=${c.prescriberId}&limit=200`, {
      token: c.admin,
    });
    const kinds: string[] = list.body.items.map((i: any) => i.kind);
    expect(kinds).toContain('med_check_lapsed');
    expect(kinds.lastIndexOf('med_check_lapsed')).toBeLessThan(kinds.indexOf('med_check_overdue'));
    const overdue = list.body.items.filter((i: any) => i.kind === 'med_check_overdue');
    const days = overdue.map((i: any) => i.daysOverdue);
    expect(days).toEqual([...days].sort((a, b) => b - a));
    expect(await scan()).toMatchObject({ opened: 0, closed: 0 });
  });

  it('a biweekly therapy plan with no session for 18 days is overdue; 17 days is still within the grace', async () => {
    const plans = [];
    for (const local of ['2027-01-28T10:00', '2027-01-29T10:00']) {
      const patient = await c.f.patient();
      const plan = await c.f.carePlan({
        patientId: patient.id,
        providerId: c.therapistId,
        track: 'therapy',
        frequency: 'biweekly',
        startsOn: '2026-10-01',
      });
      await pastVisit(patient.id, 'THERAPY', local);
      plans.push(plan);
    }
    await scan();
    expect((await flagsOf(plans[0].id)).map((f) => f.kind)).toEqual(['therapy_overdue']);
    expect(await flagsOf(plans[1].id)).toEqual([]);
    const views = await Promise.all(
      plans.map((p) => c.ctx.request('GET', `/care-plans/${p.id}`, { token: c.admin })),
    );
    expect(views.map((v) => v.body.status)).toEqual(['overdue', 'due_soon']);
  });

  it('staff resolve a flag with a note; the scan does not reopen it for the same due date', async () => {
    const { patient, plan } = await medPlan(4);
    await pastVisit(patient.id, 'MED_CHECK', '2026-12-21T10:00');
    await scan();
    const [flag] = await flagsOf(plan.id);
    const { token, userId } = await c.ctx.tokenFor('front_desk');
    const missingNote = await c.ctx.request('POST', `/follow-ups/${flag.id}/resolve`, {
      token,
      body: {},
    });
    expect(missingNote.status).toBe(400);
    const blankNote = await c.ctx.request('POST', `/follow-ups/${flag.id}/resolve`, {
      token,
      body: { note: '   ' },
    });
    expect(blankNote.status).toBe(400);
    const resolved = await c.ctx.request('POST', `/follow-ups/${flag.id}/resolve`, {
      token,
      body: { note: 'Left a voicemail; patient will call back' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      id: flag.id,
      state: 'closed',
      closeReason: 'resolved',
      closedBy: userId,
      note: 'Left a voicemail; patient will call back',
      closedAt: '2027-02-15T09:00:00.000-05:00',
    });
    const again = await c.ctx.request('POST', `/follow-ups/${flag.id}/resolve`, {
      token,
      body: { note: 'twice' },
    });
    expect(again.status).toBe(409);
    const unknown = await c.ctx.request(
      'POST',
      '/follow-ups/00000000-0000-4000-8000-000000000000/resolve',
      { token, body: { note: 'x' } },
    );
    expect(unknown.status).toBe(404);

    await scan();
    expect((await flagsOf(plan.id)).map((f) => f.close_reason)).toEqual(['resolved']);
    const closed = await c.ctx.request('GET', '/follow-ups?status=closed&limit=200', { token });
    expect(closed.body.items.find((i: any) => i.id === flag.id)?.note).toBe(
      'Left a voicemail; patient will call back',
    );
  });

  it('a no-show opens one flag with a rebooking suggestion; rebooking closes it', async () => {
    const patient = await c.f.patient();
    const plan = await c.f.carePlan({
      patientId: patient.id,
      providerId: c.therapistId,
      track: 'therapy',
      frequency: 'weekly',
      startsOn: '2027-02-01',
    });
    const missed = await pastVisit(patient.id, 'THERAPY', '2027-02-12T11:00', 'no_show');
    const db = c.ctx.app.get<DataSource>(getDataSourceToken());
    expect(
      await db.transaction((em) =>
        service.openNoShow(em, { id: missed, patientId: patient.id, carePlanId: plan.id }),
      ),
    ).toBe(true);
    expect(
      await db.transaction((em) =>
        service.openNoShow(em, { id: missed, patientId: patient.id, carePlanId: plan.id }),
      ),
    ).toBe(false);

    const list = await c.ctx.request('GET', '/follow-ups?kind=no_show', { token: c.frontDesk });
    const row = list.body.items.find((i: any) => i.appointment?.id === missed);
    expect(row).toMatchObject({
      kind: 'no_show',
      daysOverdue: 3,
      provider: { id: c.therapistId },
      appointment: { visitType: 'THERAPY', status: 'no_show' },
      suggestion: { providerId: c.therapistId, visitType: 'THERAPY' },
    });
    const rebooked = await c.ctx.request('POST', '/appointments', {
      token: c.frontDesk,
      body: {
        patientId: patient.id,
        providerId: c.therapistId,
        visitType: 'THERAPY',
        startsAt: row.suggestion.startsAt,
      },
    });
    expect(rebooked.status).toBe(201);
    await scan();
    const [flag] = await c.ctx.db.query(
      `SELECT close_reason FROM follow_up_flags WHERE appointment_id = $1`,
      [missed],
    );
    expect(flag.close_reason).toBe('auto: scheduled');
  });

  it('a failed reminder opens one flag per visit, closed when the visit is cancelled', async () => {
    const patient = await c.f.patient();
    const booked = await c.ctx.request('POST', '/appointments', {
      token: c.frontDesk,
      body: {
        patientId: patient.id,
        providerId: c.prescriberId,
        visitType: 'PSYCH_EVAL',
        startsAt: ny('2027-02-19T14:00'),
      },
    });
    expect(booked.status).toBe(201);
    const visit = booked.body.appointment;
    const db = c.ctx.app.get<DataSource>(getDataSourceToken());
    const input = {
      appointmentId: visit.id,
      patientId: patient.id,
      carePlanId: null,
      reminderId: '11111111-1111-4111-8111-111111111111',
    };
    expect(await db.transaction((em) => service.openReminderFailed(em, input))).toBe(true);
    expect(await db.transaction((em) => service.openReminderFailed(em, input))).toBe(false);
    const list = await c.ctx.request('GET', '/follow-ups?kind=reminder_failed', {
      token: c.frontDesk,
    });
    expect(list.body.items.find((i: any) => i.appointment?.id === visit.id)).toMatchObject({
      reminderId: input.reminderId,
      daysOverdue: null,
      suggestion: null,
    });
    await scan();
    const cancel = await c.ctx.request('POST', `/appointments/${visit.id}/cancel`, {
      token: c.frontDesk,
      body: { reason: 'Patient called' },
    });
    expect(cancel.status).toBe(200);
    await scan();
    const [flag] = await c.ctx.db.query(
      `SELECT close_reason FROM follow_up_flags WHERE appointment_id = $1`,
      [visit.id],
    );
    expect(flag.close_reason).toBe('auto: visit cancelled');
  });

  it('closes flags when the plan is paused or the patient discharged', async () => {
    const paused = await medPlan(4);
    const discharged = await medPlan(4);
    await scan();
    expect((await flagsOf(paused.plan.id)).length).toBeGreaterThan(0);
    const patch = await c.ctx.request('PATCH', `/care-plans/${paused.plan.id}`, {
      token: c.admin,
      body: { status: 'paused', note: 'Travelling for two months' },
    });
    expect(patch.status).toBe(200);
    const discharge = await c.ctx.request('PATCH', `/patients/${discharged.patient.id}`, {
      token: c.admin,
      body: { status: 'discharged' },
    });
    expect(discharge.status).toBe(200);
    await scan();
    expect(new Set((await flagsOf(paused.plan.id)).map((f) => f.close_reason))).toEqual(
      new Set(['auto: plan paused']),
    );
    expect(new Set((await flagsOf(discharged.plan.id)).map((f) => f.close_reason))).toEqual(
      new Set(['auto: patient discharged']),
    );
    expect(await scan()).toMatchObject({ opened: 0, closed: 0 });
  });

  it('pages through the open and the closed worklist with a cursor, in order', async () => {
    for (const filter of ['status=open', 'status=closed', `providerId=${c.prescriberId}`]) {
      const all = await c.ctx.request('GET', `/follow-ups?${filter}&limit=200`, {
        token: c.admin,
      });
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.items.length).toBeGreaterThanOrEqual(3);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await c.ctx.request(
          'GET',
          `/follow-ups?${filter}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          { token: c.admin },
        );
        expect(page.status).toBe(200);
        paged.push(...page.body.items.map((i: any) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all.body.items.map((i: any) => i.id));
    }
    const open = await c.ctx.request('GET', '/follow-ups?limit=1', { token: c.admin });
    const wrong = await c.ctx.request(
      'GET',
      `/follow-ups?status=closed&cursor=${open.body.nextCursor}`,
      { token: c.admin },
    );
    expect(wrong.status).toBe(400);
  });

  it("refuses a clinician another provider's panel or follow-ups (403), and the front desk any panel", async () => {
    const { token: therapistToken } = await c.ctx.tokenFor('clinician', c.therapistId);
    const otherPanel = await c.ctx.request('GET', `/providers/${c.therapistId}/panel`, {
      token: c.prescriberToken,
    });
    expect(otherPanel.status).toBe(403);
    expect(otherPanel.body.code).toBe('FORBIDDEN');
    const otherFlags = await c.ctx.request('GET', `/follow-ups?providerId=${c.therapistId}`, {
      token: c.prescriberToken,
    });
    expect(otherFlags.status).toBe(403);
    const frontDeskPanel = await c.ctx.request('GET', `/providers/${c.prescriberId}/panel`, {
      token: c.frontDesk,
    });
    expect(frontDeskPanel.status).toBe(403);
    expect(
      (await c.ctx.request('GET', `/providers/${c.therapistId}/panel`, { token: therapistToken }))
        .status,
    ).toBe(200);

    // Without a filter a clinician gets their own flags only, and cannot resolve another's.
    const own = await c.ctx.request('GET', '/follow-ups?limit=200', { token: therapistToken });
    expect(own.status).toBe(200);
    expect(own.body.items.length).toBeGreaterThan(0);
    expect(own.body.items.every((i: any) => i.provider.id === c.therapistId)).toBe(true);
    const mine = await c.ctx.request('GET', '/follow-ups?limit=1', { token: c.prescriberToken });
    const resolveOthers = await c.ctx.request(
      'POST',
      `/follow-ups/${mine.body.items[0].id}/resolve`,
      { token: therapistToken, body: { note: 'not mine' } },
    );
    expect(resolveOthers.status).toBe(403);
  });

  describe('the panel', () => {
    let providerId: string;
    let token: string;
    const plans: Record<string, string> = {};

    beforeAll(async () => {
      providerId = (
        await c.f.provider({ locationId: c.locationId, roles: ['prescriber'], name: 'Dr Panel' })
      ).id;
      token = (await c.ctx.tokenFor('clinician', providerId)).token;
      const make = async (label: string, lastName: string, seen: string | null, booked = false) => {
        const patient = await c.f.patient({ lastName });
        const plan = await c.f.carePlan({
          patientId: patient.id,
          providerId,
          track: 'medication',
          intervalWeeks: 6,
          startsOn: '2026-12-28',
        });
        if (seen) await pastVisit(patient.id, 'MED_CHECK', seen);
        if (booked) {
          const start = DateTime.fromISO('2027-03-01T10:00', { zone: ZONE });
          await c.ctx.db.getRepository(AppointmentEntity).insert({
            patientId: patient.id,
            providerId,
            locationId: c.locationId,
            visitType: 'MED_CHECK',
            startsAt: start.toJSDate(),
            endsAt: start.plus({ minutes: 30 }).toJSDate(),
          });
        }
        plans[label] = plan.id;
      };
      await make('lapsed', 'Avery', '2026-11-01T10:00');
      await make('overdue', 'Blake', '2026-12-21T10:00');
      await make('due_soon', 'Casey', '2027-01-08T10:00'); // due 2027-02-19, in 4 days
      await make('on_track', 'Devon', '2026-12-21T10:00', true);
      await scan();
    });

    it('one row per active plan, urgency order, with the status the plan view shows', async () => {
      const res = await c.ctx.request('GET', `/providers/${providerId}/panel`, { token });
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      const statuses = res.body.items.map((i: any) => i.status);
      expect(statuses).toEqual([...statuses].sort((a: string, b: string) => rank(a) - rank(b)));
      for (const item of res.body.items) {
        const view = await c.ctx.request('GET', `/care-plans/${item.planId}`, { token: c.admin });
        expect([item.planId, item.status, item.dueOn]).toEqual([
          item.planId,
          view.body.status,
          view.body.dueOn,
        ]);
      }
      const lapsed = res.body.items.find((i: any) => i.planId === plans.lapsed);
      expect(lapsed).toMatchObject({
        status: 'lapsed',
        track: 'medication',
        intervalWeeks: 6,
        lastVisitAt: '2026-11-01T10:00:00.000-05:00',
        nextAppointmentAt: null,
        openFlags: ['med_check_lapsed', 'med_check_overdue'],
        patient: { lastName: 'Avery' },
      });
      const onTrack = res.body.items.find((i: any) => i.planId === plans.on_track);
      expect(onTrack).toMatchObject({
        status: 'on_track',
        nextAppointmentAt: '2027-03-01T10:00:00.000-05:00',
        openFlags: [],
      });
    });

    it('filters by status and pages with a cursor in every sort', async () => {
      const filtered = await c.ctx.request(
        'GET',
        `/providers/${providerId}/panel?status=overdue,lapsed`,
        { token },
      );
      expect(filtered.body.items.map((i: any) => i.planId).sort()).toEqual(
        [plans.lapsed, plans.overdue].sort(),
      );
      for (const sort of ['urgency', 'due', 'name']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: any = await c.ctx.request(
            'GET',
            `/providers/${providerId}/panel?sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
            { token },
          );
          expect(page.status).toBe(200);
          seen.push(...page.body.items.map((i: any) => i.planId));
          cursor = page.body.nextCursor;
        } while (cursor);
        expect(seen.length).toBe(4);
        expect(new Set(seen).size).toBe(4);
        if (sort === 'name')
          expect(seen).toEqual([plans.lapsed, plans.overdue, plans.due_soon, plans.on_track]);
      }
      const bad = await c.ctx.request('GET', `/providers/${providerId}/panel?status=late`, {
        token,
      });
      expect(bad.status).toBe(400);
      const missing = await c.ctx.request(
        'GET',
        '/providers/00000000-0000-4000-8000-000000000000/panel',
        { token: c.admin },
      );
      expect(missing.status).toBe(404);
    });
  });

  describe('a constant number of queries, whatever the size of the panel', () => {
    const admin: Actor = {
      userId: '00000000-0000-0000-0000-000000000001',
      role: 'admin',
      providerId: null,
    };

    /** A prescriber with `n` medication plans, a third of them seen, a third booked: bulk SQL. */
    async function providerWith(n: number): Promise<string> {
      const provider = await c.f.provider({ locationId: c.locationId, roles: ['prescriber'] });
      await c.ctx.db.query(
        `WITH p AS (
           INSERT INTO patients (first_name, last_name, date_of_birth, phone, email)
           SELECT 'Bulk', 'Patient' || g, '1980-01-01', '+1555000' || g, 'bulk' || g || '@example.test'
             FROM generate_series(1, $2::int) g
           RETURNING id),
         numbered AS (SELECT id, row_number() OVER () AS g FROM p),
         plans AS (
           INSERT INTO care_plans (patient_id, track, provider_id, interval_weeks, starts_on)
           SELECT id, 'medication', $1, 4 + g % 9, date '2026-06-01' + (g % 200)::int FROM numbered
           RETURNING patient_id)
         INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, starts_at, ends_at, status)
         SELECT n.id, $1, $3, 'MED_CHECK', t, t + interval '30 minutes',
                CASE WHEN n.g % 3 = 0 THEN 'scheduled' ELSE 'completed' END
           FROM numbered n
          CROSS JOIN LATERAL (SELECT CASE WHEN n.g % 3 = 0
                                          THEN $4::timestamptz + n.g * interval '30 minutes'
                                          ELSE $4::timestamptz - n.g * interval '30 minutes' END AS t) x
          WHERE n.g % 3 <> 1`,
        [provider.id, n, c.locationId, NOW.minus({ days: 1 }).toJSDate()],
      );
      return provider.id;
    }

    it('panel and worklist: the same count for 20 and 2,000 plans', async () => {
      const small = await providerWith(20);
      const large = await providerWith(2000);
      await scan();
      const counts: Record<string, number> = {};
      for (const [label, providerId] of [
        ['20', small],
        ['2000', large],
      ] as const) {
        const panel = await countQueries(() => service.panel(admin, providerId, { limit: 50 }));
        const list = await countQueries(() => service.list(admin, { providerId, limit: 50 }));
        expect(panel.result.items.length).toBe(label === '20' ? 20 : 50);
        expect(list.result.items.length).toBeGreaterThan(0);
        expect(list.result.items.some((i) => i.suggestion !== null)).toBe(true);
        counts[`panel ${label}`] = panel.queries;
        counts[`worklist ${label}`] = list.queries;
      }
      console.log('queries per request', counts);
      expect(counts['panel 2000']).toBe(counts['panel 20']);
      expect(counts['worklist 2000']).toBe(counts['worklist 20']);
      expect(counts['panel 2000']).toBeLessThanOrEqual(3);
      expect(counts['worklist 2000']).toBeLessThanOrEqual(7);
    });
  });
});

const rank = (status: string) => ['lapsed', 'overdue', 'due_soon', 'on_track'].indexOf(status);
