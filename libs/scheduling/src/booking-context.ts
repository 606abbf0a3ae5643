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
import { busySql } from './slot-conflict';
import { preparedQuery, StatementBatcher } from '@app/database';

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

export interface ContextRequest {
  providerId: string;
  patientId: string;
  start: DateTime;
  end: DateTime;
  excludeId?: string;
  idempotency?: { userId: string; key: string };
}

/**
 * One row per request `i` (the arrays $1…$7, in order): everything the booking rules
 * need. Each sub-select is an index probe for that request's provider, patient or time.
 */
const CONTEXT_SQL = `SELECT i.n,
  (SELECT json_build_object('id', p.id, 'name', p.name, 'roles', p.roles, 'active', p.active,
          'locationId', p.location_id, 'zone', l.timezone)
     FROM providers p JOIN locations l ON l.id = p.location_id WHERE p.id = i.provider_id) AS provider,
  (SELECT ${PATIENT_FACTS_SQL} FROM patients p WHERE p.id = i.patient_id) AS patient,
  (SELECT coalesce(json_agg(json_build_object('weekday', b.weekday, 'start', to_char(b.start_time, 'HH24:MI'),
          'end', to_char(b.end_time, 'HH24:MI'), 'locationId', b.location_id, 'modality', b.modality,
          'zone', l.timezone)), '[]')
     FROM working_blocks b JOIN locations l ON l.id = b.location_id WHERE b.provider_id = i.provider_id) AS blocks,
  (SELECT coalesce(json_agg(json_build_object('start', o.starts_at, 'end', o.ends_at)), '[]')
     FROM time_off o WHERE o.provider_id = i.provider_id
      AND tstzrange(o.starts_at, o.ends_at) && tstzrange(i.starts_at, i.ends_at)) AS time_off,
  (SELECT coalesce(json_agg(json_build_object('locationId', c.location_id, 'date', c.closed_on)), '[]')
     FROM location_closures c
    WHERE c.location_id = ANY (ARRAY(SELECT location_id FROM working_blocks WHERE provider_id = i.provider_id
                                     UNION SELECT location_id FROM providers WHERE id = i.provider_id))
      -- Sub-selects: the bounds are worked out once, not for every row compared.
      AND c.closed_on BETWEEN (SELECT (i.starts_at - interval '2 days')::date)
                          AND (SELECT (i.ends_at + interval '2 days')::date)) AS closures,
  (SELECT coalesce(json_agg(json_build_object('id', c.id, 'track', c.track, 'providerId', c.provider_id,
          'lastVisitOn', c.last_visit_on)), '[]')
     FROM care_plans c WHERE c.patient_id = i.patient_id AND c.status = 'active') AS plans,
  (SELECT max(a.starts_at) FROM appointments a WHERE a.patient_id = i.patient_id AND a.visit_type = 'MED_CHECK'
      AND a.${ACTIVE} AND a.starts_at < i.starts_at AND a.id IS DISTINCT FROM i.exclude_id) AS prev_check,
  (SELECT min(a.starts_at) FROM appointments a WHERE a.patient_id = i.patient_id AND a.visit_type = 'MED_CHECK'
      AND a.${ACTIVE} AND a.starts_at > i.starts_at AND a.id IS DISTINCT FROM i.exclude_id) AS next_check,
  (SELECT max(a.starts_at) FROM appointments a WHERE a.patient_id = i.patient_id AND a.visit_type = 'PSYCH_EVAL'
      AND a.${ACTIVE} AND a.starts_at < i.starts_at AND a.id IS DISTINCT FROM i.exclude_id) AS last_eval,
  (SELECT CASE
     WHEN ${busySql('provider_id', 'i.provider_id', 'i.starts_at', 'i.ends_at', 'i.exclude_id')} THEN 'provider'
     WHEN ${busySql('patient_id', 'i.patient_id', 'i.starts_at', 'i.ends_at', 'i.exclude_id')} THEN 'patient'
   END) AS taken,
  ${storedKeySql('i.user_id', 'i.key')} AS stored_key
  FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::uuid[], $6::uuid[], $7::text[])
       WITH ORDINALITY AS i(provider_id, patient_id, starts_at, ends_at, exclude_id, user_id, key, n)`;

/**
 * Everything the booking rules need, for several requests in ONE round trip: the
 * provider and their zone, the weekly template, time off and closures around the visit,
 * the patient, their open plans, and the med checks on either side (for cadence).
 * `excludeId` leaves out the visit being rescheduled. With `idempotency`, the same
 * snapshot also answers whether the key was used already: a booking and its stored
 * response commit together, so a visit seen as taken here is never one booked under the
 * caller's own key unseen. A request naming an unknown provider or patient gets its
 * NOT_FOUND error in its place; the others are not affected.
 */
export async function loadBookingContexts(
  em: EntityManager,
  requests: ContextRequest[],
): Promise<(BookingContext | DomainError)[]> {
  const rows = await preparedQuery<ContextRow & { n: string }>(em, 'booking-context', CONTEXT_SQL, [
    requests.map((r) => r.providerId),
    requests.map((r) => r.patientId),
    requests.map((r) => r.start.toJSDate()),
    requests.map((r) => r.end.toJSDate()),
    requests.map((r) => r.excludeId ?? null),
    requests.map((r) => r.idempotency?.userId ?? null),
    requests.map((r) => r.idempotency?.key ?? null),
  ]);
  const byRequest = new Map(rows.map((row) => [Number(row.n) - 1, row]));
  return requests.map((request, i) => toContext(request, byRequest.get(i)));
}

/** One request's context: loadBookingContexts for a batch of one. */
export async function loadBookingContext(
  em: EntityManager,
  request: ContextRequest,
): Promise<BookingContext> {
  const [context] = await loadBookingContexts(em, [request]);
  if (context instanceof DomainError) throw context;
  return context;
}

/**
 * Loads the contexts of concurrent bookings together: requests that ask while earlier
 * loads are running share one statement (up to `maxBatch` each; StatementBatcher), so a
 * burst of bookings (500 for one slot) costs Postgres a few statements instead of one
 * each. Each request still gets its own context, as one query of its own would have given it.
 */
export class BookingContextLoader {
  private readonly batcher: StatementBatcher<ContextRequest, BookingContext>;

  constructor(em: EntityManager, maxBatch = 64, maxInFlight = 4) {
    this.batcher = new StatementBatcher<ContextRequest, BookingContext>(
      (requests) => loadBookingContexts(em, requests),
      {
        maxBatch,
        maxInFlight,
      },
    );
  }

  load(request: ContextRequest): Promise<BookingContext> {
    return this.batcher.submit(request);
  }
}

function toContext(
  request: ContextRequest,
  row: ContextRow | undefined,
): BookingContext | DomainError {
  if (!row?.provider) return DomainError.notFound('provider', request.providerId);
  if (!row.patient) return DomainError.notFound('patient', request.patientId);
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
