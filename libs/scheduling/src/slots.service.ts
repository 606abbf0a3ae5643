import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { VisitTypesService } from '@app/clinic';
import { CLOCK } from '@app/config';
import { decodeCursor, encodeCursor, type Page } from '@app/database';
import {
  addDays,
  isIsoDate,
  daysBetween,
  DomainError,
  expandWorkingWindows,
  freeStarts,
  localDateOf,
  localIso,
  localWallTime,
  medCheckCadence,
  medDueOn,
  type BlockModality,
  type Clock,
  type FreeStart,
  type Modality,
  type ProviderRole,
  type Span,
  type WorkingBlock,
} from '@app/domain';

export const MAX_SLOT_RANGE_DAYS = 92;
const MS_PER_MINUTE = 60_000;
const DUE_WINDOW_DAYS = 7;

export interface SlotQuery {
  visitType: string;
  /** An instant with offset, or a date (start of that local day in the provider's zone). */
  from?: string;
  to?: string;
  providerId?: string;
  locationId?: string;
  patientId?: string;
  modality?: Modality;
  limit: number;
  cursor?: string;
}

export interface Slot {
  startsAt: string;
  endsAt: string;
  providerId: string;
  providerName: string;
  locationId: string;
  /** With a patient and a plan: whether the start falls within a week of the plan's due date. */
  withinDueWindow: boolean | null;
}

export interface SlotPage extends Page<Slot> {
  dueOn: string | null;
}

/** One provider's free starts, ascending. */
interface ProviderStarts {
  provider: ProviderRow;
  starts: FreeStart[];
}

/** A list being merged into the page, and its next unread start. */
interface Head extends ProviderStarts {
  next: number;
}

interface ProviderRow {
  id: string;
  name: string;
  zone: string;
  /** [start, end) in epoch milliseconds. */
  busy: [number, number][];
  /** 'locationId|YYYY-MM-DD' */
  closures: string[];
  blocks: {
    weekday: number;
    start: string;
    end: string;
    locationId: string;
    modality: BlockModality;
  }[];
}

interface PatientFacts {
  busy: { start: string; end: string }[];
  med_checks: string[] | null;
  last_eval: string | null;
  plan: {
    intervalWeeks: number | null;
    lastVisitOn: string | null;
    startsOn: string;
    lastCompletedOn: string | null;
  } | null;
}

/**
 * Free starts on a 15-minute grid. One round trip whatever the range or the number of
 * providers: a statement reads the providers with their templates, busy time and
 * closures, and (with a patient) another, alongside, the patient's own visits and cadence
 * facts; the rest is computed in memory by the same domain rules the booking uses.
 */
@Injectable()
export class SlotsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly visitTypes: VisitTypesService,
  ) {}

  async search(query: SlotQuery): Promise<SlotPage> {
    const visitType = await this.visitTypes.get(query.visitType);
    const now = this.clock.now();
    // The range is local to the provider's zone, which the same statement that reads the
    // provider reads: it fetches busy time and closures for a day more on each side.
    const outer = this.outerRange(query, now);
    const [providersRead, patientRead] = await Promise.allSettled([
      this.providers(query, visitType.requiredRole, outer),
      query.patientId
        ? this.patientFacts(query.patientId, visitType.track, outer.from, outer.to)
        : Promise.resolve(null),
    ]);
    if (providersRead.status === 'rejected') throw providersRead.reason;
    const providers = providersRead.value;
    if (providers.length === 0) return { items: [], nextCursor: null, dueOn: null };
    if (patientRead.status === 'rejected') throw patientRead.reason;
    const patient = patientRead.value;
    const zone = providers[0].zone;
    const from = this.resolve('from', query.from, zone) ?? now;
    const to = this.resolve('to', query.to, zone) ?? from.plus({ days: 14 });
    if (to <= from) throw DomainError.validation('to', 'after_from', 'to must be after from');
    // Calendar days, like the range itself (a plain comparison: luxon's diff costs more).
    if (to > from.plus({ days: MAX_SLOT_RANGE_DAYS })) throw tooWide();

    const closed = new Set(providers.flatMap((p) => p.closures));
    const patientBusy = (patient?.busy ?? []).map((b) => ({
      start: DateTime.fromISO(b.start).toMillis(),
      end: DateTime.fromISO(b.end).toMillis(),
    }));
    const dueOn = this.dueOn(patient);
    const cadenceOk = this.cadenceFilter(visitType.code, patient);
    const after = pageCursor(query.cursor);

    // Twelve weeks hold thousands of free starts and a page at most 200: the search works
    // in epoch milliseconds, each provider's list stops where the page must (unless the
    // cadence filter may drop starts from it), and only the page becomes ISO strings.
    // A page takes at most limit + 1 starts of one list, after one equal to the cursor.
    const limit = cadenceOk ? undefined : query.limit + (after ? 2 : 1);
    const found: ProviderStarts[] = [];
    for (const provider of providers) {
      const windows = expandWorkingWindows(
        provider.blocks as WorkingBlock[],
        provider.zone,
        localDateOf(from, provider.zone),
        localDateOf(to, provider.zone),
      ).filter((w) => !closed.has(`${w.locationId}|${w.date}`));
      const busy = provider.busy.map(([start, end]): Span => ({ start, end }));
      const starts = freeStarts({
        windows,
        busy: [...busy, ...patientBusy],
        durationMinutes: visitType.durationMinutes,
        from: Math.max(from.toMillis(), after?.start ?? Number.NEGATIVE_INFINITY),
        to: to.toMillis(),
        notBefore: now.toMillis(),
        modality: query.modality,
        limit,
      });
      found.push({
        provider,
        starts: cadenceOk ? starts.filter((f) => cadenceOk(f, provider.zone)) : starts,
      });
    }
    return this.page(found, after, query.limit, dueOn, visitType.durationMinutes);
  }

  /**
   * The providers, each with its template, its busy time (visits and time off, as epoch
   * milliseconds truncated as a Date would be: booking reads Dates) and the closures of
   * the locations it works at: one round trip, and JSON arrays of numbers are cheaper to
   * read than rows of timestamps.
   */
  private async providers(
    query: SlotQuery,
    role: ProviderRole,
    range: { from: DateTime; to: DateTime },
  ): Promise<ProviderRow[]> {
    const rows = await this.db.query<(ProviderRow & { roles: ProviderRole[]; active: boolean })[]>(
      `SELECT p.id, p.name, p.roles, p.active, l.timezone AS zone,
              coalesce((SELECT json_agg(json_build_object('weekday', b.weekday, 'start', to_char(b.start_time, 'HH24:MI'),
                        'end', to_char(b.end_time, 'HH24:MI'), 'locationId', b.location_id, 'modality', b.modality))
                          FROM working_blocks b WHERE b.provider_id = p.id
                           AND ($3::uuid IS NULL OR b.location_id = $3)), '[]') AS blocks,
              (SELECT coalesce(json_agg(json_build_array(s, e)), '[]') FROM (
                 SELECT floor(extract(epoch FROM starts_at) * 1000) AS s, floor(extract(epoch FROM ends_at) * 1000) AS e
                   FROM appointments WHERE provider_id = p.id AND status <> 'cancelled' AND starts_at < $5 AND ends_at > $4
                 UNION ALL
                 SELECT floor(extract(epoch FROM starts_at) * 1000), floor(extract(epoch FROM ends_at) * 1000)
                   FROM time_off WHERE provider_id = p.id AND starts_at < $5 AND ends_at > $4) busy) AS busy,
              (SELECT coalesce(json_agg(c.location_id || '|' || c.closed_on), '[]') FROM location_closures c
                WHERE c.location_id IN (SELECT b.location_id FROM working_blocks b WHERE b.provider_id = p.id)
                  AND c.closed_on BETWEEN $6::date AND $7::date) AS closures
         FROM providers p JOIN locations l ON l.id = p.location_id
        WHERE ($1::uuid IS NOT NULL AND p.id = $1)
           OR ($1::uuid IS NULL AND p.active AND $2 = ANY(p.roles)
               AND ($3::uuid IS NULL OR p.location_id = $3 OR EXISTS (SELECT 1 FROM working_blocks b WHERE b.provider_id = p.id AND b.location_id = $3)))
        ORDER BY p.name`,
      [
        query.providerId ?? null,
        role,
        query.locationId ?? null,
        range.from.toJSDate(),
        range.to.toJSDate(),
        range.from.toUTC().toISODate(),
        range.to.toUTC().toISODate(),
      ],
    );
    if (query.providerId) {
      const provider = rows[0];
      if (!provider) throw DomainError.notFound('provider', query.providerId);
      // An ineligible or inactive provider simply has no slots for this visit type.
      if (!provider.active || !provider.roles.includes(role)) return [];
    }
    return rows;
  }

  private async patientFacts(
    patientId: string,
    track: 'medication' | 'therapy' | null,
    from: DateTime,
    to: DateTime,
  ): Promise<PatientFacts> {
    const [row] = await this.db.query<(PatientFacts & { exists: boolean })[]>(
      `SELECT EXISTS (SELECT 1 FROM patients WHERE id = $1) AS exists,
        (SELECT coalesce(json_agg(json_build_object('start', starts_at, 'end', ends_at)), '[]') FROM appointments
          WHERE patient_id = $1 AND status <> 'cancelled' AND starts_at < $3 AND ends_at > $2) AS busy,
        (SELECT json_agg(starts_at ORDER BY starts_at) FROM appointments
          WHERE patient_id = $1 AND visit_type = 'MED_CHECK' AND status NOT IN ('cancelled','no_show')) AS med_checks,
        (SELECT max(starts_at) FROM appointments
          WHERE patient_id = $1 AND visit_type = 'PSYCH_EVAL' AND status NOT IN ('cancelled','no_show')) AS last_eval,
        (SELECT json_build_object('intervalWeeks', c.interval_weeks, 'lastVisitOn', c.last_visit_on, 'startsOn', c.starts_on,
                'lastCompletedOn', (SELECT max((a.starts_at AT TIME ZONE l.timezone)::date) FROM appointments a JOIN locations l ON l.id = a.location_id
                                     WHERE a.patient_id = $1 AND a.status = 'completed'
                                       AND a.visit_type IN (SELECT code FROM visit_types WHERE track = c.track)))
           FROM care_plans c WHERE c.patient_id = $1 AND c.status = 'active' AND c.track = $4) AS plan`,
      [patientId, from.toJSDate(), to.toJSDate(), track],
    );
    if (!row?.exists) throw DomainError.notFound('patient', patientId);
    return row;
  }

  private dueOn(patient: PatientFacts | null): string | null {
    const plan = patient?.plan;
    if (!plan?.intervalWeeks) return null;
    return medDueOn({
      intervalWeeks: plan.intervalWeeks,
      startsOn: plan.startsOn,
      lastVisitOn: plan.lastVisitOn ?? undefined,
      lastPrescriberVisitOn: plan.lastCompletedOn ?? undefined,
    });
  }

  /**
   * Med checks too soon for the patient's cadence are left out. The rule only depends on
   * the start's local date, so it is decided once per date (and zone).
   */
  private cadenceFilter(
    visitType: string,
    patient: PatientFacts | null,
  ): ((found: FreeStart, zone: string) => boolean) | null {
    if (visitType !== 'MED_CHECK' || !patient) return null;
    const visits = (patient.med_checks ?? []).map((v) => DateTime.fromISO(v));
    const lastEval = patient.last_eval ? DateTime.fromISO(patient.last_eval) : null;
    const lastVisitOn = patient.plan?.lastVisitOn;
    const planAnchors = new Map<string, DateTime | null>();
    const byDate = new Map<string, boolean>();
    return ({ start, window: { date } }, zone) => {
      const key = `${zone}|${date}`;
      let ok = byDate.get(key);
      if (ok === undefined) {
        const startsAt = DateTime.fromMillis(start, { zone });
        let planAnchor = planAnchors.get(zone);
        if (planAnchor === undefined) {
          planAnchor = lastVisitOn ? localWallTime(lastVisitOn, '00:00', zone) : null;
          planAnchors.set(zone, planAnchor);
        }
        const anchor = [lastEval, planAnchor]
          .filter((a): a is DateTime => a !== null && a < startsAt)
          .sort((a, b) => b.toMillis() - a.toMillis())[0];
        ok = medCheckCadence({ startsAt, zone, visits, anchor }).violations.length === 0;
        byDate.set(key, ok);
      }
      return ok;
    };
  }

  /**
   * Instants surely around the range in any zone (a local date lies within a day of the
   * same date in UTC), for reading before the provider's zone is known. A range too wide
   * even then is refused before anything is read.
   */
  private outerRange(query: SlotQuery, now: DateTime): { from: DateTime; to: DateTime } {
    const from = (this.resolve('from', query.from, 'UTC') ?? now).minus({ days: 1 });
    const to = this.resolve('to', query.to, 'UTC')?.plus({ days: 1 }) ?? from.plus({ days: 16 });
    // Two days wider, and a zone shifts a date by less than one: this only refuses what
    // the exact check would.
    if (to > from.plus({ days: MAX_SLOT_RANGE_DAYS + 3 })) throw tooWide();
    return { from, to };
  }

  private resolve(field: 'from' | 'to', value: string | undefined, zone: string): DateTime | null {
    if (!value) return null;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      // A date range is inclusive: `to` is the end of that local day.
      const day = field === 'to' && isIsoDate(value) ? addDays(value, 1) : value;
      const start =
        localWallTime(day, '00:00', zone) ?? DateTime.fromISO(day, { zone }).startOf('day');
      if (!start.isValid)
        throw DomainError.validation(field, 'isIsoDate', `${field} is not a valid date`);
      return start;
    }
    const instant = DateTime.fromISO(value, { setZone: true });
    if (!instant.isValid || !/(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
      throw DomainError.validation(
        field,
        'instantOrDate',
        `${field} must be a date YYYY-MM-DD or an instant with an offset`,
      );
    }
    return instant;
  }

  /** The page after the cursor, in (start, provider id) order: a merge of the sorted lists. */
  private page(
    found: ProviderStarts[],
    after: Cursor | null,
    limit: number,
    dueOn: string | null,
    durationMinutes: number,
  ): SlotPage {
    const heads: Head[] = found.map((f) => ({ ...f, next: after ? firstAfter(f, after) : 0 }));
    const picked: { found: FreeStart; provider: ProviderRow }[] = [];
    while (picked.length <= limit) {
      let best: Head | undefined;
      for (const head of heads) {
        if (head.next >= head.starts.length) continue;
        if (!best || comesBefore(head, best)) best = head;
      }
      if (!best) break;
      picked.push({ found: best.starts[best.next++], provider: best.provider });
    }
    const durationMs = durationMinutes * MS_PER_MINUTE;
    const items = picked.slice(0, limit).map(({ found: { start, window }, provider }): Slot => ({
      startsAt: localIso(window, start),
      endsAt: localIso(window, start + durationMs),
      providerId: provider.id,
      providerName: provider.name,
      locationId: window.locationId,
      withinDueWindow: dueOn ? Math.abs(daysBetween(dueOn, window.date)) <= DUE_WINDOW_DAYS : null,
    }));
    const last = picked[limit - 1];
    return {
      items,
      nextCursor:
        picked.length > limit && last ? encodeCursor([last.found.start, last.provider.id]) : null,
      dueOn,
    };
  }
}

function tooWide(): DomainError {
  return DomainError.validation(
    'to',
    'max_range',
    `the range may span at most ${MAX_SLOT_RANGE_DAYS} days`,
  );
}

/** Ids compare by code point, as the cursor does. */
function comesBefore(a: Head, b: Head): boolean {
  const [x, y] = [a.starts[a.next].start, b.starts[b.next].start];
  return x < y || (x === y && a.provider.id < b.provider.id);
}

/** The last slot of the previous page: its start (epoch ms) and provider. */
interface Cursor {
  start: number;
  providerId: string;
}

function pageCursor(cursor: string | undefined): Cursor | null {
  const key = decodeCursor(cursor, 2);
  if (!key) return null;
  const [start, providerId] = key;
  if (typeof start !== 'number' || typeof providerId !== 'string')
    throw DomainError.validation('cursor', 'format', 'cursor is not one this API returned');
  return { start, providerId };
}

/** Index of the first start that comes after the cursor (start, provider id). */
function firstAfter({ provider, starts }: ProviderStarts, { start, providerId }: Cursor): number {
  const includeEqual = provider.id > providerId;
  let [lo, hi] = [0, starts.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const t = starts[mid].start;
    if (t < start || (t === start && !includeEqual)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
