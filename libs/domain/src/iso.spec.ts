import fc from 'fast-check';
import { DateTime, FixedOffsetZone } from 'luxon';
import { formatInstant, formatInZone, isIsoDate, parseInstant } from './iso';

describe('isIsoDate', () => {
  it.each([
    ['2027-03-14', true],
    ['2028-02-29', true],
    ['2027-02-29', false],
    ['2027-3-14', false],
    ['2027-03-14T00:00:00Z', false],
  ])('%p → %p', (value, ok) => {
    expect(isIsoDate(value)).toBe(ok);
  });
});

describe('parseInstant', () => {
  it('keeps the offset it was given', () => {
    expect(parseInstant('2027-03-14T10:00:00-04:00')?.toISO()).toBe(
      '2027-03-14T10:00:00.000-04:00',
    );
    expect(parseInstant('2027-03-14T14:00Z')?.toISO()).toBe('2027-03-14T14:00:00.000Z');
    expect(parseInstant('2027-03-14T10:00:00.250+0530')?.toMillis()).toBe(
      Date.UTC(2027, 2, 14, 4, 30, 0, 250),
    );
  });

  it.each([
    '2027-03-14T10:00:00',
    '2027-03-14',
    '2027-02-30T10:00:00Z',
    'tomorrow',
    '2027-03-14T25:00Z',
  ])('refuses %p (no offset, or not an instant)', (value) => {
    expect(parseInstant(value)).toBeNull();
  });
});

describe('formatInstant', () => {
  it('writes local time at the offset, Z for zero', () => {
    const at = Date.UTC(2027, 2, 14, 7, 0, 0, 5);
    expect(formatInstant(at, -240)).toBe('2027-03-14T03:00:00.005-04:00');
    expect(formatInstant(at, 330)).toBe('2027-03-14T12:30:00.005+05:30');
    expect(formatInstant(at, 0)).toBe('2027-03-14T07:00:00.005Z');
    expect(formatInstant(Date.UTC(2027, 0, 1, 2), -300)).toBe('2026-12-31T21:00:00.000-05:00');
  });

  it("is luxon's toISO() at a fixed offset, for any instant and offset", () => {
    const instant = fc.integer({
      min: Date.UTC(1970, 0, 1),
      max: Date.UTC(2200, 0, 1),
    });
    // Real offsets run from -12:00 to +14:00, some on odd quarter hours (+05:45).
    const offset = fc.integer({ min: -12 * 60, max: 14 * 60 });
    fc.assert(
      fc.property(instant, offset, (ms, minutes) => {
        const zone = FixedOffsetZone.instance(minutes);
        expect(formatInstant(ms, minutes)).toBe(DateTime.fromMillis(ms, { zone }).toISO());
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatInZone', () => {
  it("is luxon's toISO() in the named zone, across DST changes in both hemispheres", () => {
    const zones = [
      'America/New_York',
      'America/Los_Angeles',
      'Europe/Berlin',
      'Australia/Lord_Howe', // a 30-minute DST shift
      'Pacific/Chatham', // +12:45 / +13:45
      'Asia/Kolkata',
    ];
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) });
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (ms, zone) => {
        const expected = DateTime.fromMillis(ms, { zone })
          .toISO()!
          .replace(/\+00:00$/, 'Z');
        expect(formatInZone(ms, zone)).toBe(expected);
        expect(formatInZone(new Date(ms), zone)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the instants on both sides of a fall-back change with their own offsets', () => {
    // 2027-11-07 01:30 happens twice in New York: first at -04:00, then at -05:00.
    expect(formatInZone(Date.UTC(2027, 10, 7, 5, 30), 'America/New_York')).toBe(
      '2027-11-07T01:30:00.000-04:00',
    );
    expect(formatInZone(Date.UTC(2027, 10, 7, 6, 30), 'America/New_York')).toBe(
      '2027-11-07T01:30:00.000-05:00',
    );
  });
});
