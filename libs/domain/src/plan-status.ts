import { addDays, daysBetween } from './calendar-date';
import { MAX_MED_GAP_WEEKS } from './cadence';

/**
 * When each care plan is next due, and how the front desk's worklist rates it. The
 * cadence rules for booking are in cadence.ts; this is what the panel and the overdue
 * scan show.
 */

/** Medication due date: last prescriber visit (or lastVisitOn, or plan start) + intervalWeeks. */
export function medDueOn(input: {
  intervalWeeks: number;
  lastVisitOn?: string;
  startsOn: string;
  lastPrescriberVisitOn?: string;
}): string {
  return addDays(
    input.lastPrescriberVisitOn ?? input.lastVisitOn ?? input.startsOn,
    input.intervalWeeks * 7,
  );
}

/** Therapy due date: last session (or lastVisitOn, or plan start) + 7 or 14 days. */
export function therapyDueOn(input: {
  frequency: 'weekly' | 'biweekly';
  lastSessionOn?: string;
  lastVisitOn?: string;
  startsOn: string;
}): string {
  return addDays(
    input.lastSessionOn ?? input.lastVisitOn ?? input.startsOn,
    input.frequency === 'weekly' ? 7 : 14,
  );
}

export type PlanStatus = 'on_track' | 'due_soon' | 'overdue' | 'lapsed';
export const DUE_SOON_DAYS = 7;
export const THERAPY_GRACE_DAYS = 3;
export const THERAPY_DUE_SOON_DAYS = 2;
export const MED_LAPSE_DAYS = MAX_MED_GAP_WEEKS * 7;
export const THERAPY_LAPSE_DAYS = 42;

export interface PlanStatusInput {
  track: 'medication' | 'therapy';
  dueOn: string;
  today: string;
  /** Last completed visit of the track, else lastVisitOn, else the plan's start. */
  lastSeenOn?: string;
  hasFutureVisit: boolean;
  /** Already folded into dueOn; accepted so callers can pass a plan as it is. */
  frequency?: 'weekly' | 'biweekly';
}

/**
 * THE definition of a plan's status (a SQL twin must match it exactly). All dates are
 * local calendar dates; `d + n` means n calendar days later; first match wins.
 *
 *   any track, hasFutureVisit                          → on_track
 *   medication: lastSeenOn given and today > lastSeenOn + 84 → lapsed
 *               today > dueOn                            → overdue
 *               today >= dueOn − 7                       → due_soon
 *               otherwise                                → on_track
 *   therapy:    today > dueOn + 42                       → lapsed
 *               today > dueOn + 3                        → overdue  (SPEC: interval + 3 days)
 *               today >= dueOn − 2                       → due_soon
 *               otherwise                                → on_track
 *
 * Therapy's due_soon window is short because sessions are weekly or biweekly: a week's
 * notice would flag a weekly patient the day after every session.
 */
export function planStatus(input: PlanStatusInput): PlanStatus {
  if (input.hasFutureVisit) return 'on_track';
  const sinceDue = daysBetween(input.dueOn, input.today);
  if (input.track === 'medication') {
    if (
      input.lastSeenOn !== undefined &&
      daysBetween(input.lastSeenOn, input.today) > MED_LAPSE_DAYS
    )
      return 'lapsed';
    if (sinceDue > 0) return 'overdue';
    if (sinceDue >= -DUE_SOON_DAYS) return 'due_soon';
    return 'on_track';
  }
  if (sinceDue > THERAPY_LAPSE_DAYS) return 'lapsed';
  if (sinceDue > THERAPY_GRACE_DAYS) return 'overdue';
  if (sinceDue >= -THERAPY_DUE_SOON_DAYS) return 'due_soon';
  return 'on_track';
}
