import { DateTime } from 'luxon';
import { toDayNumber } from './calendar-date';
import {
  ianaZone,
  localDateOf,
  MS_PER_MINUTE,
  parseLocalTime,
  WallClockResolver,
} from './local-time';

/** Local wall-clock times; `end` before `start` wraps past midnight (21:00–08:00). */
export interface QuietHours {
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '08:00' };

interface QuietPosition {
  quiet: boolean;
  /** The local day the current quiet stretch began on, when quiet. */
  beganOn: number;
  /** Quiet hours' start, in ms after local midnight. */
  start: number;
}

function position(instant: DateTime, zone: string, quiet: QuietHours): QuietPosition {
  const local = instant.setZone(ianaZone(zone));
  const day = toDayNumber(localDateOf(local, zone));
  const t = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
  const [start, end] = [parseLocalTime(quiet.start), parseLocalTime(quiet.end)];
  if (start === end) return { quiet: false, beganOn: day, start };
  if (start < end) return { quiet: t >= start && t < end, beganOn: day, start };
  return { quiet: t >= start || t < end, beganOn: t >= start ? day : day - 1, start };
}

/** Whether an instant falls in quiet hours, judged by the local wall clock in `zone`. */
export function isQuietTime(instant: DateTime, zone: string, quiet: QuietHours): boolean {
  return position(instant, zone, quiet).quiet;
}

/**
 * When to send a message that ideally goes out at `ideal`: then, unless that is in quiet
 * hours, in which case the last minute before those quiet hours began (06:30 with
 * 21:00–08:00 gives 20:59 the evening before). Never later than ideal: a reminder after
 * the visit, or one that wakes the patient, is worse than an early one.
 */
export function planSendTime(ideal: DateTime, zone: string, quiet: QuietHours): DateTime {
  const where = position(ideal, zone, quiet);
  if (!where.quiet) return ideal;
  const iana = ianaZone(zone);
  // A quiet start inside a spring-forward gap began at the transition itself.
  const began = new WallClockResolver(iana).resolve(where.beganOn, where.start).at;
  return DateTime.fromMillis(began - MS_PER_MINUTE, { zone: iana });
}
