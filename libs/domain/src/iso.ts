import { DateTime } from 'luxon';
import { civilFromDays, toDayNumber } from './calendar-date';
import { ianaZone, MS_PER_DAY, MS_PER_MINUTE, wallClockResolver } from './local-time';

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

// Two-digit numbers and offsets, written once: a page of slots formats hundreds of
// instants, and each piece built per call is garbage for the collector.
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const offsets = new Map<number, string>();

function offsetSuffix(minutes: number): string {
  let suffix = offsets.get(minutes);
  if (suffix === undefined) {
    const abs = Math.abs(minutes);
    const sign = minutes < 0 ? '-' : '+';
    suffix =
      minutes === 0 ? 'Z' : `${sign}${TWO_DIGITS[Math.floor(abs / 60)]}:${TWO_DIGITS[abs % 60]}`;
    offsets.set(minutes, suffix);
  }
  return suffix;
}

/**
 * An instant as ISO-8601 local time at a known UTC offset (minutes), the string luxon's
 * toISO() gives for that offset as a fixed zone: '2027-03-15T09:00:00.000-04:00', or 'Z'
 * for zero. Slot search writes hundreds per response; a luxon DateTime per instant costs
 * about three times the time and the garbage.
 */
export function formatInstant(ms: number, offsetMinutes: number): string {
  const local = ms + offsetMinutes * MS_PER_MINUTE;
  const days = Math.floor(local / MS_PER_DAY);
  const seconds = Math.floor((local - days * MS_PER_DAY) / 1000);
  const millis = local - days * MS_PER_DAY - seconds * 1000;
  const { year, month, day } = civilFromDays(days);
  const hh = TWO_DIGITS[Math.floor(seconds / 3600)];
  const mm = TWO_DIGITS[Math.floor(seconds / 60) % 60];
  const ss = TWO_DIGITS[seconds % 60];
  const sss = millis === 0 ? '000' : String(millis).padStart(3, '0');
  return `${String(year).padStart(4, '0')}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${hh}:${mm}:${ss}.${sss}${offsetSuffix(offsetMinutes)}`;
}

/**
 * An instant in a named zone's local time, written as formatInstant writes it, with the
 * zone's offset at that instant. Views write every visit and plan time this way: a page
 * of 200 panel rows holds 400 instants.
 */
export function formatInZone(instant: Date | number, zone: string): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  return formatInstant(ms, wallClockResolver(ianaZone(zone)).offsetAt(ms));
}
