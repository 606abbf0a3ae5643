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
 * search goes first; the race before the booking run, which uses up most of the bookable
 * patients; the overdue scan before the panel (it fills the worklist) and before the
 * worker starts (its periodic scan would get there first); the reminder scenarios last,
 * as they start (and kill) the worker. A scenario whose API is not built yet shows as
 * pending: register it here with its `needs` and no `run` (see types.ts).
 */
export const SCENARIOS: Scenario[] = [
  slotSearch,
  race,
  booking,
  overdueScan100k,
  panel,
  reminderPipeline,
  redisFlush,
  workerKill,
  overdueScan1m,
];
