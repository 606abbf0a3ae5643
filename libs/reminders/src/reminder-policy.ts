import { DEFAULT_QUIET_HOURS, DomainError, type QuietHours } from '@app/domain';

export type ReminderChannel = 'email' | 'sms';
export const REMINDER_CHANNELS: readonly ReminderChannel[] = ['email', 'sms'];

export interface ReminderOffset {
  minutesBefore: number;
  channels: ReminderChannel[];
}

export interface ReminderPolicy {
  offsets: ReminderOffset[];
  quietHours: QuietHours;
}

export const DEFAULT_POLICY: ReminderPolicy = {
  offsets: [
    { minutesBefore: 72 * 60, channels: ['email'] },
    { minutesBefore: 24 * 60, channels: ['sms', 'email'] },
    { minutesBefore: 2 * 60, channels: ['sms'] },
  ],
  quietHours: DEFAULT_QUIET_HOURS,
};

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const MAX_OFFSET_MINUTES = 30 * 24 * 60;

/** Offsets positive and distinct, channels known and not repeated, quiet hours well-formed. */
export function validatePolicy(policy: ReminderPolicy): ReminderPolicy {
  const errors: { field: string; rule: string; message: string }[] = [];
  const seen = new Set<number>();
  policy.offsets.forEach((offset, i) => {
    if (
      !Number.isInteger(offset.minutesBefore) ||
      offset.minutesBefore <= 0 ||
      offset.minutesBefore > MAX_OFFSET_MINUTES
    ) {
      errors.push({
        field: `offsets[${i}].minutesBefore`,
        rule: 'positive',
        message: `minutesBefore must be a whole number from 1 to ${MAX_OFFSET_MINUTES}`,
      });
    }
    if (seen.has(offset.minutesBefore))
      errors.push({
        field: `offsets[${i}].minutesBefore`,
        rule: 'distinct',
        message: `offset ${offset.minutesBefore} appears twice`,
      });
    seen.add(offset.minutesBefore);
    if (offset.channels.length === 0 || new Set(offset.channels).size !== offset.channels.length) {
      errors.push({
        field: `offsets[${i}].channels`,
        rule: 'distinct_nonempty',
        message: 'channels must be a non-empty list without repeats',
      });
    }
  });
  for (const key of ['start', 'end'] as const) {
    if (!HH_MM.test(policy.quietHours[key]))
      errors.push({
        field: `quietHours.${key}`,
        rule: 'HH:mm',
        message: `quietHours.${key} must be HH:mm`,
      });
  }
  if (errors.length)
    throw new DomainError('VALIDATION', errors.map((e) => e.message).join('; '), { errors });
  return {
    offsets: [...policy.offsets].sort((a, b) => b.minutesBefore - a.minutesBefore),
    quietHours: policy.quietHours,
  };
}
