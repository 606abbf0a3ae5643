import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import {
  DomainError,
  expandWorkingWindows,
  localDateOf,
  localWallTime,
  type BlockModality,
  type Interval,
  type ProviderRole,
  type WorkingBlock,
} from '@app/domain';
import { storedKeySql, type StoredKey } from './idempotency';
import { preparedQuery } from './prepared-query';

export interface BookingContext {
  provider: {
    id: string;
    name: string;
    roles: ProviderRole[];
    active: boolean;
    locationId: string;
    zone: string;
  };
  patient: PatientFacts;
  blocks: WorkingBlock[];
  /** Time zone by location id, for the provider's home and every location of their blocks. */
  zones: Record<string, string>;
  timeOff: Interval[];
  /** Closure dates by location id. */
  closures: Map<string, string[]>;
  medicationPlan: PlanRef | null;
  therapyPlan: PlanRef | null;
  /** Nearest MED_CHECKs before and after the start (booked or completed). */
  medChecks: DateTime[];
  lastEvalAt: DateTime | null;
  /** Already booked over (committed rows): the cheap answer before an insert would wait on a lock. */
  taken: 'provider' | 'patient' | null;
  /** The request already stored under the caller's Idempotency-Key, when one was given and used. */
  storedKey: StoredKey | null;
}

/** What booking (the rules and the reminders it plans) needs to know of the patient. */
export interface PatientFacts {
  id: string;
  status: 'active' | 'discharged';
  timezone: string | null;
  consentSms: boolean;
  consentEmail: boolean;
  hasPhone: boolean;
  hasEmail: boolean;
}

/**
 * The patient's facts as one JSON value ({@link PatientFacts}) for `patients p`: loaded
 * with the context, and compared again when the reminders planned from them are written.
 */
export const PATIENT_FACTS_SQL = `json_build_object('id', p.id, 'status', p.status, 'timezone', p.timezone,
  'consentSms', p.consent_sms, 'consentEmail', p.consent_email,
  'hasPhone', p.phone IS NOT NULL, 'hasEmail', p.email IS NOT NULL)`;

export interface PlanRef {
  id: string;
  providerId: string;
  lastVisitOn: string | null;
}

interface ContextRow {
  provider: {
    id: string;
    name: string;
    roles: ProviderRole[];
    active: boolean;
    locationId: string;
    zone: string;
  } | null;
  patient: PatientFacts | null;
  blocks: {
    weekday: number;
    start: string;
    end: string;
    locationId: string;
    modality: BlockModality;
    zone: string;
  }[];
  time_off: { start: string; end: string }[];
  closures: { locationId: string; date: string }[];
  plans: {
    id: string;
    track: 'medication' | 'therapy';
    providerId: string;
    lastVisitOn: string | null;
  }[];
  prev_check: Date | null;
  next_check: Date | null;
  last_eval: Date | null;
  taken: 'provider' | 'patient' | null;
  stored_key: StoredKey | null;
}

const ACTIVE = `status NOT IN ('cancelled','no_show')`;

/**
 * Everything the booking rules need, in ONE round trip: the provider and their zone,
 * the weekly template, time off and closures around the visit, the patient, their open
 * plans, and the med checks on either side (for cadence). `excludeId` leaves out the
 * visit being rescheduled. With `idempotency`, the same snapshot also answers whether
 * the key was used already: a booking and its stored response commit together, so a
 * visit seen as taken here is never one booked under the caller's own key unseen.
 */
export async function loadBookingContext(
  em: EntityManager,
  input: {
    providerId: string;
    patientId: string;
    start: DateTime;
    end: DateTime;
    excludeId?: string;
    idempotency?: { userId: string; key: string };
  },
): Promise<BookingContext> {
  const [row] = await preparedQuery<ContextRow>(
    em,
    'booking-context',
    `SELECT
      (SELECT json_build_object('id', p.id, 'name', p.name, 'roles', p.roles, 'active', p.active,
              'locationId', p.location_id, 'zone', l.timezone)
         FROM providers p JOIN locations l ON l.id = p.location_id WHERE p.id = $1) AS provider,
      (SELECT ${PATIENT_FACTS_SQL} FROM patients p WHERE p.id = $2) AS patient,
      (SELECT coalesce(json_agg(json_build_object('weekday', b.weekday, 'start', to_char(b.start_time, 'HH24:MI'),
              'end', to_char(b.end_time, 'HH24:MI'), 'locationId', b.location_id, 'modality', b.modality,
              'zone', l.timezone)), '[]')
         FROM working_blocks b JOIN locations l ON l.id = b.location_id WHERE b.provider_id = $1) AS blocks,
      (SELECT coalesce(json_agg(json_build_object('start', starts_at, 'end', ends_at)), '[]')
         FROM time_off WHERE provider_id = $1 AND tstzrange(starts_at, ends_at) && tstzrange($3, $4)) AS time_off,
      (SELECT coalesce(json_agg(json_build_object('locationId', location_id, 'date', closed_on)), '[]')
         FROM location_closures
        WHERE location_id = ANY (ARRAY(SELECT location_id FROM working_blocks WHERE provider_id = $1
                                       UNION SELECT location_id FROM providers WHERE id = $1))
          -- Sub-selects: the bounds are worked out once, not for every row compared.
          AND closed_on BETWEEN (SELECT ($3::timestamptz - interval '2 days')::date)
                            AND (SELECT ($4::timestamptz + interval '2 days')::date)) AS closures,
      (SELECT coalesce(json_agg(json_build_object('id', id, 'track', track, 'providerId', provider_id,
              'lastVisitOn', last_visit_on)), '[]')
         FROM care_plans WHERE patient_id = $2 AND status = 'active') AS plans,
      (SELECT max(starts_at) FROM appointments WHERE patient_id = $2 AND visit_type = 'MED_CHECK' AND ${ACTIVE}
          AND starts_at < $3 AND id IS DISTINCT FROM $5) AS prev_check,
      (SELECT min(starts_at) FROM appointments WHERE patient_id = $2 AND visit_type = 'MED_CHECK' AND ${ACTIVE}
          AND starts_at > $3 AND id IS DISTINCT FROM $5) AS next_check,
      (SELECT max(starts_at) FROM appointments WHERE patient_id = $2 AND visit_type = 'PSYCH_EVAL' AND ${ACTIVE}
          AND starts_at < $3 AND id IS DISTINCT FROM $5) AS last_eval,
      (SELECT CASE
         WHEN EXISTS (SELECT 1 FROM appointments WHERE provider_id = $1 AND status <> 'cancelled'
                        AND tstzrange(starts_at, ends_at) && tstzrange($3, $4) AND id IS DISTINCT FROM $5) THEN 'provider'
         WHEN EXISTS (SELECT 1 FROM appointments WHERE patient_id = $2 AND status <> 'cancelled'
                        AND tstzrange(starts_at, ends_at) && tstzrange($3, $4) AND id IS DISTINCT FROM $5) THEN 'patient'
       END) AS taken,
      ${storedKeySql('$6', '$7')} AS stored_key`,
    [
      input.providerId,
      input.patientId,
      input.start.toJSDate(),
      input.end.toJSDate(),
      input.excludeId ?? null,
      input.idempotency?.userId ?? null,
      input.idempotency?.key ?? null,
    ],
  );
  if (!row?.provider) throw DomainError.notFound('provider', input.providerId);
  if (!row.patient) throw DomainError.notFound('patient', input.patientId);
  const closures = new Map<string, string[]>();
  for (const c of row.closures)
    closures.set(c.locationId, [...(closures.get(c.locationId) ?? []), c.date]);
  const plan = (track: 'medication' | 'therapy'): PlanRef | null => {
    const found = row.plans.find((p) => p.track === track);
    return found
      ? { id: found.id, providerId: found.providerId, lastVisitOn: found.lastVisitOn }
      : null;
  };
  return {
    provider: row.provider,
    patient: row.patient,
    blocks: row.blocks,
    zones: Object.fromEntries<string>([
      [row.provider.locationId, row.provider.zone],
      ...row.blocks.map((b): [string, string] => [b.locationId, b.zone]),
    ]),
    timeOff: row.time_off.map((t) => ({
      start: DateTime.fromISO(t.start),
      end: DateTime.fromISO(t.end),
    })),
    closures,
    medicationPlan: plan('medication'),
    therapyPlan: plan('therapy'),
    medChecks: [row.prev_check, row.next_check]
      .filter((d): d is Date => d !== null)
      .map((d) => DateTime.fromJSDate(d)),
    lastEvalAt: row.last_eval ? DateTime.fromJSDate(row.last_eval) : null,
    taken: row.taken,
    storedKey: row.stored_key,
  };
}

/**
 * The location a visit happens at: that of the working block containing it (a provider
 * may work at several), else the provider's home location (the rules then report it).
 */
export function visitLocation(ctx: BookingContext, start: DateTime, end: DateTime): string {
  const date = localDateOf(start, ctx.provider.zone);
  const windows = expandWorkingWindows(ctx.blocks, ctx.provider.zone, date, date);
  const containing = windows.find((w) => w.start <= start.toMillis() && end.toMillis() <= w.end);
  return containing?.locationId ?? ctx.provider.locationId;
}

/** The cadence anchor: the latest evaluation before the visit, or the plan's lastVisitOn (local start of day). */
export function cadenceAnchor(ctx: BookingContext): DateTime | undefined {
  const lastVisitOn = ctx.medicationPlan?.lastVisitOn;
  const fromPlan = lastVisitOn
    ? (localWallTime(lastVisitOn, '00:00', ctx.provider.zone) ?? undefined)
    : undefined;
  const candidates = [ctx.lastEvalAt ?? undefined, fromPlan].filter(
    (d): d is DateTime => d !== undefined,
  );
  return candidates.sort((a, b) => b.toMillis() - a.toMillis())[0];
}
