import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';

/**
 * Generators shared by the domain's property tests. Instants cluster around DST changes,
 * where scheduling code usually breaks, instead of being spread over years.
 */

export const TEST_ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Asia/Kolkata',
] as const;

/** 200 per property; PROPERTY_RUNS=20000 npx jest … searches harder for a counterexample. */
export const PROPERTY_RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) };

const RANGE_START = DateTime.fromISO('2026-01-01T00:00:00Z').toMillis();
const RANGE_END = DateTime.fromISO('2029-12-31T00:00:00Z').toMillis();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const transitionCache = new Map<string, number[]>();

/** Instants in 2026–2029 at which the zone's offset changes (found by scanning each day). */
export function transitionsOf(zone: string): number[] {
  const cached = transitionCache.get(zone);
  if (cached) return cached;
  const z = IANAZone.create(zone);
  const found: number[] = [];
  for (let t = RANGE_START; t < RANGE_END; t += DAY) {
    if (z.offset(t) === z.offset(t + DAY)) continue;
    let [lo, hi] = [t, t + DAY];
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2);
      if (z.offset(mid) === z.offset(lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  transitionCache.set(zone, found);
  return found;
}

/** Epoch milliseconds on whole minutes: half near a DST change of `zone`, half anywhere. */
export function instantMs(zone: string, spreadDays = 3): fc.Arbitrary<number> {
  const transitions = transitionsOf(zone);
  const minute = 60_000;
  const anywhere = fc
    .integer({ min: RANGE_START / minute, max: RANGE_END / minute })
    .map((m) => m * minute);
  if (transitions.length === 0) return anywhere;
  const spread = (spreadDays * DAY) / minute;
  const near = fc
    .tuple(fc.constantFrom(...transitions), fc.integer({ min: -spread, max: spread }))
    .map(([t, m]) => Math.floor(t / minute) * minute + m * minute);
  return fc.oneof(near, anywhere);
}

export function instantIn(zone: string, spreadDays = 3): fc.Arbitrary<DateTime> {
  return instantMs(zone, spreadDays).map((ms) => DateTime.fromMillis(ms, { zone }));
}

/** A zone together with an instant near one of its DST changes. */
export const zonedInstant: fc.Arbitrary<{ zone: string; at: DateTime }> = fc
  .constantFrom(...TEST_ZONES)
  .chain((zone) => instantIn(zone).map((at) => ({ zone, at })));

export function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
