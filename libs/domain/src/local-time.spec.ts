import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { instantIn, PROPERTY_RUNS, TEST_ZONES } from './arbitraries.testing';
import { DomainError } from './errors';
import {
  ianaZone,
  localDateOf,
  localWallTime,
  parseLocalTime,
  WallClockResolver,
} from './local-time';
import { toDayNumber } from './calendar-date';

const NY = 'America/New_York';

describe('localWallTime', () => {
  it('finds an ordinary local time', () => {
    expect(localWallTime('2027-03-15', '10:00', NY)?.toISO()).toBe('2027-03-15T10:00:00.000-04:00');
  });

  it('returns null inside a spring-forward gap', () => {
    expect(localWallTime('2027-03-14', '02:30', NY)).toBeNull();
    expect(localWallTime('2027-03-28', '01:15', 'Europe/London')).toBeNull();
    expect(localWallTime('2027-10-03', '02:00', 'Australia/Sydney')).toBeNull();
  });

  it('takes the first occurrence of an ambiguous fall-back time', () => {
    expect(localWallTime('2027-11-07', '01:30', NY)?.toISO()).toBe('2027-11-07T01:30:00.000-04:00');
    expect(localWallTime('2027-10-31', '01:30', 'Europe/London')?.toISO()).toBe(
      '2027-10-31T01:30:00.000+01:00',
    );
    expect(localWallTime('2027-04-04', '02:30', 'Australia/Sydney')?.toISO()).toBe(
      '2027-04-04T02:30:00.000+11:00',
    );
  });

  it('refuses bad zones, dates and times as VALIDATION errors', () => {
    expect(() => localWallTime('2027-03-15', '10:00', 'Mars/Olympus')).toThrow(DomainError);
    expect(() => localWallTime('2027-02-30', '10:00', NY)).toThrow(DomainError);
    expect(() => localWallTime('2027-03-15', '25:00', NY)).toThrow(DomainError);
  });
});

describe('parseLocalTime', () => {
  it('reads HH:mm, Postgres HH:mm:ss and 24:00', () => {
    expect(parseLocalTime('09:30')).toBe(9.5 * 3_600_000);
    expect(parseLocalTime('17:00:00')).toBe(17 * 3_600_000);
    expect(parseLocalTime('24:00')).toBe(86_400_000);
    expect(() => parseLocalTime('24:01')).toThrow(DomainError);
    expect(() => parseLocalTime('9:30')).toThrow(DomainError);
  });
});

describe('WallClockResolver', () => {
  it('resolves a gap to the transition instant', () => {
    const resolved = new WallClockResolver(ianaZone(NY)).resolve(
      toDayNumber('2027-03-14'),
      parseLocalTime('02:30'),
    );
    expect(resolved.exists).toBe(false);
    expect(DateTime.fromMillis(resolved.at, { zone: NY }).toISO()).toBe(
      '2027-03-14T03:00:00.000-04:00',
    );
  });

  it("reads the zone's offset at an instant, near DST changes", () => {
    const case_ = fc
      .constantFrom(...TEST_ZONES)
      .chain((zone) => fc.record({ zone: fc.constant(zone), at: instantIn(zone) }));
    fc.assert(
      fc.property(case_, ({ zone, at }) => {
        const intl = IANAZone.create(zone); // luxon's own, asking Intl every time
        expect(new WallClockResolver(intl).offsetAt(at.toMillis())).toBe(
          intl.offset(at.toMillis()),
        );
      }),
      PROPERTY_RUNS,
    );
  });

  it("ianaZone's DateTimes are luxon's, offsets and calendar moves alike, near DST changes", () => {
    const case_ = fc.constantFrom(...TEST_ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        at: instantIn(zone),
        days: fc.integer({ min: -400, max: 400 }),
        minutes: fc.integer({ min: -3000, max: 3000 }),
      }),
    );
    fc.assert(
      fc.property(case_, ({ zone, at, days, minutes }) => {
        const move = (z: string | IANAZone) =>
          DateTime.fromMillis(at.toMillis(), { zone: z }).minus({ days, minutes }).toISO();
        expect(ianaZone(zone).offset(at.toMillis())).toBe(
          IANAZone.create(zone).offset(at.toMillis()),
        );
        expect(move(ianaZone(zone))).toBe(move(IANAZone.create(zone)));
      }),
      PROPERTY_RUNS,
    );
  });

  it('agrees with a brute-force reading of the zone, near DST changes', () => {
    const case_ = fc.constantFrom(...TEST_ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        at: instantIn(zone),
        minute: fc.integer({ min: 0, max: 1439 }),
      }),
    );
    fc.assert(
      fc.property(case_, ({ zone, at, minute }) => {
        const date = localDateOf(at, zone);
        const time = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
        // Every instant of that wall time lies within a day of the wall time read as UTC.
        const naive = DateTime.fromISO(`${date}T${time}`, { zone: 'utc' }).toMillis();
        const matches: number[] = [];
        for (let t = naive - 15 * 3_600_000; t <= naive + 15 * 3_600_000; t += 15 * 60_000) {
          if (DateTime.fromMillis(t, { zone }).toFormat('yyyy-MM-dd HH:mm') === `${date} ${time}`)
            matches.push(t);
        }
        const result = localWallTime(date, time, zone);
        if (matches.length === 0) expect(result).toBeNull();
        else expect(result?.toMillis()).toBe(Math.min(...matches));
      }),
      PROPERTY_RUNS,
    );
  });
});
