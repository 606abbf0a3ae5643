import { DateTime, type IANAZone } from 'luxon';
import {
  firstInstantAfterChange,
  ianaZone,
  MS_PER_DAY,
  MS_PER_MINUTE,
  parseLocalTime,
} from './local-time';

/** Local wall-clock times; `end` before `start` wraps past midnight (21:00–08:00). */
export interface QuietHours {
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '08:00' };

/**
 * When the wall-clock reading `wall` (local milliseconds since the epoch) is in quiet
 * hours, the reading at which that quiet stretch began; otherwise undefined.
 */
function stretchStart(wall: number, quiet: QuietHours): number | undefined {
  const [start, end] = [parseLocalTime(quiet.start), parseLocalTime(quiet.end)];
  const midnight = Math.floor(wall / MS_PER_DAY) * MS_PER_DAY;
  const t = wall - midnight;
  if (start < end) return t >= start && t < end ? midnight + start : undefined;
  if (start > end && t >= start) return midnight + start;
  if (start > end && t < end) return midnight - MS_PER_DAY + start;
  return undefined;
}

function offsetMs(zone: IANAZone, at: number): number {
  return zone.offset(at) * MS_PER_MINUTE;
}

/** Whether an instant falls in quiet hours, judged by the local wall clock in `zone`. */
export function isQuietTime(instant: DateTime, zone: string, quiet: QuietHours): boolean {
  const at = instant.toMillis();
  return stretchStart(at + offsetMs(ianaZone(zone), at), quiet) !== undefined;
}

/**
 * When to send a message that ideally goes out at `ideal`: then, unless that is in quiet
 * hours, in which case the last minute before those quiet hours began (06:30 with
 * 21:00–08:00 gives 20:59 the evening before). Never later than ideal: a reminder after
 * the visit, or one that wakes the patient, is worse than an early one.
 */
export function planSendTime(ideal: DateTime, zone: string, quiet: QuietHours): DateTime {
  const iana = ianaZone(zone);
  // Walks back one run of constant UTC offset at a time. Within a run the wall clock moves
  // with the instant, so the stretch began when it last read quiet.start; when a DST change
  // falls inside the stretch (a quiet start in a spring-forward gap, or read twice in a
  // fall-back), the search goes on from the minute before the change. Two changes are
  // never a day apart, so this ends after a step or two.
  const idealMs = ideal.toMillis();
  for (let to = idealMs; ;) {
    const offset = offsetMs(iana, to);
    const began = stretchStart(to + offset, quiet);
    if (began === undefined) {
      return to === idealMs ? ideal : DateTime.fromMillis(to, { zone: iana });
    }
    const before = began - offset - MS_PER_MINUTE;
    if (offsetMs(iana, before) === offset) return DateTime.fromMillis(before, { zone: iana });
    to = firstInstantAfterChange(iana, before, to) - MS_PER_MINUTE;
  }
}
