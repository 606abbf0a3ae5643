import fc from 'fast-check';
import { DateTime } from 'luxon';
import { hhmm, instantIn, PROPERTY_RUNS, TEST_ZONES } from './arbitraries.testing';
import { DEFAULT_QUIET_HOURS, isQuietTime, planSendTime, type QuietHours } from './quiet-hours';

const NY = 'America/New_York';
const at = (iso: string, zone = NY): DateTime => DateTime.fromISO(iso, { zone });
const local = (d: DateTime, zone = NY): string | null => d.setZone(zone).toISO();

/** Each whole minute after `from`, up to and including `to`, as epoch milliseconds. */
function minutesAfter(from: DateTime, to: DateTime): number[] {
  const out: number[] = [];
  for (let ms = from.toMillis() + 60_000; ms <= to.toMillis(); ms += 60_000) out.push(ms);
  return out;
}

describe('planSendTime', () => {
  it('sends the 2 h SMS for an 08:30 visit at 20:59 the evening before (SPEC)', () => {
    const visit = at('2027-03-16T08:30');
    expect(local(planSendTime(visit.minus({ hours: 2 }), NY, DEFAULT_QUIET_HOURS))).toBe(
      '2027-03-15T20:59:00.000-04:00',
    );
  });

  it('keeps a reminder outside quiet hours as it is', () => {
    const ideal = at('2027-03-15T14:07:33');
    expect(planSendTime(ideal, NY, DEFAULT_QUIET_HOURS)).toBe(ideal);
    expect(planSendTime(at('2027-03-15T20:59'), NY, DEFAULT_QUIET_HOURS).toISO()).toBe(
      '2027-03-15T20:59:00.000-04:00',
    );
    expect(planSendTime(at('2027-03-15T08:00'), NY, DEFAULT_QUIET_HOURS).toISO()).toBe(
      '2027-03-15T08:00:00.000-04:00',
    );
  });

  it('moves a reminder inside quiet hours, before or after midnight', () => {
    expect(local(planSendTime(at('2027-03-15T21:00'), NY, DEFAULT_QUIET_HOURS))).toBe(
      '2027-03-15T20:59:00.000-04:00',
    );
    expect(local(planSendTime(at('2027-03-15T23:30'), NY, DEFAULT_QUIET_HOURS))).toBe(
      '2027-03-15T20:59:00.000-04:00',
    );
    expect(local(planSendTime(at('2027-03-16T07:59'), NY, DEFAULT_QUIET_HOURS))).toBe(
      '2027-03-15T20:59:00.000-04:00',
    );
  });

  it('works over the DST weekends: 20:59 local the evening before, whatever the offset', () => {
    expect(local(planSendTime(at('2027-03-14T06:30'), NY, DEFAULT_QUIET_HOURS))).toBe(
      '2027-03-13T20:59:00.000-05:00',
    );
    expect(local(planSendTime(at('2027-11-07T06:30'), NY, DEFAULT_QUIET_HOURS))).toBe(
      '2027-11-06T20:59:00.000-04:00',
    );
    const london = 'Europe/London';
    expect(
      local(planSendTime(at('2027-03-28T07:00', london), london, DEFAULT_QUIET_HOURS), london),
    ).toBe('2027-03-27T20:59:00.000+00:00');
  });

  it('handles quiet hours that do not wrap midnight, and none at all', () => {
    const nap: QuietHours = { start: '13:00', end: '14:00' };
    expect(local(planSendTime(at('2027-03-15T13:20'), NY, nap))).toBe(
      '2027-03-15T12:59:00.000-04:00',
    );
    const ideal = at('2027-03-15T03:00');
    expect(planSendTime(ideal, NY, { start: '00:00', end: '00:00' })).toBe(ideal);
  });

  it('starts quiet hours that begin inside a spring-forward gap at the transition', () => {
    const quiet: QuietHours = { start: '02:30', end: '06:00' };
    expect(local(planSendTime(at('2027-03-14T04:00'), NY, quiet))).toBe(
      '2027-03-14T01:59:00.000-05:00',
    );
  });

  it('skips back a day when a spring-forward gap swallows the only audible minute', () => {
    // 01:01–01:00 leaves 01:00–01:01 audible, which London skips on 2026-03-29.
    const london = 'Europe/London';
    const quiet: QuietHours = { start: '01:01', end: '01:00' };
    const sent = planSendTime(at('2026-03-29T02:00', london), london, quiet);
    expect(local(sent, london)).toBe('2026-03-28T01:00:00.000+00:00');
  });

  it('in a fall-back hour read twice, starts the stretch at the reading before ideal', () => {
    // Sydney reads 02:00–02:59 twice on 2026-04-05; the second 02:00 is not quiet.
    const sydney = 'Australia/Sydney';
    const late: QuietHours = { start: '02:01', end: '00:00' };
    const ideal = at('2026-04-05T02:01:00+10:00', sydney);
    expect(local(planSendTime(ideal, sydney, late), sydney)).toBe('2026-04-05T02:00:00.000+10:00');
    // New York's second 01:00 on 2026-11-01 is quiet; the last audible minute is 01:59 EDT.
    const night: QuietHours = { start: '00:00', end: '01:01' };
    expect(local(planSendTime(at('2026-11-01T01:00:00-05:00'), NY, night))).toBe(
      '2026-11-01T01:59:00.000-04:00',
    );
  });

  it('never sends later than ideal, never in quiet hours, and as late as it can', () => {
    const minute = fc.integer({ min: 0, max: 1439 });
    const scenario = fc.constantFrom(...TEST_ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        ideal: instantIn(zone),
        quiet: fc.oneof(
          fc.constant(DEFAULT_QUIET_HOURS),
          fc.tuple(minute, minute).map(([s, e]) => ({ start: hhmm(s), end: hhmm(e) })),
        ),
      }),
    );
    // Judged here from the wall clock alone, independently of the code under test.
    const quietAt = (d: DateTime, zone: string, q: QuietHours): boolean => {
      const wall = d.setZone(zone);
      const t = hhmm(wall.hour * 60 + wall.minute);
      if (q.start === q.end) return false;
      return q.start < q.end ? t >= q.start && t < q.end : t >= q.start || t < q.end;
    };
    fc.assert(
      fc.property(scenario, ({ zone, ideal, quiet }) => {
        const sent = planSendTime(ideal, zone, quiet);
        expect(sent <= ideal).toBe(true);
        expect(quietAt(sent, zone, quiet)).toBe(false);
        expect(isQuietTime(sent, zone, quiet)).toBe(false);
        if (quietAt(ideal, zone, quiet)) {
          // As late as it can: every minute after `sent`, up to `ideal`, is quiet.
          expect(ideal.diff(sent, 'hours').hours).toBeLessThanOrEqual(26);
          const audible = minutesAfter(sent, ideal).find(
            (ms) => !quietAt(DateTime.fromMillis(ms, { zone }), zone, quiet),
          );
          expect(audible && new Date(audible).toISOString()).toBeUndefined();
        } else {
          expect(sent).toBe(ideal);
        }
      }),
      PROPERTY_RUNS,
    );
  });
});
