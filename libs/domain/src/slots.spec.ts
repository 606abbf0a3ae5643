import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { hhmm, instantMs, PROPERTY_RUNS, TEST_ZONES } from './arbitraries.testing';
import { DomainError } from './errors';
import { freeStarts, type FreeStart, type FreeStartsInput } from './slots';
import {
  expandWorkingWindows,
  localIso,
  windowOffsetAt,
  type Span,
  type WorkingBlock,
  type WorkingWindow,
} from './working-time';

const NY = 'America/New_York';
const at = (iso: string, zone = NY): number => DateTime.fromISO(iso, { zone }).toMillis();
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
const times = (starts: FreeStart[], zone = NY): string[] =>
  starts.map((s) => DateTime.fromMillis(s.start, { zone }).toFormat('MM-dd HH:mm'));
const isos = (starts: FreeStart[]): string[] => starts.map((s) => localIso(s.window, s.start));

describe('freeStarts', () => {
  const monday = expandWorkingWindows([block(1, '09:00', '11:00')], NY, '2027-03-15', '2027-03-15');
  const base: FreeStartsInput = {
    windows: monday,
    busy: [],
    durationMinutes: 30,
    from: at('2027-03-15T00:00'),
    to: at('2027-03-16T00:00'),
    notBefore: at('2027-03-01T00:00'),
  };

  it('offers every grid start where the visit fits the window', () => {
    expect(times(freeStarts(base))).toEqual([
      '03-15 09:00',
      '03-15 09:15',
      '03-15 09:30',
      '03-15 09:45',
      '03-15 10:00',
      '03-15 10:15',
      '03-15 10:30',
    ]);
  });

  it('leaves out busy time, with half-open edges', () => {
    const busy: Span[] = [{ start: at('2027-03-15T09:30'), end: at('2027-03-15T10:15') }];
    expect(times(freeStarts({ ...base, busy }))).toEqual([
      '03-15 09:00',
      '03-15 10:15',
      '03-15 10:30',
    ]);
  });

  it('respects from, to and notBefore', () => {
    const starts = freeStarts({
      ...base,
      from: at('2027-03-15T09:10'),
      to: at('2027-03-15T10:30'),
      notBefore: at('2027-03-15T09:31'),
    });
    expect(times(starts)).toEqual(['03-15 09:45', '03-15 10:00', '03-15 10:15']);
  });

  it('filters windows by modality when asked', () => {
    const windows = expandWorkingWindows(
      [block(1, '09:00', '10:00', { modality: 'telehealth' })],
      NY,
      '2027-03-15',
      '2027-03-15',
    );
    expect(freeStarts({ ...base, windows, modality: 'in_person' })).toEqual([]);
    expect(freeStarts({ ...base, windows, modality: 'telehealth' })).toHaveLength(3);
    expect(freeStarts({ ...base, windows })).toHaveLength(3);
  });

  it('aligns the grid to the local wall clock, even on a half-hour offset', () => {
    const zone = 'Asia/Kolkata';
    const windows = expandWorkingWindows(
      [block(1, '09:00', '12:00')],
      zone,
      '2027-03-15',
      '2027-03-15',
    );
    const starts = freeStarts({
      ...base,
      windows,
      gridMinutes: 60,
      durationMinutes: 50,
      from: at('2027-03-14T00:00', zone),
    });
    expect(isos(starts)).toEqual([
      '2027-03-15T09:00:00.000+05:30',
      '2027-03-15T10:00:00.000+05:30',
      '2027-03-15T11:00:00.000+05:30',
    ]);
  });

  it('keeps the local grid through a fall-back hour inside a window', () => {
    const windows = expandWorkingWindows(
      [block(7, '00:30', '03:00')],
      NY,
      '2027-11-07',
      '2027-11-07',
    );
    const starts = freeStarts({
      ...base,
      windows,
      gridMinutes: 60,
      durationMinutes: 60,
      from: at('2027-11-01T00:00'),
      to: at('2027-11-08T00:00'),
    });
    expect(isos(starts)).toEqual([
      '2027-11-07T01:00:00.000-04:00',
      '2027-11-07T01:00:00.000-05:00',
      '2027-11-07T02:00:00.000-05:00',
    ]);
    // The first visit ends after the change: its end reads in the new offset.
    expect(localIso(starts[0].window, starts[0].start + 60 * 60_000)).toBe(
      '2027-11-07T01:00:00.000-05:00',
    );
  });

  it('never returns a start twice when windows overlap', () => {
    const windows = expandWorkingWindows(
      [block(1, '09:00', '10:00'), block(1, '09:30', '10:30', { locationId: 'annex' })],
      NY,
      '2027-03-15',
      '2027-03-15',
    );
    const starts = freeStarts({ ...base, windows });
    expect(times(starts)).toEqual([
      '03-15 09:00',
      '03-15 09:15',
      '03-15 09:30',
      '03-15 09:45',
      '03-15 10:00',
    ]);
    // Each start names the window its whole visit fits in: 09:45–10:15 only fits the annex.
    expect(starts.map((s) => s.window.locationId)).toEqual([
      'main',
      'main',
      'main',
      'annex',
      'annex',
    ]);
  });

  it('refuses a bad grid, duration or limit', () => {
    expect(() => freeStarts({ ...base, gridMinutes: 0 })).toThrow(DomainError);
    expect(() => freeStarts({ ...base, durationMinutes: -30 })).toThrow(DomainError);
    expect(() => freeStarts({ ...base, limit: 0 })).toThrow(DomainError);
  });

  it('stops at the window after the last start a limit needs', () => {
    const week = expandWorkingWindows(
      [1, 2, 3, 4, 5].map((d) => block(d, '09:00', '10:00')),
      NY,
      '2027-03-15',
      '2027-03-19',
    );
    const input = { ...base, windows: week, to: at('2027-03-20T00:00') };
    expect(times(freeStarts({ ...input, limit: 5 }))).toEqual([
      '03-15 09:00',
      '03-15 09:15',
      '03-15 09:30',
      '03-16 09:00',
      '03-16 09:15',
    ]);
    // Wednesday's window is never swept: reading its end would throw.
    const poisoned: WorkingWindow = {
      ...week[2],
      get end(): number {
        throw new Error('swept past the limit');
      },
    };
    const windows = [week[0], week[1], poisoned, week[3], week[4]];
    expect(() => freeStarts({ ...input, windows })).toThrow('swept past the limit');
    expect(freeStarts({ ...input, windows, limit: 5 })).toEqual(freeStarts({ ...input, limit: 5 }));
  });

  it('sweeps 12 weeks with 5,000 busy intervals', () => {
    const template = [1, 2, 3, 4, 5].map((d) => block(d, '08:00', '18:00'));
    const windows = expandWorkingWindows(template, NY, '2027-03-01', '2027-05-23');
    const start = at('2027-03-01T08:00');
    const busy: Span[] = Array.from({ length: 5000 }, (_, i) => {
      const s = start + ((i * 7919) % (84 * 96)) * 15 * 60_000;
      return { start: s, end: s + 15 * 60_000 };
    });
    const starts = freeStarts({
      ...base,
      windows,
      busy,
      from: at('2027-03-01T00:00'),
      to: at('2027-05-24T00:00'),
    });
    expect(starts.length).toBeGreaterThan(0);
    expect(noneOverlap(starts, busy, 30)).toBe(true);
  });

  it('agrees with a brute-force search, near DST changes in several zones', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const found = freeStarts(s.input);
        const duration = s.input.durationMinutes * 60_000;
        expect(found.map((f) => f.start)).toEqual(bruteForce(s.input, s.zone));
        expect(noneOverlap(found, s.input.busy, s.input.durationMinutes)).toBe(true);
        const zone = IANAZone.create(s.zone);
        for (const { start, window } of found) {
          // The visit fits the window it names, a window the search was given and may use.
          expect(s.input.windows).toContain(window);
          expect(window.start <= start && start + duration <= window.end).toBe(true);
          if (s.input.modality) expect(['any', s.input.modality]).toContain(window.modality);
          // Its start and end read as local time with the zone's own offsets.
          expect(windowOffsetAt(window, start)).toBe(zone.offset(start));
          expect(windowOffsetAt(window, start + duration)).toBe(zone.offset(start + duration));
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it('with a limit, gives the earliest starts of the whole search, in any window order', () => {
    const withOrders = scenario.chain((s) =>
      fc.record({
        s: fc.constant(s),
        limit: fc.integer({ min: 1, max: 40 }),
        shuffled: fc.shuffledSubarray([...s.input.windows], {
          minLength: s.input.windows.length,
          maxLength: s.input.windows.length,
        }),
      }),
    );
    fc.assert(
      fc.property(withOrders, ({ s, limit, shuffled }) => {
        const all = freeStarts(s.input);
        expect(freeStarts({ ...s.input, limit })).toEqual(all.slice(0, limit));
        const instants = (found: FreeStart[]) => found.map((f) => f.start);
        const reordered = { ...s.input, windows: shuffled };
        expect(instants(freeStarts(reordered))).toEqual(instants(all));
        expect(instants(freeStarts({ ...reordered, limit }))).toEqual(
          instants(all.slice(0, limit)),
        );
        // Every window twice (another location at the same hours): the same instants.
        const doubled = s.input.windows.flatMap((w) => [w, { ...w, locationId: 'annex' }]);
        expect(freeStarts({ ...s.input, windows: doubled, limit })).toEqual(all.slice(0, limit));
      }),
      PROPERTY_RUNS,
    );
  });
});

function noneOverlap(
  starts: readonly FreeStart[],
  busy: readonly Span[],
  minutes: number,
): boolean {
  return starts.every(({ start }) => {
    const [a, b] = [start, start + minutes * 60_000];
    return busy.every((x) => !(x.start < b && a < x.end));
  });
}

/** Tries every 5 minutes of every window; reads offsets straight from the zone. */
function bruteForce(input: FreeStartsInput, zone: string): number[] {
  const z = IANAZone.create(zone);
  const grid = (input.gridMinutes ?? 15) * 60_000;
  const duration = input.durationMinutes * 60_000;
  const step = 5 * 60_000;
  const offsets = new Map<number, number>();
  // Offsets in these zones change only on whole quarter hours.
  const offsetAt = (t: number): number => {
    const bucket = Math.floor(t / (15 * 60_000));
    let o = offsets.get(bucket);
    if (o === undefined) offsets.set(bucket, (o = z.offset(t)));
    return o;
  };
  const found = new Set<number>();
  for (const w of input.windows) {
    if (input.modality && w.modality !== 'any' && w.modality !== input.modality) continue;
    for (let t = Math.ceil(w.start / step) * step; t + duration <= w.end; t += step) {
      const localMinuteOfDay = Math.floor((t + offsetAt(t) * 60_000) / 60_000) % 1440;
      if ((localMinuteOfDay * 60_000) % grid !== 0) continue;
      if (t < input.from || t >= input.to || t < input.notBefore) continue;
      if (input.busy.some((b) => b.start < t + duration && t < b.end)) continue;
      found.add(t);
    }
  }
  return [...found].sort((a, b) => a - b);
}

const blockArb = fc
  .record({
    weekday: fc.integer({ min: 1, max: 7 }),
    startMinute: fc.integer({ min: 0, max: 287 }).map((m) => m * 5),
    length: fc.integer({ min: 6, max: 288 }).map((m) => m * 5),
    modality: fc.constantFrom('any' as const, 'in_person' as const, 'telehealth' as const),
  })
  .map(({ weekday, startMinute, length, modality }) =>
    block(weekday, hhmm(startMinute), hhmm(Math.min(1440, startMinute + length)), { modality }),
  );

const scenario = fc.constantFrom(...TEST_ZONES).chain((zone) =>
  instantMs(zone, 2).chain((center) => {
    const day = 86_400_000;
    const around = fc
      .integer({ min: -2 * 24 * 60, max: 3 * 24 * 60 })
      .map((m) => center + m * 60_000);
    return fc
      .record({
        blocks: fc.array(blockArb, { minLength: 1, maxLength: 6 }),
        busy: fc.array(fc.tuple(around, fc.integer({ min: 1, max: 240 })), { maxLength: 12 }),
        durationMinutes: fc.constantFrom(30, 50, 60),
        gridMinutes: fc.constantFrom(undefined, 15, 30, 60),
        // Mostly the whole range, sometimes a cut through it.
        from: fc.oneof(fc.constant(center - 2 * day), around),
        span: fc.integer({ min: day, max: 5 * day }),
        notBefore: fc.oneof(fc.constant(center - 10 * day), around),
        modality: fc.constantFrom(undefined, 'in_person' as const, 'telehealth' as const),
      })
      .map((r) => {
        const local = (ms: number): DateTime => DateTime.fromMillis(ms, { zone });
        const windows: WorkingWindow[] = expandWorkingWindows(
          r.blocks,
          zone,
          local(center - 3 * day).toISODate() ?? '',
          local(center + 4 * day).toISODate() ?? '',
        );
        const input: FreeStartsInput = {
          windows,
          busy: r.busy.map(([s, minutes]) => ({ start: s, end: s + minutes * 60_000 })),
          durationMinutes: r.durationMinutes,
          gridMinutes: r.gridMinutes,
          from: r.from,
          to: r.from + r.span,
          notBefore: r.notBefore,
          modality: r.modality,
        };
        return { zone, input };
      });
  }),
);
