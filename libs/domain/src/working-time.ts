import { DateTime, type Zone } from 'luxon';
import { fromDayNumber, isoWeekdayOfDay, toDayNumber } from './calendar-date';
import { DomainError, type Violation } from './errors';
import { formatInstant } from './iso';
import {
  firstInstantAfterChange,
  ianaZone,
  localDateOf,
  parseLocalTime,
  wallClockResolver,
} from './local-time';

export type Modality = 'in_person' | 'telehealth';
export type BlockModality = 'any' | Modality;

/** One line of a provider's weekly template, in the location's local time. */
export interface WorkingBlock {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** 'HH:mm' (or Postgres' 'HH:mm:ss'); `end` may be '24:00'. */
  start: string;
  end: string;
  locationId: string;
  modality: BlockModality;
}

/** Half-open: [start, end). */
export interface Interval {
  start: DateTime;
  end: DateTime;
}

/** Half-open [start, end) in epoch milliseconds: what sweeps over many intervals work on. */
export interface Span {
  start: number;
  end: number;
}

/**
 * One block of the template laid on one local date, in epoch milliseconds. It carries its
 * UTC offsets so that instants inside it can be read as local times without asking the
 * zone again (an Intl lookup costs microseconds; slot search handles thousands of starts).
 */
export interface WorkingWindow extends Span {
  /** The local date the block was laid on; every instant of the window falls on it. */
  date: string;
  /** UTC offset in minutes at `start`. */
  offset: number;
  /** When the offset changes in (start, end] (a DST change): from `at` on it is `offset`. */
  shift?: { at: number; offset: number };
  locationId: string;
  modality: BlockModality;
}

/** The UTC offset in minutes at an instant of a window, from `start` to `end` inclusive. */
export function windowOffsetAt(window: WorkingWindow, at: number): number {
  return window.shift && at >= window.shift.at ? window.shift.offset : window.offset;
}

/** An instant of a window (`start` to `end` inclusive) as ISO-8601 in the zone's local time. */
export function localIso(window: WorkingWindow, at: number): string {
  return formatInstant(at, windowOffsetAt(window, at));
}

export function modalityFits(block: BlockModality, visit: Modality): boolean {
  return block === 'any' || block === visit;
}

interface ParsedBlock {
  block: WorkingBlock;
  start: number;
  end: number;
}

function parseBlock(block: WorkingBlock): ParsedBlock {
  if (!Number.isInteger(block.weekday) || block.weekday < 1 || block.weekday > 7) {
    throw DomainError.validation(
      'weekday',
      'isoWeekday',
      `weekday ${block.weekday} is not 1 (Monday) … 7 (Sunday)`,
    );
  }
  return { block, start: parseLocalTime(block.start), end: parseLocalTime(block.end) };
}

/**
 * Lays the weekly template onto every local date from `fromDate` to `toDate` (inclusive).
 * Blocks are wall-clock times, so 09:00–17:00 stays 09:00–17:00 on a DST-change day
 * (8 hours of work, whatever the length of the day). A boundary inside a spring-forward gap
 * moves to the first instant that exists; an ambiguous one takes its first occurrence.
 * A block whose end is not after its start covers nothing and is left out.
 */
export function expandWorkingWindows(
  blocks: readonly WorkingBlock[],
  zone: string,
  fromDate: string,
  toDate: string,
): WorkingWindow[] {
  const iana = ianaZone(zone);
  const resolver = wallClockResolver(iana);
  const byWeekday = new Map<number, ParsedBlock[]>();
  for (const parsed of blocks.map(parseBlock)) {
    const list = byWeekday.get(parsed.block.weekday) ?? [];
    list.push(parsed);
    byWeekday.set(parsed.block.weekday, list);
  }
  const windows: WorkingWindow[] = [];
  const last = toDayNumber(toDate);
  for (let day = toDayNumber(fromDate); day <= last; day++) {
    const blocksOfDay = byWeekday.get(isoWeekdayOfDay(day));
    if (!blocksOfDay) continue;
    const date = fromDayNumber(day);
    for (const { block, start, end } of blocksOfDay) {
      const from = resolver.resolve(day, start).at;
      const to = resolver.resolve(day, end).at;
      if (to <= from) continue;
      const [offset, endOffset] = [resolver.offsetAt(from), resolver.offsetAt(to)];
      windows.push({
        start: from,
        end: to,
        date,
        offset,
        ...(endOffset === offset
          ? {}
          : { shift: { at: firstInstantAfterChange(iana, from, to), offset: endOffset } }),
        locationId: block.locationId,
        modality: block.modality,
      });
    }
  }
  return windows.sort((a, b) => a.start - b.start || a.end - b.end);
}

export interface WorkingTimeInput {
  start: DateTime;
  end: DateTime;
  zone: string;
  blocks: readonly WorkingBlock[];
  timeOff: readonly Interval[];
  /** Local dates ('YYYY-MM-DD') the location is closed. */
  closures: readonly string[];
  modality: Modality;
  locationId?: string;
}

function stamp(ms: number, zone: Zone): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

function dayHours(date: string, windows: readonly WorkingWindow[], zone: Zone): string {
  if (windows.length === 0) return `the provider does not work on ${date}`;
  const hours = windows.map((w) => {
    const [s, e] = [DateTime.fromMillis(w.start, { zone }), DateTime.fromMillis(w.end, { zone })];
    return `${s.toFormat('HH:mm')}–${e.hasSame(s, 'day') ? e.toFormat('HH:mm') : '24:00'}`;
  });
  return `on ${date} the provider works ${[...new Set(hours)].join(', ')}`;
}

/**
 * Whether a visit fits the provider's working time: wholly inside one window of its local
 * date (at the given location), in a block offering its modality, clear of time off, on a
 * day the location is open. Every broken rule is reported, in that order.
 */
export function workingTimeViolations(input: WorkingTimeInput): Violation[] {
  const zone = ianaZone(input.zone);
  const [s, e] = [input.start.toMillis(), input.end.toMillis()];
  const date = localDateOf(input.start, zone);
  const windows = expandWorkingWindows(input.blocks, input.zone, date, date);
  const containing = windows.filter((w) => w.start <= s && e <= w.end);
  const here =
    input.locationId === undefined
      ? containing
      : containing.filter((w) => w.locationId === input.locationId);
  const violations: Violation[] = [];
  const when = `${stamp(s, zone)}–${DateTime.fromMillis(e, { zone }).toFormat('HH:mm')}`;

  if (!here.some((w) => modalityFits(w.modality, input.modality))) {
    if (here.length > 0) {
      const other = input.modality === 'in_person' ? 'telehealth' : 'in-person';
      violations.push({
        code: 'MODALITY_NOT_OFFERED',
        detail: `${when} is in a ${other}-only block; ${input.modality.replace('_', '-')} visits are not offered then`,
      });
    } else if (containing.length > 0) {
      violations.push({
        code: 'OUTSIDE_WORKING_HOURS',
        detail: `${when}: the provider works at another location at that time`,
      });
    } else {
      violations.push({
        code: 'OUTSIDE_WORKING_HOURS',
        detail: `${when} is outside the provider's working hours (${dayHours(date, windows, zone)})`,
      });
    }
  }

  for (const off of input.timeOff) {
    if (off.start.toMillis() < e && s < off.end.toMillis()) {
      violations.push({
        code: 'PROVIDER_TIME_OFF',
        detail: `the provider is off from ${stamp(off.start.toMillis(), zone)} to ${stamp(off.end.toMillis(), zone)}`,
      });
    }
  }

  // The end's date is that of the visit's last moment, so a visit ending at midnight
  // does not collide with a closure on the next day.
  const lastMoment = DateTime.fromMillis(Math.max(s, e - 1), { zone });
  const closed = new Set(input.closures);
  for (const day of new Set([date, localDateOf(lastMoment, zone)])) {
    if (closed.has(day))
      violations.push({ code: 'CLINIC_CLOSED', detail: `the clinic is closed on ${day}` });
  }
  return violations;
}
