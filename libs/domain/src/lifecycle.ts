import type { DateTime } from 'luxon';
import { DomainError } from './errors';

export const APPOINTMENT_STATUSES = [
  'scheduled',
  'confirmed',
  'checked_in',
  'completed',
  'cancelled',
  'no_show',
] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Visits that still hold their slot and may still happen. */
export const ACTIVE_STATUSES = [
  'scheduled',
  'confirmed',
  'checked_in',
] as const satisfies readonly AppointmentStatus[];

export const LIFECYCLE_ACTIONS = ['confirm', 'check_in', 'complete', 'no_show', 'cancel'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export const LATE_CANCEL_HOURS = 24;

interface Transition {
  from: readonly AppointmentStatus[];
  to: AppointmentStatus;
  /** Completing or marking a no-show before the visit has begun makes no sense. */
  onlyAfterStart: boolean;
}

const TRANSITIONS: Record<LifecycleAction, Transition> = {
  confirm: { from: ['scheduled'], to: 'confirmed', onlyAfterStart: false },
  // Front desks check in patients who arrive early, and ones who never confirmed.
  check_in: { from: ['scheduled', 'confirmed'], to: 'checked_in', onlyAfterStart: false },
  complete: {
    from: ['scheduled', 'confirmed', 'checked_in'],
    to: 'completed',
    onlyAfterStart: true,
  },
  no_show: { from: ['scheduled', 'confirmed'], to: 'no_show', onlyAfterStart: true },
  cancel: { from: ['scheduled', 'confirmed'], to: 'cancelled', onlyAfterStart: false },
};

export interface TransitionInput {
  status: AppointmentStatus;
  action: LifecycleAction;
  startsAt: DateTime;
  now: DateTime;
}

/**
 * The status an action leads to, or INVALID_TRANSITION. A cancellation less than 24 h
 * before the start is a late cancel (clinics bill or track those).
 */
export function nextStatus(input: TransitionInput): {
  status: AppointmentStatus;
  lateCancel: boolean;
} {
  const transition = TRANSITIONS[input.action];
  if (!transition.from.includes(input.status)) {
    throw new DomainError(
      'INVALID_TRANSITION',
      `a ${input.status.replace('_', '-')} visit cannot be ${pastTense(input.action)} (only from ${transition.from.join(' or ')})`,
    );
  }
  if (transition.onlyAfterStart && input.now.toMillis() < input.startsAt.toMillis()) {
    throw new DomainError(
      'INVALID_TRANSITION',
      `a visit cannot be ${pastTense(input.action)} before it starts (${input.startsAt.toISO() ?? 'unknown start'})`,
    );
  }
  const lateCancel =
    input.action === 'cancel' &&
    input.now.toMillis() > input.startsAt.minus({ hours: LATE_CANCEL_HOURS }).toMillis();
  return { status: transition.to, lateCancel };
}

function pastTense(action: LifecycleAction): string {
  switch (action) {
    case 'confirm':
      return 'confirmed';
    case 'check_in':
      return 'checked in';
    case 'complete':
      return 'completed';
    case 'no_show':
      return 'marked as a no-show';
    case 'cancel':
      return 'cancelled';
  }
}

/** Once the patient has checked in, or the visit is over, it is history and stays put. */
export function canReschedule(status: AppointmentStatus): boolean {
  return status === 'scheduled' || status === 'confirmed';
}

export function isActiveStatus(status: AppointmentStatus): boolean {
  return (ACTIVE_STATUSES as readonly AppointmentStatus[]).includes(status);
}
