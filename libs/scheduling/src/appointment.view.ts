import { formatInZone, type AppointmentStatus, type Modality, type Warning } from '@app/domain';

/** An appointment row as selected by the scheduling queries (snake_case, with the location's zone). */
export interface AppointmentRow {
  id: string;
  patient_id: string;
  provider_id: string;
  location_id: string;
  visit_type: string;
  care_plan_id: string | null;
  series_id: string | null;
  starts_at: Date;
  ends_at: Date;
  modality: Modality;
  status: AppointmentStatus;
  cancel_reason: string | null;
  late_cancel: boolean;
  override_reason: string | null;
  created_at: Date;
  updated_at: Date;
  timezone: string;
}

export interface AppointmentView {
  id: string;
  patientId: string;
  providerId: string;
  locationId: string;
  visitType: string;
  carePlanId: string | null;
  seriesId: string | null;
  /** In the location's local offset, e.g. 2027-03-01T10:00:00.000-05:00. */
  startsAt: string;
  endsAt: string;
  timezone: string;
  modality: Modality;
  status: AppointmentStatus;
  cancelReason: string | null;
  lateCancel: boolean;
  overrideReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface BookingResult {
  appointment: AppointmentView;
  warnings: Warning[];
}

export const APPOINTMENT_COLUMNS = `a.id, a.patient_id, a.provider_id, a.location_id, a.visit_type, a.care_plan_id, a.series_id,
  a.starts_at, a.ends_at, a.modality, a.status, a.cancel_reason, a.late_cancel, a.override_reason,
  a.created_at, a.updated_at, l.timezone`;

export function localIso(instant: Date, zone: string): string {
  return formatInZone(instant, zone);
}

export function appointmentView(row: AppointmentRow): AppointmentView {
  return {
    ...visitFields(row),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Everything appointmentView shows but the row's own timestamps. */
export function visitFields(
  row: Omit<AppointmentRow, 'created_at' | 'updated_at'>,
): Omit<AppointmentView, 'createdAt' | 'updatedAt'> {
  return {
    id: row.id,
    patientId: row.patient_id,
    providerId: row.provider_id,
    locationId: row.location_id,
    visitType: row.visit_type,
    carePlanId: row.care_plan_id,
    seriesId: row.series_id,
    startsAt: localIso(row.starts_at, row.timezone),
    endsAt: localIso(row.ends_at, row.timezone),
    timezone: row.timezone,
    modality: row.modality,
    status: row.status,
    cancelReason: row.cancel_reason,
    lateCancel: row.late_cancel,
    overrideReason: row.override_reason,
  };
}
