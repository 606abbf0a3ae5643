import { DateTime, FixedOffsetZone } from 'luxon';
import { DomainError } from './errors';
import { firstInstantAfterChange, MS_PER_MINUTE } from './local-time';
import { modalityFits, type Interval, type Modality, type WorkingWindow } from './working-time';

export const DEFAULT_GRID_MINUTES = 15;

export interface FreeStartsInput {
  windows: readonly WorkingWindow[];
  busy: readonly Interval[];
  durationMinutes: number;
  /** Starts fall on local times whose minutes since midnight are a multiple of this. */
  gridMinutes?: number;
  from: DateTime;
  to: DateTime;
  /** Usually now (plus any booking notice): nothing starts before it. */
  notBefore: DateTime;
  modality?: Modality;
}

/** Busy time as disjoint, sorted [start, end) pairs: `ends` increases, so it can be bisected. */
interface BusyIndex {
  starts: number[];
  ends: number[];
}

function indexBusy(busy: readonly Interval[]): BusyIndex {
  const pairs = busy
    .map((b): [number, number] => [b.start.toMillis(), b.end.toMillis()])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const index: BusyIndex = { starts: [], ends: [] };
  for (const [s, e] of pairs) {
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
  const [a, b] = [window.start.toMillis(), window.end.toMillis()];
  if (window.start.offset === window.end.offset) {
    return [{ from: a, to: b, offsetMs: window.start.offset * MS_PER_MINUTE }];
  }
  const change = firstInstantAfterChange(window.start.zone, a, b);
  return [
    { from: a, to: change, offsetMs: window.start.offset * MS_PER_MINUTE },
    { from: change, to: b, offsetMs: window.end.offset * MS_PER_MINUTE },
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
 * The starts carry their exact local offset as a fixed-offset zone (ISO output is the
 * local time; building an IANA-zoned DateTime per slot would cost more than the search):
 * `setZone(zone)` before doing calendar arithmetic on them.
 */
export function freeStarts(input: FreeStartsInput): DateTime[] {
  const gridMinutes = input.gridMinutes ?? DEFAULT_GRID_MINUTES;
  validate(input, gridMinutes);
  const gridMs = gridMinutes * MS_PER_MINUTE;
  const durationMs = input.durationMinutes * MS_PER_MINUTE;
  const lower = Math.max(input.from.toMillis(), input.notBefore.toMillis());
  const upper = input.to.toMillis();
  const { starts, ends } = indexBusy(input.busy);
  const found: number[] = [];
  const offsets: number[] = [];
  const alignUp = (t: number, offsetMs: number): number => {
    const rest = (((t + offsetMs) % gridMs) + gridMs) % gridMs;
    return rest === 0 ? t : t + gridMs - rest;
  };

  for (const window of input.windows) {
    if (input.modality !== undefined && !modalityFits(window.modality, input.modality)) continue;
    const latestStart = Math.min(window.end.toMillis() - durationMs, upper - 1);
    if (latestStart < Math.max(lower, window.start.toMillis())) continue;
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
        found.push(t);
        offsets.push(piece.offsetMs);
        t += gridMs;
      }
    }
  }
  return toDateTimes(found, offsets);
}

/** Sorted, deduplicated DateTimes; windows usually arrive sorted, so sorting is rarely needed. */
function toDateTimes(found: number[], offsets: number[]): DateTime[] {
  let order = found.map((_, i) => i);
  if (found.some((t, i) => i > 0 && t <= found[i - 1]))
    order = order.sort((a, b) => found[a] - found[b]);
  const zones = new Map<number, FixedOffsetZone>();
  const starts: DateTime[] = [];
  let previous = Number.NaN;
  for (const i of order) {
    if (found[i] === previous) continue;
    previous = found[i];
    let zone = zones.get(offsets[i]);
    if (!zone) zones.set(offsets[i], (zone = FixedOffsetZone.instance(offsets[i] / MS_PER_MINUTE)));
    starts.push(DateTime.fromMillis(found[i], { zone }));
  }
  return starts;
}
