import { DateTime } from 'luxon';
import { toDayNumber } from './calendar-date';

/** 'YYYY-MM-DD' naming a day that exists (no 2027-02-30). */
export function isIsoDate(value: string): boolean {
  try {
    toDayNumber(value);
    return true;
  } catch {
    return false;
  }
}

// Date, 'T', time, then an explicit offset: a bare local time is ambiguous around DST.
const INSTANT_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** An ISO-8601 instant that states its offset, keeping that offset; null otherwise. */
export function parseInstant(value: string): DateTime | null {
  if (!INSTANT_WITH_OFFSET.test(value)) return null;
  const parsed = DateTime.fromISO(value, { setZone: true });
  return parsed.isValid ? parsed : null;
}
