import { DateTime, IANAZone, type Zone } from 'luxon';
import { fromDayNumber, toDayNumber } from './calendar-date';
import { DomainError } from './errors';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

const LOCAL_TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

// Validating a zone name builds an Intl formatter (~100 µs); the set of zones is small.
const validZones = new Map<string, ProbedZone>();

/**
 * A validated IANA zone; a bad name is the caller's input error, never a crash. Its
 * offsets come from probes kept for the life of the process (see {@link ProbedZone}), so
 * luxon DateTimes made or moved in it skip Intl: use it rather than a zone's name.
 */
export function ianaZone(name: string): IANAZone {
  const known = validZones.get(name);
  if (known) return known;
  if (!IANAZone.isValidZone(name)) {
    throw DomainError.validation('timezone', 'ianaZone', `"${name}" is not an IANA time zone`);
  }
  const zone = new ProbedZone(name);
  validZones.set(name, zone);
  return zone;
}

/**
 * Milliseconds after local midnight. Accepts 'HH:mm' and Postgres' 'HH:mm:ss'; '24:00'
 * is allowed so a block can run to the end of the day.
 */
export function parseLocalTime(time: string): number {
  const match = LOCAL_TIME.exec(time);
  if (match) {
    const [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3] ?? '0')];
    const ms = ((h * 60 + m) * 60 + s) * 1000;
    if (m < 60 && s < 60 && ms <= MS_PER_DAY) return ms;
  }
  throw DomainError.validation('time', 'localTime', `"${time}" is not a local time (HH:mm)`);
}

export function formatLocalTime(msOfDay: number): string {
  const minutes = Math.floor(msOfDay / MS_PER_MINUTE);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The local calendar date of an instant in a zone, as 'YYYY-MM-DD'. */
export function localDateOf(instant: DateTime, zone: string | Zone): string {
  const z = typeof zone === 'string' ? ianaZone(zone) : zone;
  // An instant already in the zone knows its offset; asking Intl again costs microseconds.
  const offset = instant.zone.equals(z) ? instant.offset : z.offset(instant.toMillis());
  return fromDayNumber(Math.floor((instant.toMillis() + offset * MS_PER_MINUTE) / MS_PER_DAY));
}

const PROBE_STEP = 8;

/** Where a local wall-clock time lands: its instant, or the gap it falls into. */
export type WallResolution =
  | { exists: true; at: number }
  /** `at` is the first valid instant after the nonexistent wall time (the transition). */
  | { exists: false; at: number };

/**
 * Turns (local day, time of day) into instants for one zone. Ambiguous times (fall-back)
 * resolve to the earlier instant; luxon on its own picks the later one, and never tells
 * about gaps, so both cases are handled here.
 *
 * Intl offset lookups cost microseconds each and slot search resolves hundreds of block
 * boundaries per request, so a day whose surroundings have one offset takes a fast path.
 */
export class WallClockResolver {
  private readonly probes = new Map<number, number>();

  constructor(readonly zone: IANAZone) {}

  resolve(day: number, msOfDay: number): WallResolution {
    const naive = day * MS_PER_DAY + msOfDay;
    const offset = this.steadyOffset(day);
    if (offset !== undefined) return { exists: true, at: naive - offset * MS_PER_MINUTE };
    return this.resolveNearTransition(naive);
  }

  /** The zone's UTC offset in minutes at an instant, from the probes when they can tell. */
  offsetAt(at: number): number {
    // steadyOffset(day) vouches for every instant from day - 1 to day + 2 (UTC days).
    return this.steadyOffset(Math.floor(at / MS_PER_DAY)) ?? this.zone.offset(at);
  }

  /**
   * The zone's offset for every wall time of `day`, when it has only one. Those instants
   * lie within a day of the day itself; if the offset is the same on both sides of that
   * span, it is the same throughout (no zone changes its offset and back within 24 days).
   * Probing in 8-day steps first keeps a 12-week expansion to about a dozen lookups.
   */
  private steadyOffset(day: number): number | undefined {
    const step = Math.floor(day / PROBE_STEP);
    const coarse = this.probe((step - 1) * PROBE_STEP);
    if (coarse === this.probe((step + 2) * PROBE_STEP)) return coarse;
    const before = this.probe(day - 1);
    return before === this.probe(day + 2) ? before : undefined;
  }

  private probe(day: number): number {
    let offset = this.probes.get(day);
    if (offset === undefined) {
      offset = this.zone.offset(day * MS_PER_DAY);
      this.probes.set(day, offset);
    }
    return offset;
  }

  private resolveNearTransition(naive: number): WallResolution {
    const offsets = [
      ...new Set([-MS_PER_DAY, 0, MS_PER_DAY].map((p) => this.zone.offset(naive + p))),
    ];
    const valid = offsets
      .map((o) => naive - o * MS_PER_MINUTE)
      .filter((at) => this.zone.offset(at) * MS_PER_MINUTE === naive - at);
    if (valid.length > 0) return { exists: true, at: Math.min(...valid) };
    const lo = naive - Math.max(...offsets) * MS_PER_MINUTE;
    const hi = naive - Math.min(...offsets) * MS_PER_MINUTE;
    return { exists: false, at: firstInstantAfterChange(this.zone, lo, hi) };
  }
}

/**
 * An IANA zone that answers luxon's offset questions from a WallClockResolver's probes.
 * luxon asks a zone for its offset whenever it makes or moves a DateTime in it, and Intl
 * answers each in microseconds (a tenth of a booking's CPU went there); the probes are
 * facts about the zone, shared by every request. Near a transition, where the probes
 * cannot vouch for an offset, the answer is Intl's as before. The resolver itself asks a
 * plain luxon zone of the same name.
 */
class ProbedZone extends IANAZone {
  readonly resolver: WallClockResolver;

  constructor(name: string) {
    super(name);
    this.resolver = new WallClockResolver(IANAZone.create(name));
  }

  override offset(ts: number): number {
    return Number.isFinite(ts) ? this.resolver.offsetAt(ts) : super.offset(ts);
  }
}

const resolvers = new Map<IANAZone, WallClockResolver>();

/**
 * The zone's resolver, kept for the life of the process: its probes are facts about the
 * zone (its offset at given instants), so requests share them instead of asking Intl again.
 */
export function wallClockResolver(zone: IANAZone): WallClockResolver {
  if (zone instanceof ProbedZone) return zone.resolver;
  let resolver = resolvers.get(zone);
  if (!resolver) resolvers.set(zone, (resolver = new WallClockResolver(zone)));
  return resolver;
}

/** Smallest instant in (lo, hi] whose offset differs from lo's: the transition between them. */
export function firstInstantAfterChange(zone: Zone, lo: number, hi: number): number {
  const from = zone.offset(lo);
  let [a, b] = [lo, hi];
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (zone.offset(mid) === from) a = mid;
    else b = mid;
  }
  return b;
}

/**
 * The instant of a local date and wall-clock time in a zone: null when that time does
 * not exist (spring-forward gap), the earlier instant when it happens twice (fall-back).
 */
export function localWallTime(date: string, time: string, zone: string): DateTime | null {
  const iana = ianaZone(zone);
  const resolved = wallClockResolver(iana).resolve(toDayNumber(date), parseLocalTime(time));
  return resolved.exists ? DateTime.fromMillis(resolved.at, { zone: iana }) : null;
}
