import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { AuditService } from '@app/audit';
import { AuditEventEntity, createDataSource } from '@app/database';
import {
  addDays,
  FixedClock,
  medDueOn,
  planStatus,
  therapyDueOn,
  type PlanStatus,
} from '@app/domain';
import { ReminderFailures } from '@app/reminders';
import { carePlanView, loadPlanFacts } from '@app/scheduling';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { PLAN_FLAG_RULES, type PlanFlagKind } from './flag-kinds';
import { FollowUpsService } from './follow-ups.service';
import { dueOnSql, planStatusSql, ratedPlanFactsSql } from './plan-status-sql';

/**
 * The panel filters by status and the scan opens flags by it, in SQL; the plan view
 * computes it in TypeScript. These tests hold the two to one definition: first the CASE
 * itself against planStatus over generated and boundary inputs, then whole plans (visits
 * of every status, both tracks, two far-apart zones, near-midnight visits) through
 * carePlanView, the SQL facts and the scan.
 */
describe('the SQL twin of planStatus', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 3 });
    await db.initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  interface Case {
    state: 'active' | 'paused' | 'ended';
    track: 'medication' | 'therapy';
    seenOn: string;
    intervalWeeks: number;
    frequency: 'weekly' | 'biweekly';
    today: string;
    hasFutureVisit: boolean;
  }

  const expected = (c: Case) => {
    const dueOn =
      c.track === 'medication'
        ? medDueOn({ intervalWeeks: c.intervalWeeks, startsOn: c.seenOn })
        : therapyDueOn({ frequency: c.frequency, startsOn: c.seenOn });
    const status: PlanStatus =
      c.state === 'active'
        ? planStatus({
            track: c.track,
            dueOn,
            today: c.today,
            lastSeenOn: c.seenOn,
            hasFutureVisit: c.hasFutureVisit,
          })
        : 'on_track';
    return { dueOn, status };
  };

  /** Every case in one statement: the twin's due date and status per row. */
  async function inSql(cases: Case[]): Promise<{ dueOn: string; status: PlanStatus }[]> {
    const rows = await db.query<{ i: number; due_on: string; status: PlanStatus }[]>(
      `SELECT t.i, d.due_on::text AS due_on,
              ${planStatusSql({
                state: 't.state',
                track: 't.track',
                seenOn: 't.seen',
                dueOn: 'd.due_on',
                today: 't.today',
                hasFutureVisit: 't.has_future',
              })} AS status
         FROM unnest($1::int[], $2::text[], $3::text[], $4::date[], $5::int[], $6::text[], $7::date[], $8::bool[])
              AS t(i, state, track, seen, iw, freq, today, has_future)
        CROSS JOIN LATERAL (SELECT ${dueOnSql('t.track', 't.seen', 't.iw', 't.freq')} AS due_on) d
        ORDER BY t.i`,
      [
        cases.map((_, i) => i),
        cases.map((c) => c.state),
        cases.map((c) => c.track),
        cases.map((c) => c.seenOn),
        cases.map((c) => c.intervalWeeks),
        cases.map((c) => c.frequency),
        cases.map((c) => c.today),
        cases.map((c) => c.hasFutureVisit),
      ],
    );
    return rows.map((r) => ({ dueOn: r.due_on, status: r.status }));
  }

  it('agrees with planStatus on every threshold, each side of it', async () => {
    const cases: Case[] = [];
    for (const track of ['medication', 'therapy'] as const)
      for (const intervalWeeks of [4, 6, 12])
        for (const frequency of ['weekly', 'biweekly'] as const) {
          const seenOn = '2027-03-04';
          const dueOn = expected({
            state: 'active',
            track,
            seenOn,
            intervalWeeks,
            frequency,
            today: seenOn,
            hasFutureVisit: false,
          }).dueOn;
          // Around due − 7, due − 2, due, due + 3, due + 42 and seen + 84.
          const anchors = [
            addDays(dueOn, -7),
            addDays(dueOn, -2),
            dueOn,
            addDays(dueOn, 3),
            addDays(dueOn, 42),
            addDays(seenOn, 84),
          ];
          for (const anchor of anchors)
            for (const delta of [-1, 0, 1])
              for (const hasFutureVisit of [false, true])
                cases.push({
                  state: 'active',
                  track,
                  seenOn,
                  intervalWeeks,
                  frequency,
                  today: addDays(anchor, delta),
                  hasFutureVisit,
                });
        }
    const sql = await inSql(cases);
    const mismatches = cases.filter(
      (c, i) => JSON.stringify(sql[i]) !== JSON.stringify(expected(c)),
    );
    expect(mismatches).toEqual([]);
    expect(new Set(cases.map((c) => expected(c).status))).toEqual(
      new Set(['on_track', 'due_soon', 'overdue', 'lapsed']),
    );
  });

  it('agrees with planStatus over 3,000 generated plans', async () => {
    const day = fc.integer({ min: 0, max: 4 * 365 }).map((n) => addDays('2026-01-01', n));
    const arbitrary = fc
      .record({
        state: fc.constantFrom('active', 'active', 'active', 'paused', 'ended'),
        track: fc.constantFrom('medication', 'therapy'),
        seenOn: day,
        intervalWeeks: fc.integer({ min: 4, max: 12 }),
        frequency: fc.constantFrom('weekly', 'biweekly'),
        elapsed: fc.integer({ min: -30, max: 200 }),
        hasFutureVisit: fc.boolean(),
      })
      .map(({ elapsed, ...c }): Case => ({ ...c, today: addDays(c.seenOn, elapsed) }));
    const cases = fc.sample(arbitrary, { numRuns: 3000, seed: 20270215 });
    const sql = await inSql(cases);
    const mismatches = cases.filter(
      (c, i) => JSON.stringify(sql[i]) !== JSON.stringify(expected(c)),
    );
    expect(mismatches).toEqual([]);
  });

  describe('whole plans: carePlanView, the SQL facts and the scan agree', () => {
    // 13:30 UTC: 08:30 in New York, already 00:30 the next day in Sydney.
    const now = DateTime.fromISO('2027-02-15T13:30:00Z');
    const zones = ['America/New_York', 'Australia/Sydney'];

    beforeAll(async () => {
      const locations = await db.query<{ id: string; timezone: string }[]>(
        `INSERT INTO locations (name, timezone) SELECT 'L' || z, z FROM unnest($1::text[]) z RETURNING id, timezone`,
        [zones],
      );
      const plan = fc.record({
        zone: fc.integer({ min: 0, max: zones.length - 1 }),
        track: fc.constantFrom('medication', 'therapy'),
        state: fc.constantFrom('active', 'active', 'active', 'active', 'paused', 'ended'),
        discharged: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        intervalWeeks: fc.integer({ min: 4, max: 12 }),
        frequency: fc.constantFrom('weekly', 'biweekly'),
        startsDaysAgo: fc.integer({ min: 0, max: 200 }),
        lastVisitDaysAgo: fc.option(fc.integer({ min: 0, max: 200 }), { nil: null }),
        // Visits: days ago (negative: ahead), status, same track or not, near local midnight.
        visits: fc.array(
          fc.record({
            daysAgo: fc.integer({ min: -40, max: 150 }),
            status: fc.constantFrom(
              'completed',
              'completed',
              'scheduled',
              'confirmed',
              'checked_in',
              'cancelled',
              'no_show',
            ),
            sameTrack: fc.boolean(),
            localTime: fc.constantFrom('00:10', '09:00', '23:40'),
          }),
          { maxLength: 4 },
        ),
      });
      const plans = fc.sample(plan, { numRuns: 400, seed: 5 });
      for (const [n, p] of plans.entries()) {
        const location = locations[p.zone];
        const zone = location.timezone;
        const today = now.setZone(zone).startOf('day');
        const [provider] = await db.query<{ id: string }[]>(
          `INSERT INTO providers (name, credentials, roles, location_id)
           VALUES ($1, '{MD}', '{prescriber,therapist}', $2) RETURNING id`,
          [`P${n}`, location.id],
        );
        const [patient] = await db.query<{ id: string }[]>(
          `INSERT INTO patients (first_name, last_name, date_of_birth, status)
           VALUES ('F', $1, '1980-01-01', $2) RETURNING id`,
          [`L${n}`, p.discharged ? 'discharged' : 'active'],
        );
        await db.query(
          `INSERT INTO care_plans (patient_id, track, provider_id, interval_weeks, frequency, last_visit_on, starts_on, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            patient.id,
            p.track,
            provider.id,
            p.track === 'medication' ? p.intervalWeeks : null,
            p.track === 'therapy' ? p.frequency : null,
            p.lastVisitDaysAgo === null
              ? null
              : today.minus({ days: p.lastVisitDaysAgo }).toISODate(),
            today.minus({ days: p.startsDaysAgo }).toISODate(),
            p.state,
          ],
        );
        const seen = new Set<number>();
        for (const v of p.visits) {
          if (seen.has(v.daysAgo)) continue; // one visit a day: no overlaps
          seen.add(v.daysAgo);
          const start = DateTime.fromISO(
            `${today.minus({ days: v.daysAgo }).toISODate()}T${v.localTime}`,
            { zone },
          );
          const visitType =
            (p.track === 'medication') === v.sameTrack
              ? v.daysAgo % 2
                ? 'MED_CHECK'
                : 'PSYCH_EVAL'
              : 'THERAPY';
          await db.query(
            `INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, starts_at, ends_at, status, cancel_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [
              patient.id,
              provider.id,
              location.id,
              visitType,
              start.toJSDate(),
              start.plus({ minutes: 15 }).toJSDate(),
              v.status,
              v.status === 'cancelled' ? 'test' : null,
            ],
          );
        }
      }
    }, 120_000);

    it('the SQL status and due date equal carePlanView for every plan', async () => {
      const views = (await loadPlanFacts(db.manager, now, 'true', [])).map((r) =>
        carePlanView(r, now),
      );
      const sql = await db.query<{ id: string; due_on: string; plan_status: PlanStatus }[]>(
        ratedPlanFactsSql('true'),
        [now.toJSDate()],
      );
      const byId = new Map(sql.map((r) => [r.id, r]));
      expect(views.length).toBe(400);
      const mismatches = views.filter(
        (v) => byId.get(v.id)?.plan_status !== v.status || byId.get(v.id)?.due_on !== v.dueOn,
      );
      expect(mismatches).toEqual([]);
      const statuses = new Set(views.map((v) => v.status));
      expect(statuses).toEqual(new Set(['on_track', 'due_soon', 'overdue', 'lapsed']));
    });

    it('the scan opens exactly the flags the plan views call for, and a second scan nothing', async () => {
      const clock = new FixedClock(now);
      const service = new FollowUpsService(
        db,
        clock,
        new AuditService(db.getRepository(AuditEventEntity)),
        new ReminderFailures(clock),
      );
      const first = await service.scan(now);
      expect(first.skipped).toBe(false);
      const views = (
        await loadPlanFacts(
          db.manager,
          now,
          `EXISTS (SELECT 1 FROM patients p WHERE p.id = c.patient_id AND p.status = 'active')`,
          [],
        )
      ).map((r) => carePlanView(r, now));
      const want = views
        .flatMap((v) =>
          (Object.keys(PLAN_FLAG_RULES) as PlanFlagKind[])
            .filter(
              (kind) =>
                v.state === 'active' &&
                PLAN_FLAG_RULES[kind].track === v.track &&
                PLAN_FLAG_RULES[kind].statuses.includes(v.status),
            )
            .map((kind) => `${v.id} ${kind} ${v.dueOn}`),
        )
        .sort();
      const flags = await db.query<{ care_plan_id: string; kind: string; due_on: string }[]>(
        `SELECT care_plan_id, kind, due_on FROM follow_up_flags WHERE closed_at IS NULL`,
      );
      expect(flags.map((f) => `${f.care_plan_id} ${f.kind} ${f.due_on}`).sort()).toEqual(want);
      expect(want.length).toBeGreaterThan(20);
      expect(first.opened).toBe(want.length);

      const second = await service.scan(now);
      expect(second).toMatchObject({ skipped: false, opened: 0, closed: 0 });
    });
  });
});
