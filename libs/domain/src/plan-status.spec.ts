import fc from 'fast-check';
import { instantIn, PROPERTY_RUNS, TEST_ZONES } from './arbitraries.testing';
import { medDueOn, planStatus, therapyDueOn, type PlanStatus } from './plan-status';

describe('due dates', () => {
  it('medication: last prescriber visit, else lastVisitOn, else start, plus the interval', () => {
    expect(medDueOn({ intervalWeeks: 4, startsOn: '2027-01-01' })).toBe('2027-01-29');
    expect(medDueOn({ intervalWeeks: 12, startsOn: '2027-01-01', lastVisitOn: '2026-12-01' })).toBe(
      '2027-02-23',
    );
    expect(
      medDueOn({
        intervalWeeks: 6,
        startsOn: '2027-01-01',
        lastVisitOn: '2026-12-01',
        lastPrescriberVisitOn: '2027-03-10',
      }),
    ).toBe('2027-04-21');
  });

  it('therapy: last session, else lastVisitOn, else start, plus 7 or 14 days', () => {
    expect(therapyDueOn({ frequency: 'weekly', startsOn: '2027-03-08' })).toBe('2027-03-15');
    expect(
      therapyDueOn({ frequency: 'biweekly', startsOn: '2027-03-01', lastVisitOn: '2027-02-20' }),
    ).toBe('2027-03-06');
    expect(
      therapyDueOn({ frequency: 'biweekly', startsOn: '2027-03-01', lastSessionOn: '2027-03-08' }),
    ).toBe('2027-03-22');
  });
});

describe('planStatus', () => {
  const med = (today: string, extra: { hasFutureVisit?: boolean } = {}): PlanStatus =>
    planStatus({
      track: 'medication',
      dueOn: '2027-04-01',
      today,
      lastSeenOn: '2027-03-04',
      hasFutureVisit: false,
      ...extra,
    });
  const therapy = (today: string): PlanStatus =>
    planStatus({
      track: 'therapy',
      dueOn: '2027-04-01',
      today,
      lastSeenOn: '2027-03-18',
      hasFutureVisit: false,
      frequency: 'biweekly',
    });

  it.each([
    ['2027-03-24', 'on_track'],
    ['2027-03-25', 'due_soon'],
    ['2027-04-01', 'due_soon'],
    ['2027-04-02', 'overdue'],
    ['2027-05-27', 'overdue'],
    ['2027-05-28', 'lapsed'],
  ])('medication on %s is %s', (today, status) => {
    expect(med(today)).toBe(status);
  });

  it.each([
    ['2027-03-29', 'on_track'],
    ['2027-03-30', 'due_soon'],
    ['2027-04-04', 'due_soon'],
    ['2027-04-05', 'overdue'],
    ['2027-05-13', 'overdue'],
    ['2027-05-14', 'lapsed'],
  ])('therapy on %s is %s', (today, status) => {
    expect(therapy(today)).toBe(status);
  });

  it('is on track whenever a future visit is booked', () => {
    expect(med('2027-09-01', { hasFutureVisit: true })).toBe('on_track');
  });

  const RANK: Record<PlanStatus, number> = { on_track: 0, due_soon: 1, overdue: 2, lapsed: 3 };

  it('matches a luxon reference model and only worsens as days pass, in DST zones', () => {
    const scenario = fc.constantFrom(...TEST_ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        lastSeen: instantIn(zone, 30),
        days: fc.integer({ min: -10, max: 140 }),
        track: fc.constantFrom('medication' as const, 'therapy' as const),
        intervalWeeks: fc.integer({ min: 4, max: 12 }),
        frequency: fc.constantFrom('weekly' as const, 'biweekly' as const),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ zone, lastSeen, days, track, intervalWeeks, frequency }) => {
        const seen = lastSeen.setZone(zone).startOf('day');
        const lastSeenOn = seen.toISODate() ?? '';
        const dueOn =
          track === 'medication'
            ? medDueOn({ intervalWeeks, startsOn: lastSeenOn })
            : therapyDueOn({ frequency, startsOn: lastSeenOn });
        const status = (offset: number): PlanStatus =>
          planStatus({
            track,
            dueOn,
            today: seen.plus({ days: offset }).toISODate() ?? '',
            lastSeenOn,
            hasFutureVisit: false,
            frequency,
          });

        const today = seen.plus({ days });
        const due = seen.plus(
          track === 'medication'
            ? { weeks: intervalWeeks }
            : { days: frequency === 'weekly' ? 7 : 14 },
        );
        expect(dueOn).toBe(due.toISODate());
        const reference: PlanStatus =
          track === 'medication'
            ? today > seen.plus({ weeks: 12 }).endOf('day')
              ? 'lapsed'
              : today > due.endOf('day')
                ? 'overdue'
                : today >= due.minus({ days: 7 })
                  ? 'due_soon'
                  : 'on_track'
            : today > due.plus({ weeks: 6 }).endOf('day')
              ? 'lapsed'
              : today > due.plus({ days: 3 }).endOf('day')
                ? 'overdue'
                : today >= due.minus({ days: 2 })
                  ? 'due_soon'
                  : 'on_track';
        expect(status(days)).toBe(reference);
        expect(RANK[status(days + 1)]).toBeGreaterThanOrEqual(RANK[status(days)]);
      }),
      PROPERTY_RUNS,
    );
  });
});
