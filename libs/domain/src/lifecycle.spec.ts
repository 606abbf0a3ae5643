import { DateTime } from 'luxon';
import { DomainError } from './errors';
import {
  ACTIVE_STATUSES,
  APPOINTMENT_STATUSES,
  canReschedule,
  isActiveStatus,
  LIFECYCLE_ACTIONS,
  nextStatus,
  type AppointmentStatus,
  type LifecycleAction,
} from './lifecycle';

const startsAt = DateTime.fromISO('2027-03-15T10:00:00-04:00');
const MOMENTS = {
  'two days before': startsAt.minus({ days: 2 }),
  'exactly 24 h before': startsAt.minus({ hours: 24 }),
  'an hour before': startsAt.minus({ hours: 1 }),
  'at the start': startsAt,
  'an hour after': startsAt.plus({ hours: 1 }),
} as const;
type Moment = keyof typeof MOMENTS;
const BEFORE: Moment[] = ['two days before', 'exactly 24 h before', 'an hour before'];

/** The SPEC's lifecycle written out by hand: what each (status, action) may become, and when. */
function expected(
  status: AppointmentStatus,
  action: LifecycleAction,
  moment: Moment,
): AppointmentStatus | 'INVALID' {
  const pending = status === 'scheduled' || status === 'confirmed';
  const started = !BEFORE.includes(moment);
  if (action === 'confirm') return status === 'scheduled' ? 'confirmed' : 'INVALID';
  if (action === 'check_in') return pending ? 'checked_in' : 'INVALID';
  if (action === 'cancel') return pending ? 'cancelled' : 'INVALID';
  if (action === 'no_show') return pending && started ? 'no_show' : 'INVALID';
  return (pending || status === 'checked_in') && started ? 'completed' : 'INVALID';
}

const table = APPOINTMENT_STATUSES.flatMap((status) =>
  LIFECYCLE_ACTIONS.flatMap((action) =>
    (Object.keys(MOMENTS) as Moment[]).map(
      (moment) => [status, action, moment, expected(status, action, moment)] as const,
    ),
  ),
);

describe('nextStatus', () => {
  it.each(table)('%s + %s, %s → %s', (status, action, moment, outcome) => {
    const run = (): ReturnType<typeof nextStatus> =>
      nextStatus({ status, action, startsAt, now: MOMENTS[moment] });
    if (outcome === 'INVALID') {
      expect(run).toThrow(DomainError);
      expect(run).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
    } else {
      const lateCancel =
        action === 'cancel' && moment !== 'two days before' && moment !== 'exactly 24 h before';
      expect(run()).toEqual({ status: outcome, lateCancel });
    }
  });

  it('covers every status and action', () => {
    expect(table).toHaveLength(6 * 5 * 5);
  });
});

describe('canReschedule and ACTIVE_STATUSES', () => {
  it.each(APPOINTMENT_STATUSES)('%s', (status) => {
    expect(canReschedule(status)).toBe(status === 'scheduled' || status === 'confirmed');
    expect(isActiveStatus(status)).toBe(!['completed', 'cancelled', 'no_show'].includes(status));
  });

  it('lists the active statuses', () => {
    expect([...ACTIVE_STATUSES]).toEqual(['scheduled', 'confirmed', 'checked_in']);
  });
});
