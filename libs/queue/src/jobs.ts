/**
 * Every queue, job name and payload in one typed map. Payloads carry ids only:
 * nothing that identifies a patient ever reaches Redis.
 */
export const QUEUES = {
  maintenance: 'maintenance',
  reminders: 'reminders',
  followUps: 'follow-ups',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobPayloads {
  'queue-probe': { probeId: string };
  'send-reminder': { reminderId: string };
  /** Re-creates jobs for pending reminders; settles interrupted sends. */
  'reconcile-reminders': Record<string, never>;
  /** After a policy change: re-plans every future visit's pending reminders. */
  'replan-reminders': Record<string, never>;
  /** Opens and closes follow-up flags over every active plan (no ids: it scans them all). */
  'follow-up-scan': Record<string, never>;
}
export type JobName = keyof JobPayloads;

export const JOB_QUEUE: Record<JobName, QueueName> = {
  'queue-probe': QUEUES.maintenance,
  'send-reminder': QUEUES.reminders,
  'reconcile-reminders': QUEUES.reminders,
  'replan-reminders': QUEUES.reminders,
  'follow-up-scan': QUEUES.followUps,
};

/** Job ids are derived from the row they act on, so one row never has two jobs. BullMQ forbids ':' in custom ids. */
export const jobIds = {
  queueProbe: (probeId: string): string => `probe_${probeId}`,
  /** The reminder's own id: a pending row has exactly one job, whoever enqueues it. */
  sendReminder: (reminderId: string): string => reminderId,
  /** One re-plan per policy version (its save time), so two saves re-plan twice but one save once. */
  replanReminders: (policySavedAtMs: number): string => `replan_${policySavedAtMs}`,
  /** The job scheduler that runs the follow-up scan every FOLLOW_UP_SCAN_EVERY_MINUTES. */
  followUpScanScheduler: 'follow-up-scan',
} as const;
