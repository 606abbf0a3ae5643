import { DomainError } from './errors';
import { MS_PER_MINUTE } from './local-time';
import { modalityFits, type Modality, type Span, type WorkingWindow } from './working-time';

export const DEFAULT_GRID_MINUTES = 15;

/** Instants are epoch milliseconds, so a search over weeks builds no date objects. */
export interface FreeStartsInput {
  windows: readonly WorkingWindow[];
  busy: readonly Span[];
  durationMinutes: number;
  /** Starts fall on local times whose minutes since midnight are a multiple of this. */
  gridMinutes?: number;
  /** from <= start < to. */
  from: number;
  to: number;
  /** Usually now (plus any booking notice): nothing starts before it. */
  notBefore: number;
  modality?: Modality;
  /** Only the earliest this many (a page needs a few hundred of a quarter's thousands). */
  limit?: number;
}

/** A free start and the window the visit fits in (the first one, when windows overlap). */
export interface FreeStart {
  start: number;
  window: WorkingWindow;
}

/** Busy time as disjoint, sorted [start, end) pairs: `ends` increases, so it can be bisected. */
interface BusyIndex {
  starts: number[];
  ends: number[];
}

function indexBusy(busy: readonly Span[]): BusyIndex {
  const pairs = busy.filter((b) => b.end > b.start).sort((a, b) => a.start - b.start);
  const index: BusyIndex = { starts: [], ends: [] };
  for (const { start: s, end: e } of pairs) {
    const last = index.ends.length - 1;
    if (last >= 0 && s <= index.ends[last]) index.ends[last] = Math.max(index.ends[last], e);
    else {
      index.starts.push(s);
      index.ends.push(e);
    }
  }
  return index;
}

/** First busy interval ending after t. */
function firstEndingAfter(ends: readonly number[], t: number): number {
  let [lo, hi] = [0, ends.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Stretches of a window with one UTC offset (two when a DST change falls inside it). */
interface OffsetPiece {
  from: number;
  to: number;
  offsetMs: number;
}

function offsetPieces(window: WorkingWindow): OffsetPiece[] {
  const { start, end, offset, shift } = window;
  if (!shift || shift.at >= end)
    return [{ from: start, to: end, offsetMs: offset * MS_PER_MINUTE }];
  return [
    { from: start, to: shift.at, offsetMs: offset * MS_PER_MINUTE },
    { from: shift.at, to: end, offsetMs: shift.offset * MS_PER_MINUTE },
  ];
}

function validate(input: FreeStartsInput, gridMinutes: number): void {
  if (!Number.isInteger(gridMinutes) || gridMinutes <= 0) {
    throw DomainError.validation(
      'gridMinutes',
      'positiveInteger',
      `grid of ${gridMinutes} minutes is not valid`,
    );
  }
  if (input.limit !== undefined && (!Number.isInteger(input.limit) || input.limit <= 0)) {
    throw DomainError.validation('limit', 'positiveInteger', `limit ${input.limit} is not valid`);
  }
  if (!Number.isFinite(input.durationMinutes) || input.durationMinutes <= 0) {
    throw DomainError.validation(
      'durationMinutes',
      'positive',
      `duration of ${input.durationMinutes} minutes is not valid`,
    );
  }
}

/**
 * Every start on the local grid where a visit of `durationMinutes` fits wholly inside one
 * window (of a compatible modality when one is given) without touching busy time, with
 * notBefore <= start and from <= start < to. Ascending, without duplicates.
 *
 * Busy time is sorted and merged once, then each window is swept with a pointer that
 * jumps past whole busy intervals, so cost is O((windows + busy) log busy + results).
 * With a limit and windows in start order (as expandWorkingWindows lays them), the sweep
 * stops at the first window that starts after the last start it needs.
 * `localIso(window, t)` reads a start, or its end, as local time.
 */
export function freeStarts(input: FreeStartsInput): FreeStart[] {
  const gridMinutes = input.gridMinutes ?? DEFAULT_GRID_MINUTES;
  validate(input, gridMinutes);
  const gridMs = gridMinutes * MS_PER_MINUTE;
  const durationMs = input.durationMinutes * MS_PER_MINUTE;
  const lower = Math.max(input.from, input.notBefore);
  const upper = input.to;
  const { starts, ends } = indexBusy(input.busy);
  const found: FreeStart[] = [];
  const alignUp = (t: number, offsetMs: number): number => {
    const rest = (((t + offsetMs) % gridMs) + gridMs) % gridMs;
    return rest === 0 ? t : t + gridMs - rest;
  };
  const { windows, limit } = input;
  const inOrder = windows.every((w, i) => i === 0 || w.start >= windows[i - 1].start);
  // Later windows start no earlier than this one, so none of their starts can come before
  // the limit-th found so far.
  const enough = (windowStart: number): boolean => {
    if (limit === undefined || !inOrder || found.length < limit) return false;
    const earliest = ascendingUnique(found);
    return earliest.length >= limit && earliest[limit - 1].start <= windowStart;
  };

  for (const window of windows) {
    if (enough(window.start)) break;
    if (input.modality !== undefined && !modalityFits(window.modality, input.modality)) continue;
    const latestStart = Math.min(window.end - durationMs, upper - 1);
    if (latestStart < Math.max(lower, window.start)) continue;
    for (const piece of offsetPieces(window)) {
      const last = Math.min(latestStart, piece.to - 1);
      let t = alignUp(Math.max(lower, piece.from), piece.offsetMs);
      let j = firstEndingAfter(ends, t);
      while (t <= last) {
        while (j < ends.length && ends[j] <= t) j++;
        if (j < ends.length && starts[j] < t + durationMs) {
          t = alignUp(ends[j], piece.offsetMs);
          continue;
        }
        found.push({ start: t, window });
        t += gridMs;
      }
    }
  }
  const earliest = ascendingUnique(found);
  return limit === undefined ? earliest : earliest.slice(0, limit);
}

/** Windows usually arrive sorted and apart, so sorting is rarely needed. */
function ascendingUnique(found: FreeStart[]): FreeStart[] {
  if (found.every((f, i) => i === 0 || f.start > found[i - 1].start)) return found;
  // A stable sort keeps the earliest window's entry first among equal starts.
  const sorted = [...found].sort((a, b) => a.start - b.start);
  return sorted.filter((f, i) => i === 0 || f.start !== sorted[i - 1].start);
}
