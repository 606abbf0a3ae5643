import type { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import type { Modality } from '@app/domain';
import { APPOINTMENT_COLUMNS, type AppointmentRow } from './appointment.view';

export interface NewAppointment {
  patientId: string;
  providerId: string;
  locationId: string;
  visitType: string;
  carePlanId: string | null;
  seriesId?: string | null;
  start: DateTime;
  end: DateTime;
  modality: Modality;
  overrideReason?: string | null;
  overrideBy?: string | null;
  createdBy: string;
}

/**
 * The one way a visit is inserted. The exclusion constraints decide overlaps; ON
 * CONFLICT DO NOTHING makes a lost race an empty result (null) instead of an error —
 * and, unlike a plain INSERT, never deadlocks when many requests race for one slot.
 */
export async function insertAppointment(
  em: EntityManager,
  v: NewAppointment,
): Promise<AppointmentRow | null> {
  const [row] = await em.query<AppointmentRow[]>(
    `WITH inserted AS (
       INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, care_plan_id, series_id, starts_at, ends_at,
                                 modality, override_reason, override_by, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT DO NOTHING RETURNING *)
     SELECT ${APPOINTMENT_COLUMNS} FROM inserted a JOIN locations l ON l.id = a.location_id`,
    [
      v.patientId,
      v.providerId,
      v.locationId,
      v.visitType,
      v.carePlanId,
      v.seriesId ?? null,
      v.start.toJSDate(),
      v.end.toJSDate(),
      v.modality,
      v.overrideReason ?? null,
      v.overrideBy ?? null,
      v.createdBy,
    ],
  );
  return row ?? null;
}
