import type { PlanStatus } from '@app/domain';

export const FLAG_KINDS = [
  'med_check_overdue',
  'med_check_lapsed',
  'therapy_overdue',
  'no_show',
  'reminder_failed',
] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

export const PLAN_FLAG_KINDS = [
  'med_check_overdue',
  'med_check_lapsed',
  'therapy_overdue',
] as const;
export type PlanFlagKind = (typeof PLAN_FLAG_KINDS)[number];
export const VISIT_FLAG_KINDS = ['no_show', 'reminder_failed'] as const;

/**
 * Which plan statuses keep each plan flag open. The flags are a reading of the plan's
 * status (planStatus in @app/domain), never a second definition of "overdue": a lapsed
 * medication plan is also overdue, so it carries both flags.
 */
export const PLAN_FLAG_RULES: Record<
  PlanFlagKind,
  { track: 'medication' | 'therapy'; statuses: readonly PlanStatus[] }
> = {
  med_check_overdue: { track: 'medication', statuses: ['overdue', 'lapsed'] },
  med_check_lapsed: { track: 'medication', statuses: ['lapsed'] },
  therapy_overdue: { track: 'therapy', statuses: ['overdue', 'lapsed'] },
};

/** Close reasons written by the scan; staff write 'resolved'. */
export const CLOSE_REASONS = {
  scheduled: 'auto: scheduled',
  seen: 'auto: seen',
  noLongerDue: 'auto: no longer due',
  planEnded: 'auto: plan ended',
  planPaused: 'auto: plan paused',
  discharged: 'auto: patient discharged',
  visitCancelled: 'auto: visit cancelled',
  visitPassed: 'auto: visit passed',
  resolved: 'resolved',
} as const;

export type FlagCounts = Record<FlagKind, number>;

export const zeroCounts = (): FlagCounts => ({
  med_check_overdue: 0,
  med_check_lapsed: 0,
  therapy_overdue: 0,
  no_show: 0,
  reminder_failed: 0,
});

/** A SQL list literal of constant identifiers (never user input): ('a','b'). */
export const sqlList = (values: readonly string[]): string =>
  `(${values.map((v) => `'${v}'`).join(',')})`;
