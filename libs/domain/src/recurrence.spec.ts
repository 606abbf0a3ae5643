import fc from 'fast-check';
import { DateTime } from 'luxon';
import { instantIn, PROPERTY_RUNS, TEST_ZONES } from './arbitraries.testing';
import { DomainError } from './errors';
import { localWallTime, MAX_SERIES_COUNT, seriesOccurrences } from './recurrence';

const NY = 'America/New_York';
const at = (iso: string, zone = NY): DateTime => DateTime.fromISO(iso, { zone });

describe('seriesOccurrences', () => {
  it('keeps a biweekly 10:00 at 10:00 local through both DST changes', () => {
    const occurrences = seriesOccurrences({
      firstStartsAt: at('2027-02-23T10:00'),
      zone: NY,
      frequency: 'biweekly',
      count: 26,
    });
    const iso = occurrences.map((o) => o.startsAt?.toISO());
    expect(iso.slice(0, 3)).toEqual([
      '2027-02-23T10:00:00.000-05:00',
      '2027-03-09T10:00:00.000-05:00',
      '2027-03-23T10:00:00.000-04:00',
    ]);
    expect(occurrences.find((o) => o.localDate === '2027-11-16')?.startsAt?.toISO()).toBe(
      '2027-11-16T10:00:00.000-05:00',
    );
    expect(occurrences.find((o) => o.localDate === '2027-11-02')?.startsAt?.toISO()).toBe(
      '2027-11-02T10:00:00.000-04:00',
    );
    expect(
      occurrences.every(
        (o) => o.localTime === '10:00' && o.startsAt?.setZone(NY).toFormat('HH:mm') === '10:00',
      ),
    ).toBe(true);
    expect(occurrences.map((o) => o.index)).toEqual([...Array(26).keys()]);
  });

  it('keeps a weekly Sunday 10:00 on the DST Sundays themselves', () => {
    const occurrences = seriesOccurrences({
      firstStartsAt: at('2027-03-07T10:00'),
      zone: NY,
      frequency: 'weekly',
      count: 2,
    });
    expect(occurrences[1]).toEqual({
      index: 1,
      localDate: '2027-03-14',
      localTime: '10:00',
      startsAt: expect.any(DateTime),
    });
    expect(occurrences[1]?.startsAt?.toISO()).toBe('2027-03-14T10:00:00.000-04:00');
  });

  it('reports a wall time that does not exist instead of moving it', () => {
    const occurrences = seriesOccurrences({
      firstStartsAt: at('2027-03-07T02:30'),
      zone: NY,
      frequency: 'weekly',
      count: 3,
    });
    expect(occurrences.map((o) => [o.localDate, o.startsAt?.toISO() ?? null, o.problem])).toEqual([
      ['2027-03-07', '2027-03-07T02:30:00.000-05:00', undefined],
      ['2027-03-14', null, 'NONEXISTENT_LOCAL_TIME'],
      ['2027-03-21', '2027-03-21T02:30:00.000-04:00', undefined],
    ]);
  });

  it('resolves an ambiguous fall-back time to its first occurrence', () => {
    const [, second] = seriesOccurrences({
      firstStartsAt: at('2027-10-31T01:30'),
      zone: NY,
      frequency: 'weekly',
      count: 2,
    });
    expect(second?.startsAt?.toISO()).toBe('2027-11-07T01:30:00.000-04:00');
  });

  it('stops at until, inclusive', () => {
    const occurrences = seriesOccurrences({
      firstStartsAt: at('2027-03-01T10:00'),
      zone: NY,
      frequency: 'weekly',
      until: at('2027-03-22T10:00'),
    });
    expect(occurrences.map((o) => o.localDate)).toEqual([
      '2027-03-01',
      '2027-03-08',
      '2027-03-15',
      '2027-03-22',
    ]);
    expect(
      seriesOccurrences({
        firstStartsAt: at('2027-03-01T10:00'),
        zone: NY,
        frequency: 'weekly',
        until: at('2027-02-01T00:00'),
      }),
    ).toEqual([]);
  });

  it('caps a series at 52 visits and at one year', () => {
    const first = at('2027-01-04T10:00');
    expect(seriesOccurrences({ firstStartsAt: first, zone: NY, frequency: 'weekly' })).toHaveLength(
      MAX_SERIES_COUNT,
    );
    expect(
      seriesOccurrences({ firstStartsAt: first, zone: NY, frequency: 'weekly', count: 500 }),
    ).toHaveLength(MAX_SERIES_COUNT);
    const biweekly = seriesOccurrences({
      firstStartsAt: first,
      zone: NY,
      frequency: 'biweekly',
      count: 52,
    });
    expect(biweekly).toHaveLength(27);
    expect(biweekly.at(-1)?.localDate).toBe('2028-01-03');
  });

  it('refuses a count below one', () => {
    expect(() =>
      seriesOccurrences({
        firstStartsAt: at('2027-01-04T10:00'),
        zone: NY,
        frequency: 'weekly',
        count: 0,
      }),
    ).toThrow(DomainError);
  });

  it('never drifts off the first visit’s weekday and local time, in any zone', () => {
    const scenario = fc.constantFrom(...TEST_ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        first: instantIn(zone, 40),
        frequency: fc.constantFrom('weekly' as const, 'biweekly' as const),
        count: fc.integer({ min: 1, max: 60 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ zone, first, frequency, count }) => {
        const occurrences = seriesOccurrences({ firstStartsAt: first, zone, frequency, count });
        const local = first.setZone(zone);
        const step = frequency === 'weekly' ? 7 : 14;
        expect(occurrences.length).toBe(
          Math.min(count, MAX_SERIES_COUNT, frequency === 'weekly' ? 53 : 27),
        );
        const firstDay = DateTime.fromISO(local.toISODate() ?? '', { zone: 'utc' });
        const wall = [local.hour, local.minute, local.second];
        const drift = occurrences.filter((o, k) => {
          if (o.index !== k || o.localTime !== local.toFormat('HH:mm')) return true;
          if (o.localDate !== firstDay.plus({ days: k * step }).toISODate()) return true;
          if (!o.startsAt)
            return (
              o.problem !== 'NONEXISTENT_LOCAL_TIME' ||
              localWallTime(o.localDate, o.localTime, zone) !== null
            );
          const there = o.startsAt.setZone(zone);
          return (
            there.weekday !== local.weekday ||
            [there.hour, there.minute, there.second].join() !== wall.join() ||
            there.toISODate() !== o.localDate
          );
        });
        expect(drift).toEqual([]);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('localWallTime (as the app reuses it)', () => {
  it('gives the EDT instant for 01:30 on the fall-back day', () => {
    expect(localWallTime('2027-11-07', '01:30', NY)?.offset).toBe(-240);
  });
});
