import type { DateTime } from 'luxon';
import { addDays, daysBetween } from './calendar-date';
import type { Violation } from './errors';
import { ianaZone, localDateOf } from './local-time';

export const MIN_MED_GAP_WEEKS = 4;
export const MAX_MED_GAP_WEEKS = 12;
const MIN_GAP_DAYS = MIN_MED_GAP_WEEKS * 7;
const MAX_GAP_DAYS = MAX_MED_GAP_WEEKS * 7;

/** Something the front desk should know that does not stop the booking. */
export interface Warning {
  code: 'CADENCE_LATE';
  detail: string;
}

export interface MedCheckCadenceInput {
  startsAt: DateTime;
  /** The location's zone: spacing is counted in its calendar days. */
  zone: string;
  /**
   * Starts of the plan's other booked or completed MED_CHECKs. The caller leaves out
   * cancelled and no-show visits (a patient who missed one must be rebookable at once)
   * and, when rescheduling, the visit being moved.
   */
  visits: readonly DateTime[];
  /** The PSYCH_EVAL start, or the local start of the plan's lastVisitOn. */
  anchor?: DateTime;
}

/** The first local date a med check may fall on after a prescriber visit at `previous`. */
export function earliestMedCheckDate(previous: DateTime, zone: string): string {
  return addDays(localDateOf(previous, zone), MIN_GAP_DAYS);
}

/**
 * Consecutive med checks (and the evaluation before the first) are 4–12 weeks apart.
 * Spacing is whole local calendar days, so a DST change never makes 28 days "too soon".
 * Too soon after the previous visit or before the next booked one is a violation (the
 * booking rule lets a clinician override it); later than 12 weeks only warns, because a
 * patient who is already late must never be turned away.
 *
 * A visit at the very instant of `startsAt` counts as the previous one (0 days apart).
 */
export function medCheckCadence(input: MedCheckCadenceInput): {
  violations: Violation[];
  warnings: Warning[];
} {
  const zone = ianaZone(input.zone);
  const at = input.startsAt.toMillis();
  const earlier = input.visits.filter((v) => v.toMillis() <= at);
  if (input.anchor && input.anchor.toMillis() < at) earlier.push(input.anchor);
  const later = input.visits.filter((v) => v.toMillis() > at);
  const previous = earlier.reduce<DateTime | undefined>(
    (a, v) => (a && a.toMillis() >= v.toMillis() ? a : v),
    undefined,
  );
  const next = later.reduce<DateTime | undefined>(
    (a, v) => (a && a.toMillis() <= v.toMillis() ? a : v),
    undefined,
  );

  const day = localDateOf(input.startsAt, zone);
  const violations: Violation[] = [];
  const warnings: Warning[] = [];
  if (previous) {
    const previousDay = localDateOf(previous, zone);
    const gap = daysBetween(previousDay, day);
    if (gap < MIN_GAP_DAYS) {
      violations.push({
        code: 'CADENCE_TOO_SOON',
        detail: `${day} is ${gap} days after the previous prescriber visit on ${previousDay}; med checks are at least ${MIN_MED_GAP_WEEKS} weeks apart (earliest allowed date ${addDays(previousDay, MIN_GAP_DAYS)})`,
      });
    } else if (gap > MAX_GAP_DAYS) {
      warnings.push({
        code: 'CADENCE_LATE',
        detail: `${day} is ${gap} days after the previous prescriber visit on ${previousDay}, later than the ${MAX_MED_GAP_WEEKS}-week maximum (due by ${addDays(previousDay, MAX_GAP_DAYS)})`,
      });
    }
  }
  if (next) {
    const nextDay = localDateOf(next, zone);
    const gap = daysBetween(day, nextDay);
    if (gap < MIN_GAP_DAYS) {
      violations.push({
        code: 'CADENCE_TOO_SOON',
        detail: `${day} is ${gap} days before the next med check already booked on ${nextDay}; med checks are at least ${MIN_MED_GAP_WEEKS} weeks apart (latest allowed date before it ${addDays(nextDay, -MIN_GAP_DAYS)})`,
      });
    }
  }
  return { violations, warnings };
}
