/**
 * Every queue, job name and payload in one typed map. Payloads carry ids only:
 * nothing that identifies a patient ever reaches Redis.
 */
export const QUEUES = {
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobPayloads {
  'queue-probe': { probeId: string };
}
export type JobName = keyof JobPayloads;

export const JOB_QUEUE: Record<JobName, QueueName> = {
  'queue-probe': QUEUES.maintenance,
};

/** Job ids are derived from the row they act on, so one row never has two jobs. BullMQ forbids ':' in custom ids. */
export const jobIds = {
  queueProbe: (probeId: string): string => `probe_${probeId}`,
} as const;
