import fc from 'fast-check';
import { DateTime } from 'luxon';
import { hhmm, instantMs, PROPERTY_RUNS, TEST_ZONES } from './arbitraries.testing';
import { bookingViolations, type BookingInput } from './booking-rules';
import { freeStarts } from './slots';
import { expandWorkingWindows, localIso, type Interval, type WorkingBlock } from './working-time';

const NY = 'America/New_York';
const at = (iso: string): DateTime => DateTime.fromISO(iso, { zone: NY });
const weekdays: WorkingBlock[] = [1, 2, 3, 4, 5].map((weekday) => ({
  weekday,
  start: '09:00',
  end: '17:00',
  locationId: 'main',
  modality: 'any',
}));

const base: BookingInput = {
  start: at('2027-03-15T10:00'),
  end: at('2027-03-15T10:30'),
  now: at('2027-03-01T09:00'),
  patientActive: true,
  provider: { roles: ['prescriber', 'therapist'], active: true },
  requiredRole: 'prescriber',
  zone: NY,
  blocks: weekdays,
  timeOff: [],
  closures: [],
  modality: 'in_person',
  locationId: 'main',
  overrideCadence: false,
};
const codes = (over: Partial<BookingInput>): string[] =>
  bookingViolations({ ...base, ...over }).violations.map((v) => v.code);

describe('bookingViolations', () => {
  it('accepts a valid booking', () => {
    expect(bookingViolations(base)).toEqual({ violations: [], warnings: [] });
  });

  it('lists every broken rule, in the documented order', () => {
    const { violations } = bookingViolations({
      ...base,
      start: at('2027-03-13T10:00'),
      end: at('2027-03-13T10:30'),
      now: at('2027-03-14T09:00'),
      patientActive: false,
      provider: { roles: ['therapist'], active: false },
      timeOff: [{ start: at('2027-03-13T00:00'), end: at('2027-03-14T00:00') }],
      closures: ['2027-03-13'],
      cadence: { visits: [at('2027-03-01T10:00')] },
    });
    expect(violations.map((v) => v.code)).toEqual([
      'IN_PAST',
      'PATIENT_INACTIVE',
      'PROVIDER_INACTIVE',
      'PROVIDER_NOT_ELIGIBLE',
      'OUTSIDE_WORKING_HOURS',
      'PROVIDER_TIME_OFF',
      'CLINIC_CLOSED',
      'CADENCE_TOO_SOON',
    ]);
  });

  it('lets an override through a too-soon med check but keeps warnings', () => {
    const soon = { cadence: { visits: [at('2027-03-01T10:00')] } };
    expect(codes(soon)).toEqual(['CADENCE_TOO_SOON']);
    expect(codes({ ...soon, overrideCadence: true })).toEqual([]);
    const late = bookingViolations({
      ...base,
      overrideCadence: true,
      cadence: { visits: [], anchor: at('2026-12-01T00:00') },
    });
    expect(late.violations).toEqual([]);
    expect(late.warnings.map((w) => w.code)).toEqual(['CADENCE_LATE']);
  });

  it('checks cadence only when asked (med checks)', () => {
    expect(codes({ cadence: undefined })).toEqual([]);
  });

  it('refuses a start one minute in the past but not one at now', () => {
    expect(codes({ now: at('2027-03-15T10:01') })).toEqual(['IN_PAST']);
    expect(codes({ now: at('2027-03-15T10:00') })).toEqual([]);
  });
});

describe('slot search and booking agree', () => {
  const ruleCodes = new Set([
    'OUTSIDE_WORKING_HOURS',
    'PROVIDER_TIME_OFF',
    'CLINIC_CLOSED',
    'MODALITY_NOT_OFFERED',
  ]);

  const blockArb = fc
    .record({
      weekday: fc.integer({ min: 1, max: 7 }),
      startMinute: fc.integer({ min: 0, max: 95 }).map((q) => q * 15),
      length: fc.integer({ min: 2, max: 48 }).map((q) => q * 15),
      modality: fc.constantFrom('any' as const, 'in_person' as const, 'telehealth' as const),
      locationId: fc.constantFrom('main', 'annex'),
    })
    .map(({ startMinute, length, ...rest }): WorkingBlock => ({
      ...rest,
      start: hhmm(startMinute),
      end: hhmm(Math.min(1440, startMinute + length)),
    }));

  const scenario = fc.constantFrom(...TEST_ZONES).chain((zone) =>
    instantMs(zone, 2).chain((center) => {
      const around = fc
        .integer({ min: -3 * 1440, max: 3 * 1440 })
        .map((m) => DateTime.fromMillis(center + m * 60_000, { zone }));
      const interval = fc
        .tuple(around, fc.integer({ min: 15, max: 600 }))
        .map(([s, m]): Interval => ({ start: s, end: s.plus({ minutes: m }) }));
      return fc.record({
        zone: fc.constant(zone),
        from: fc.constant(DateTime.fromMillis(center - 3 * 86_400_000, { zone })),
        to: fc.constant(DateTime.fromMillis(center + 3 * 86_400_000, { zone })),
        blocks: fc.array(blockArb, { minLength: 1, maxLength: 5 }),
        timeOff: fc.array(interval, { maxLength: 2 }),
        closedOffsets: fc.uniqueArray(fc.integer({ min: -3, max: 3 }), { maxLength: 2 }),
        booked: fc.array(interval, { maxLength: 4 }),
        durationMinutes: fc.constantFrom(30, 50, 60),
        modality: fc.constantFrom('in_person' as const, 'telehealth' as const),
        locationId: fc.constantFrom('main', 'annex'),
        picks: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      });
    }),
  );

  it('never lets booking refuse a slot that search offered, and accepted bookings never overlap', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const [fromDate, toDate] = [s.from.toISODate() ?? '', s.to.toISODate() ?? ''];
        const closures = s.closedOffsets.map((d) => s.from.plus({ days: 3 + d }).toISODate() ?? '');
        // What the app does: closed days drop out of the windows, time off joins the busy time.
        const windows = expandWorkingWindows(s.blocks, s.zone, fromDate, toDate).filter(
          (w) => w.locationId === s.locationId && !closures.includes(w.date),
        );
        const accepted: Interval[] = [];
        const rules = (start: DateTime): string[] =>
          bookingViolations({
            ...base,
            start,
            end: start.plus({ minutes: s.durationMinutes }),
            now: s.from,
            zone: s.zone,
            blocks: s.blocks,
            timeOff: s.timeOff,
            closures,
            modality: s.modality,
            locationId: s.locationId,
          }).violations.map((v) => v.code);

        const millis = ({ start, end }: Interval) => ({
          start: start.toMillis(),
          end: end.toMillis(),
        });
        for (const pick of s.picks) {
          const starts = freeStarts({
            windows,
            busy: [...s.booked, ...accepted, ...s.timeOff].map(millis),
            durationMinutes: s.durationMinutes,
            from: s.from.toMillis(),
            to: s.to.toMillis(),
            notBefore: s.from.toMillis(),
            modality: s.modality,
          });
          if (starts.length === 0) break;
          const found = starts[pick % starts.length];
          // What the front desk gets back and books: the start as a local ISO instant.
          const start = DateTime.fromISO(localIso(found.window, found.start), { setZone: true });
          expect(start.toMillis()).toBe(found.start);
          expect(rules(start).filter((c) => ruleCodes.has(c))).toEqual([]);
          expect(rules(start.setZone(s.zone))).toEqual([]);
          accepted.push({ start, end: start.plus({ minutes: s.durationMinutes }) });
        }
        const overlaps = (a: Interval, b: Interval): boolean => a.start < b.end && b.start < a.end;
        accepted.forEach((a, i) => {
          expect(accepted.slice(i + 1).some((b) => overlaps(a, b))).toBe(false);
          expect([...s.booked, ...s.timeOff].some((b) => overlaps(a, b))).toBe(false);
        });
      }),
      PROPERTY_RUNS,
    );
  });
});
