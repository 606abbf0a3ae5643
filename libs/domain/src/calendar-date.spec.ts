import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  addDays,
  addYears,
  daysBetween,
  fromDayNumber,
  isoWeekdayOfDay,
  toDayNumber,
} from './calendar-date';
import { DomainError } from './errors';

describe('calendar dates', () => {
  it('counts days from 1970-01-01', () => {
    expect(toDayNumber('1970-01-01')).toBe(0);
    expect(toDayNumber('2027-03-14')).toBe(
      DateTime.fromISO('2027-03-14', { zone: 'utc' }).toMillis() / 86_400_000,
    );
    expect(fromDayNumber(-1)).toBe('1969-12-31');
  });

  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(daysBetween('2027-03-01', '2027-03-29')).toBe(28);
  });

  it('adds years, turning 29 February into 28 February', () => {
    expect(addYears('2027-03-14', 1)).toBe('2028-03-14');
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
  });

  it('knows ISO weekdays', () => {
    expect(isoWeekdayOfDay(toDayNumber('2027-03-15'))).toBe(1);
    expect(isoWeekdayOfDay(toDayNumber('2027-03-14'))).toBe(7);
  });

  it.each(['2027-02-30', '2027-13-01', '27-01-01', '2027-1-1', '', '2027-01-01T00:00'])(
    'refuses %p as a VALIDATION error',
    (bad) => {
      expect(() => toDayNumber(bad)).toThrow(DomainError);
    },
  );

  it('agrees with luxon for every day from 1900 to 2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: -25_567, max: 84_006 }), (n) => {
        const iso = DateTime.fromMillis(n * 86_400_000, { zone: 'utc' });
        expect(fromDayNumber(n)).toBe(iso.toISODate());
        expect(toDayNumber(fromDayNumber(n))).toBe(n);
        expect(isoWeekdayOfDay(n)).toBe(iso.weekday);
      }),
      { numRuns: 500 },
    );
  });
});
