import fc from 'fast-check';
import { DateTime } from 'luxon';
import { instantIn, PROPERTY_RUNS, TEST_ZONES } from './arbitraries.testing';
import { earliestMedCheckDate, medCheckCadence } from './cadence';

const NY = 'America/New_York';
const at = (iso: string): DateTime => DateTime.fromISO(iso, { zone: NY });
const codes = (r: { violations: { code: string }[]; warnings: { code: string }[] }): string[] => [
  ...r.violations.map((v) => v.code),
  ...r.warnings.map((w) => w.code),
];

describe('medCheckCadence', () => {
  const previous = at('2027-02-15T10:00');

  it('accepts exactly 4 weeks later, counted in local days across a DST change', () => {
    // 28 local days but only 671 hours: a duration-based rule would refuse it.
    expect(
      medCheckCadence({ startsAt: at('2027-03-15T09:00'), zone: NY, visits: [previous] }),
    ).toEqual({
      violations: [],
      warnings: [],
    });
  });

  it('refuses a med check less than 4 weeks after the previous one, naming the earliest date', () => {
    const { violations } = medCheckCadence({
      startsAt: at('2027-03-14T16:00'),
      zone: NY,
      visits: [previous],
    });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.code).toBe('CADENCE_TOO_SOON');
    expect(violations[0]?.detail).toContain('after the previous prescriber visit on 2027-02-15');
    expect(violations[0]?.detail).toContain('earliest allowed date 2027-03-15');
  });

  it('refuses a med check less than 4 weeks before the next one booked', () => {
    const { violations } = medCheckCadence({
      startsAt: at('2027-03-15T10:00'),
      zone: NY,
      visits: [at('2027-04-01T10:00')],
    });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.detail).toContain(
      'before the next med check already booked on 2027-04-01',
    );
    expect(violations[0]?.detail).toContain('latest allowed date before it 2027-03-04');
  });

  it('reports both sides at once', () => {
    const result = medCheckCadence({
      startsAt: at('2027-03-01T10:00'),
      zone: NY,
      visits: [previous, at('2027-03-20T10:00')],
    });
    expect(codes(result)).toEqual(['CADENCE_TOO_SOON', 'CADENCE_TOO_SOON']);
  });

  it('only warns when later than 12 weeks', () => {
    expect(
      codes(medCheckCadence({ startsAt: at('2027-05-10T10:00'), zone: NY, visits: [previous] })),
    ).toEqual([]);
    const late = medCheckCadence({
      startsAt: at('2027-05-11T10:00'),
      zone: NY,
      visits: [previous],
    });
    expect(late.violations).toEqual([]);
    expect(late.warnings).toEqual([
      { code: 'CADENCE_LATE', detail: expect.stringContaining('85 days after') },
    ]);
  });

  it('uses the anchor before the first med check, and the latest earlier visit otherwise', () => {
    const anchor = at('2027-01-04T00:00');
    expect(
      codes(medCheckCadence({ startsAt: at('2027-01-20T10:00'), zone: NY, visits: [], anchor })),
    ).toEqual(['CADENCE_TOO_SOON']);
    expect(
      codes(
        medCheckCadence({ startsAt: at('2027-03-20T10:00'), zone: NY, visits: [previous], anchor }),
      ),
    ).toEqual([]);
    expect(
      codes(
        medCheckCadence({
          startsAt: at('2027-01-20T10:00'),
          zone: NY,
          visits: [],
          anchor: at('2027-02-01T00:00'),
        }),
      ),
    ).toEqual([]);
  });

  it('counts a visit at the very same instant as too soon', () => {
    expect(codes(medCheckCadence({ startsAt: previous, zone: NY, visits: [previous] }))).toEqual([
      'CADENCE_TOO_SOON',
    ]);
  });

  it('agrees with a luxon day-count reference, in DST zones', () => {
    const dayOffset = fc.oneof(
      fc.integer({ min: -150, max: 150 }),
      fc.constantFrom(-85, -84, -83, -29, -28, -27, -1, 0, 1, 27, 28, 29),
    );
    const visit = fc.tuple(dayOffset, fc.integer({ min: 0, max: 1439 }));
    const scenario = fc.constantFrom(...TEST_ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        startsAt: instantIn(zone),
        visits: fc.array(visit, { maxLength: 4 }),
        anchor: fc.option(visit, { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ zone, startsAt, visits, anchor }) => {
        const place = ([days, minute]: [number, number]): DateTime =>
          startsAt
            .setZone(zone)
            .plus({ days })
            .set({ hour: Math.floor(minute / 60), minute: minute % 60 });
        const visitTimes = visits.map(place);
        const anchorTime = anchor && place(anchor);
        const result = medCheckCadence({ startsAt, zone, visits: visitTimes, anchor: anchorTime });

        const localDay = (d: DateTime): DateTime =>
          DateTime.fromISO(d.setZone(zone).toISODate() ?? '', { zone: 'utc' });
        const daysFrom = (a: DateTime, b: DateTime): number =>
          localDay(b).diff(localDay(a), 'days').days;
        const earlier = [
          ...visitTimes.filter((v) => v <= startsAt),
          ...(anchorTime && anchorTime < startsAt ? [anchorTime] : []),
        ];
        const later = visitTimes.filter((v) => v > startsAt);
        const previous = earlier.length ? DateTime.max(...earlier) : undefined;
        const next = later.length ? DateTime.min(...later) : undefined;
        const expected = [
          ...(previous && daysFrom(previous, startsAt) < 28 ? ['CADENCE_TOO_SOON'] : []),
          ...(next && daysFrom(startsAt, next) < 28 ? ['CADENCE_TOO_SOON'] : []),
          ...(previous && daysFrom(previous, startsAt) > 84 ? ['CADENCE_LATE'] : []),
        ];
        expect(codes(result)).toEqual(expected);
        if (previous && daysFrom(previous, startsAt) < 28) {
          expect(result.violations[0]?.detail).toContain(earliestMedCheckDate(previous, zone));
        }
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('earliestMedCheckDate', () => {
  it('counts from the local date of the previous visit', () => {
    // 23:30 in New York is already the next day in UTC.
    expect(earliestMedCheckDate(at('2027-02-15T23:30'), NY)).toBe('2027-03-15');
  });
});
