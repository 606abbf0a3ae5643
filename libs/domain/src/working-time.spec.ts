import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { hhmm, instantIn, PROPERTY_RUNS, TEST_ZONES } from './arbitraries.testing';
import { DomainError } from './errors';
import { localDateOf } from './local-time';
import {
  expandWorkingWindows,
  localIso,
  windowOffsetAt,
  workingTimeViolations,
  type WorkingBlock,
  type WorkingTimeInput,
  type WorkingWindow,
} from './working-time';

const NY = 'America/New_York';
const at = (iso: string): DateTime => DateTime.fromISO(iso, { zone: NY });
const block = (
  weekday: number,
  start: string,
  end: string,
  extra: Partial<WorkingBlock> = {},
): WorkingBlock => ({
  weekday,
  start,
  end,
  locationId: 'main',
  modality: 'any',
  ...extra,
});
const iso = (w: WorkingWindow): [string, string] => [localIso(w, w.start), localIso(w, w.end)];

describe('expandWorkingWindows', () => {
  it('lays the template onto each local date, sorted by start', () => {
    const windows = expandWorkingWindows(
      [
        block(1, '13:00', '17:00', { modality: 'telehealth' }),
        block(1, '09:00', '12:00'),
        block(3, '09:00', '17:00'),
      ],
      NY,
      '2027-03-15',
      '2027-03-21',
    );
    expect(windows.map(iso)).toEqual([
      ['2027-03-15T09:00:00.000-04:00', '2027-03-15T12:00:00.000-04:00'],
      ['2027-03-15T13:00:00.000-04:00', '2027-03-15T17:00:00.000-04:00'],
      ['2027-03-17T09:00:00.000-04:00', '2027-03-17T17:00:00.000-04:00'],
    ]);
    expect(windows[1]).toMatchObject({ locationId: 'main', modality: 'telehealth' });
  });

  it('keeps 09:00–17:00 local on both DST-change days', () => {
    const windows = expandWorkingWindows(
      [block(7, '09:00', '17:00')],
      NY,
      '2027-03-14',
      '2027-11-07',
    );
    const spring = windows.find((w) => w.date === '2027-03-14');
    const fall = windows.find((w) => w.date === '2027-11-07');
    expect(spring && iso(spring)).toEqual([
      '2027-03-14T09:00:00.000-04:00',
      '2027-03-14T17:00:00.000-04:00',
    ]);
    expect(fall && iso(fall)).toEqual([
      '2027-11-07T09:00:00.000-05:00',
      '2027-11-07T17:00:00.000-05:00',
    ]);
  });

  it('moves a boundary inside the spring-forward gap to the first instant after it', () => {
    const [window] = expandWorkingWindows(
      [block(7, '02:30', '04:00')],
      NY,
      '2027-03-14',
      '2027-03-14',
    );
    expect(window && iso(window)).toEqual([
      '2027-03-14T03:00:00.000-04:00',
      '2027-03-14T04:00:00.000-04:00',
    ]);
  });

  it('starts an ambiguous boundary at its first occurrence', () => {
    const [window] = expandWorkingWindows(
      [block(7, '01:30', '03:00')],
      NY,
      '2027-11-07',
      '2027-11-07',
    );
    expect(window && iso(window)).toEqual([
      '2027-11-07T01:30:00.000-04:00',
      '2027-11-07T03:00:00.000-05:00',
    ]);
    expect(window && (window.end - window.start) / 60_000).toBe(150);
    expect(window?.shift).toEqual({
      at: DateTime.fromISO('2027-11-07T01:00:00.000-05:00').toMillis(),
      offset: -300,
    });
  });

  it('runs a block to 24:00 and drops blocks that cover nothing', () => {
    const windows = expandWorkingWindows(
      [block(1, '20:00', '24:00'), block(1, '17:00', '09:00'), block(7, '02:00', '02:45')],
      NY,
      '2027-03-14',
      '2027-03-15',
    );
    expect(windows.map(iso)).toEqual([
      ['2027-03-15T20:00:00.000-04:00', '2027-03-16T00:00:00.000-04:00'],
    ]);
  });

  it("carries the local date and the zone's offsets at both ends and at a change", () => {
    const blockArb = fc
      .record({
        weekday: fc.integer({ min: 1, max: 7 }),
        startMinute: fc.integer({ min: 0, max: 287 }).map((m) => m * 5),
        length: fc.integer({ min: 6, max: 288 }).map((m) => m * 5),
      })
      .map(({ weekday, startMinute, length }) =>
        block(weekday, hhmm(startMinute), hhmm(Math.min(1440, startMinute + length))),
      );
    const case_ = fc.constantFrom(...TEST_ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        around: instantIn(zone),
        blocks: fc.array(blockArb, { minLength: 1, maxLength: 5 }),
      }),
    );
    fc.assert(
      fc.property(case_, ({ zone, around, blocks }) => {
        const z = IANAZone.create(zone);
        const windows = expandWorkingWindows(
          blocks,
          zone,
          localDateOf(around.minus({ days: 2 }), zone),
          localDateOf(around.plus({ days: 2 }), zone),
        );
        for (const w of windows) {
          expect(localDateOf(DateTime.fromMillis(w.start), zone)).toBe(w.date);
          expect(localDateOf(DateTime.fromMillis(w.end - 1), zone)).toBe(w.date);
          for (const t of [w.start, w.end, w.shift?.at ?? w.end, Math.floor((w.start + w.end) / 2)])
            expect(windowOffsetAt(w, t)).toBe(z.offset(t));
          if (w.shift) expect(z.offset(w.shift.at - 1)).toBe(w.offset);
          const read = DateTime.fromISO(localIso(w, w.start), { setZone: true });
          expect([read.toMillis(), read.offset]).toEqual([w.start, z.offset(w.start)]);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it('is empty for an empty range and refuses bad templates', () => {
    expect(
      expandWorkingWindows([block(1, '09:00', '17:00')], NY, '2027-03-16', '2027-03-15'),
    ).toEqual([]);
    expect(() =>
      expandWorkingWindows([block(8, '09:00', '17:00')], NY, '2027-03-15', '2027-03-15'),
    ).toThrow(DomainError);
    expect(() =>
      expandWorkingWindows([block(1, '9am', '17:00')], NY, '2027-03-15', '2027-03-15'),
    ).toThrow(DomainError);
  });
});

describe('workingTimeViolations', () => {
  const base: WorkingTimeInput = {
    start: at('2027-03-15T10:00'),
    end: at('2027-03-15T10:30'),
    zone: NY,
    blocks: [
      block(1, '09:00', '12:00'),
      block(1, '12:00', '17:00', { modality: 'telehealth' }),
      block(2, '09:00', '17:00', { locationId: 'annex', modality: 'in_person' }),
      block(7, '09:00', '17:00'),
    ],
    timeOff: [],
    closures: [],
    modality: 'in_person',
    locationId: 'main',
  };
  const codes = (over: Partial<WorkingTimeInput>): string[] =>
    workingTimeViolations({ ...base, ...over }).map((v) => v.code);

  it('accepts a visit wholly inside a window', () => {
    expect(workingTimeViolations(base)).toEqual([]);
    expect(codes({ start: at('2027-03-15T09:00'), end: at('2027-03-15T12:00') })).toEqual([]);
  });

  it('needs one window: a visit across two adjacent blocks is outside working hours', () => {
    expect(
      codes({ start: at('2027-03-15T11:45'), end: at('2027-03-15T12:15'), modality: 'telehealth' }),
    ).toEqual(['OUTSIDE_WORKING_HOURS']);
  });

  it('explains the day when a visit is outside working hours', () => {
    const [violation] = workingTimeViolations({
      ...base,
      start: at('2027-03-15T17:00'),
      end: at('2027-03-15T17:30'),
    });
    expect(violation).toEqual({
      code: 'OUTSIDE_WORKING_HOURS',
      detail:
        "2027-03-15 17:00–17:30 is outside the provider's working hours (on 2027-03-15 the provider works 09:00–12:00, 12:00–17:00)",
    });
    expect(
      workingTimeViolations({
        ...base,
        start: at('2027-03-16T10:00'),
        end: at('2027-03-16T10:30'),
      })[0]?.detail,
    ).toMatch(/another location/);
    expect(
      workingTimeViolations({
        ...base,
        start: at('2027-03-18T10:00'),
        end: at('2027-03-18T10:30'),
      })[0]?.detail,
    ).toMatch(/the provider does not work on 2027-03-18/);
  });

  it('reports a block of the other modality as MODALITY_NOT_OFFERED, not as outside hours', () => {
    expect(codes({ start: at('2027-03-15T13:00'), end: at('2027-03-15T13:30') })).toEqual([
      'MODALITY_NOT_OFFERED',
    ]);
    expect(
      codes({ start: at('2027-03-15T13:00'), end: at('2027-03-15T13:30'), modality: 'telehealth' }),
    ).toEqual([]);
    expect(
      codes({
        start: at('2027-03-16T10:00'),
        end: at('2027-03-16T10:30'),
        modality: 'telehealth',
        locationId: 'annex',
      }),
    ).toEqual(['MODALITY_NOT_OFFERED']);
  });

  it('matches any location when none is given', () => {
    expect(
      codes({ start: at('2027-03-16T10:00'), end: at('2027-03-16T10:30'), locationId: undefined }),
    ).toEqual([]);
  });

  it('refuses time off it overlaps, not time off it only touches', () => {
    const off = { start: at('2027-03-15T10:15'), end: at('2027-03-15T11:00') };
    expect(codes({ timeOff: [off] })).toEqual(['PROVIDER_TIME_OFF']);
    expect(
      codes({ timeOff: [{ start: at('2027-03-15T09:00'), end: at('2027-03-15T10:00') }] }),
    ).toEqual([]);
  });

  it('refuses a closure day', () => {
    expect(codes({ closures: ['2027-03-15'] })).toEqual(['CLINIC_CLOSED']);
  });

  it('does not take a visit ending at midnight into the next (closed) day', () => {
    const late = { ...base, blocks: [block(1, '20:00', '24:00')] };
    expect(
      workingTimeViolations({
        ...late,
        start: at('2027-03-15T23:30'),
        end: at('2027-03-16T00:00'),
        closures: ['2027-03-16'],
      }),
    ).toEqual([]);
  });

  it('fits the last half hour of 09:00–17:00 on a DST-change day', () => {
    expect(codes({ start: at('2027-03-14T16:30'), end: at('2027-03-14T17:00') })).toEqual([]);
    expect(codes({ start: at('2027-11-07T16:30'), end: at('2027-11-07T17:00') })).toEqual([]);
    expect(codes({ start: at('2027-11-07T16:45'), end: at('2027-11-07T17:15') })).toEqual([
      'OUTSIDE_WORKING_HOURS',
    ]);
  });

  it('reports every broken rule, in order', () => {
    const start = at('2027-03-15T18:00');
    const violations = workingTimeViolations({
      ...base,
      start,
      end: at('2027-03-15T18:30'),
      timeOff: [
        { start: at('2027-03-15T00:00'), end: at('2027-03-16T00:00') },
        { start: at('2027-03-15T18:15'), end: at('2027-03-15T19:00') },
      ],
      closures: ['2027-03-15'],
    });
    expect(violations.map((v) => v.code)).toEqual([
      'OUTSIDE_WORKING_HOURS',
      'PROVIDER_TIME_OFF',
      'PROVIDER_TIME_OFF',
      'CLINIC_CLOSED',
    ]);
  });
});
