import { booking } from './booking';
import { overdueScan100k, overdueScan1m } from './overdue-scan';
import { panel } from './panel';
import { race } from './race';
import { redisFlush, workerKill } from './reminder-chaos';
import { reminderPipeline } from './reminder-pipeline';
import { slotSearch } from './slot-search';
import type { Scenario } from './types';

/**
 * Every scenario, in the order they run (datasets in increasing size). The read-only
 * search goes first; the overdue scan next, on the 100 k dataset as seeded, so it flags
 * the same share of plans as the 1 M run it is compared with (after the booking run has
 * booked ~6,000 visits it flagged 6 % of plans instead of 10.6 %, and the cost per plan
 * was no longer comparable); it also fills the worklist for the panel, and runs before
 * the worker starts (whose periodic scan would get there first). The race goes before the
 * booking run, which uses up most of the bookable patients; the reminder scenarios last,
 * as they start (and kill) the worker. A scenario whose API is not built yet shows as
 * pending: register it here with its `needs` and no `run` (see types.ts).
 */
export const SCENARIOS: Scenario[] = [
  slotSearch,
  overdueScan100k,
  race,
  booking,
  panel,
  reminderPipeline,
  redisFlush,
  workerKill,
  overdueScan1m,
];
