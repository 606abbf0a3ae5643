import { DateTime } from 'luxon';
import { addYears, fromDayNumber, toDayNumber } from './calendar-date';
import { DomainError } from './errors';
import { formatLocalTime, ianaZone, localDateOf, WallClockResolver } from './local-time';

export { localWallTime } from './local-time';

export type Frequency = 'weekly' | 'biweekly';
export const MAX_SERIES_COUNT = 52;

export interface Occurrence {
  /** 0 for the first visit of the series. */
  index: number;
  localDate: string;
  localTime: string;
  /** null when the wall-clock time does not exist that day (spring-forward gap). */
  startsAt: DateTime | null;
  problem?: 'NONEXISTENT_LOCAL_TIME';
}

export interface SeriesInput {
  firstStartsAt: DateTime;
  zone: string;
  frequency: Frequency;
  count?: number;
  /** Inclusive: an occurrence starting exactly at `until` is part of the series. */
  until?: DateTime;
}

export const FREQUENCY_DAYS: Record<Frequency, number> = { weekly: 7, biweekly: 14 };

/**
 * The occurrences of a therapy series: every 7 or 14 local calendar days at the first
 * visit's local wall-clock time, so 10:00 stays 10:00 across DST changes.
 *
 * A time that does not exist on some date is reported with `startsAt: null` rather than
 * moved to 03:30: the front desk chooses, nobody gets an hour they did not agree to. An
 * ambiguous time takes its first (earlier) occurrence. The series stops at `count`, at
 * `until`, after MAX_SERIES_COUNT occurrences or one year after the first, whichever
 * comes first; occurrences without a start still count.
 */
export function seriesOccurrences(input: SeriesInput): Occurrence[] {
  const zone = ianaZone(input.zone);
  const count = input.count ?? MAX_SERIES_COUNT;
  if (!Number.isInteger(count) || count < 1) {
    throw DomainError.validation(
      'count',
      'positiveInteger',
      `a series needs at least one visit (count ${count})`,
    );
  }
  const first = input.firstStartsAt.setZone(zone);
  const firstDate = localDateOf(first, zone);
  const firstDay = toDayNumber(firstDate);
  const lastDay = toDayNumber(addYears(firstDate, 1));
  const wallTime =
    ((first.hour * 60 + first.minute) * 60 + first.second) * 1000 + first.millisecond;
  const localTime = formatLocalTime(wallTime);
  const until = input.until?.toMillis() ?? Number.POSITIVE_INFINITY;
  const resolver = new WallClockResolver(zone);
  const step = FREQUENCY_DAYS[input.frequency];

  const occurrences: Occurrence[] = [];
  for (let index = 0; index < Math.min(count, MAX_SERIES_COUNT); index++) {
    const day = firstDay + index * step;
    if (day > lastDay) break;
    const resolved =
      index === 0 ? { exists: true, at: first.toMillis() } : resolver.resolve(day, wallTime);
    // A missing time is measured against `until` by the instant it would have slid to.
    if (resolved.at > until) break;
    const occurrence: Occurrence = {
      index,
      localDate: fromDayNumber(day),
      localTime,
      startsAt: resolved.exists
        ? index === 0
          ? first
          : DateTime.fromMillis(resolved.at, { zone })
        : null,
    };
    if (!resolved.exists) occurrence.problem = 'NONEXISTENT_LOCAL_TIME';
    occurrences.push(occurrence);
  }
  return occurrences;
}
