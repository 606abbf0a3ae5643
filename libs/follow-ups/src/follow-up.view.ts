import { formatInZone, type Frequency, type PlanStatus } from '@app/domain';
import type { FlagCounts, FlagKind } from './flag-kinds';
import type { SlotSuggestion } from './slot-suggestions';

export interface FollowUpView {
  id: string;
  kind: FlagKind;
  state: 'open' | 'closed';
  openedAt: string;
  /** The due date that opened a plan flag (null for visit flags). */
  dueOn: string | null;
  /** Open flags: whole local days past the plan's current due date, or since the missed visit. */
  daysOverdue: number | null;
  patient: {
    id: string;
    firstName: string;
    lastName: string;
    mrn: string;
    phone: string | null;
    email: string | null;
  };
  provider: { id: string; name: string };
  plan: {
    id: string;
    track: 'medication' | 'therapy';
    intervalWeeks: number | null;
    frequency: Frequency | null;
    dueOn: string;
    status: PlanStatus;
    nextAppointmentAt: string | null;
  } | null;
  appointment: { id: string; visitType: string; startsAt: string; status: string } | null;
  reminderId: string | null;
  closedAt: string | null;
  closedBy: string | null;
  closeReason: string | null;
  note: string | null;
  /** The first free start for the follow-up visit within the due window, when there is one. */
  suggestion: SlotSuggestion | null;
}

export interface WorklistRow {
  id: string;
  kind: FlagKind;
  opened_at: Date;
  flag_due_on: string | null;
  details: { reminderId?: string } | null;
  closed_at: Date | null;
  closed_key: string | null;
  closed_by: string | null;
  close_reason: string | null;
  note: string | null;
  patient_id: string;
  care_plan_id: string | null;
  appointment_id: string | null;
  provider_id: string;
  provider_name: string;
  zone: string;
  k0: boolean;
  k1: string;
  first_name: string;
  last_name: string;
  mrn: string;
  phone: string | null;
  email: string | null;
  appointment_visit_type: string | null;
  appointment_starts_at: Date | null;
  appointment_status: string | null;
  appointment_local_on: string | null;
  track: 'medication' | 'therapy' | null;
  interval_weeks: number | null;
  frequency: Frequency | null;
  plan_due_on: string | null;
  plan_status: PlanStatus | null;
  next_appointment_at: Date | null;
  today: string;
  days_past_due: number | null;
}

export interface PanelRow {
  id: string;
  patient_id: string;
  first_name: string;
  last_name: string;
  mrn: string;
  track: 'medication' | 'therapy';
  interval_weeks: number | null;
  frequency: Frequency | null;
  last_visit_on: string | null;
  starts_on: string;
  timezone: string;
  last_visit_at: Date | null;
  next_appointment_at: Date | null;
  due_on: string;
  plan_status: PlanStatus;
  rank: number;
  sort_last: string;
  sort_first: string;
  open_flags: FlagKind[];
}

export interface PanelEntryView {
  planId: string;
  patient: { id: string; firstName: string; lastName: string; mrn: string };
  track: 'medication' | 'therapy';
  intervalWeeks: number | null;
  frequency: Frequency | null;
  /** Last completed visit of the track (with any provider). */
  lastVisitAt: string | null;
  /** Last visit before the patient joined the clinic, when recorded. */
  lastVisitOn: string | null;
  nextAppointmentAt: string | null;
  dueOn: string;
  status: PlanStatus;
  openFlags: FlagKind[];
}

export interface ScanResult {
  /** Another scan held the lock: this one did nothing. */
  skipped: boolean;
  opened: number;
  closed: number;
  openedByKind: FlagCounts;
  closedByKind: FlagCounts;
}

const local = (instant: Date | null, zone: string): string | null =>
  instant ? formatInZone(instant, zone) : null;

export function followUpView(row: WorklistRow, suggestion: SlotSuggestion | null): FollowUpView {
  return {
    id: row.id,
    kind: row.kind,
    state: row.closed_at ? 'closed' : 'open',
    openedAt: local(row.opened_at, row.zone)!,
    dueOn: row.flag_due_on,
    daysOverdue: row.closed_at ? null : row.days_past_due,
    patient: {
      id: row.patient_id,
      firstName: row.first_name,
      lastName: row.last_name,
      mrn: row.mrn,
      phone: row.phone,
      email: row.email,
    },
    provider: { id: row.provider_id, name: row.provider_name },
    plan:
      row.care_plan_id && row.track && row.plan_due_on && row.plan_status
        ? {
            id: row.care_plan_id,
            track: row.track,
            intervalWeeks: row.interval_weeks,
            frequency: row.frequency,
            dueOn: row.plan_due_on,
            status: row.plan_status,
            nextAppointmentAt: local(row.next_appointment_at, row.zone),
          }
        : null,
    appointment:
      row.appointment_id && row.appointment_visit_type && row.appointment_starts_at
        ? {
            id: row.appointment_id,
            visitType: row.appointment_visit_type,
            startsAt: local(row.appointment_starts_at, row.zone)!,
            status: row.appointment_status ?? 'scheduled',
          }
        : null,
    reminderId: row.details?.reminderId ?? null,
    closedAt: local(row.closed_at, row.zone),
    closedBy: row.closed_by,
    closeReason: row.close_reason,
    note: row.note,
    suggestion,
  };
}

export function panelEntryView(row: PanelRow): PanelEntryView {
  return {
    planId: row.id,
    patient: {
      id: row.patient_id,
      firstName: row.first_name,
      lastName: row.last_name,
      mrn: row.mrn,
    },
    track: row.track,
    intervalWeeks: row.interval_weeks,
    frequency: row.frequency,
    lastVisitAt: local(row.last_visit_at, row.timezone),
    lastVisitOn: row.last_visit_on,
    nextAppointmentAt: local(row.next_appointment_at, row.timezone),
    dueOn: row.due_on,
    status: row.plan_status,
    openFlags: row.open_flags,
  };
}
