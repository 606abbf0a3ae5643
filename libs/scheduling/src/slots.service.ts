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
  localWallTime,
  medCheckCadence,
  medDueOn,
  type BlockModality,
  type Clock,
  type Interval,
  type Modality,
  type ProviderRole,
  type WorkingBlock,
} from '@app/domain';

export const MAX_SLOT_RANGE_DAYS = 92;
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

interface Candidate {
  ms: number;
  start: DateTime;
  provider: ProviderRow;
  locationId: string;
}

interface ProviderRow {
  id: string;
  name: string;
  zone: string;
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
 * Free starts on a 15-minute grid. A fixed number of queries whatever the range or the
 * number of providers: providers with their templates, everyone's busy time, closures,
 * and (with a patient) the patient's own visits and cadence facts; the rest is computed
 * in memory by the same domain rules the booking uses.
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
    const providers = await this.providers(query, visitType.requiredRole);
    if (providers.length === 0) return { items: [], nextCursor: null, dueOn: null };
    const zone = providers[0].zone;
    const from = this.resolve('from', query.from, zone) ?? now;
    const to = this.resolve('to', query.to, zone) ?? from.plus({ days: 14 });
    if (to <= from) throw DomainError.validation('to', 'after_from', 'to must be after from');
    if (to.diff(from, 'days').days > MAX_SLOT_RANGE_DAYS) {
      throw DomainError.validation(
        'to',
        'max_range',
        `the range may span at most ${MAX_SLOT_RANGE_DAYS} days`,
      );
    }
    const ids = providers.map((p) => p.id);
    const [busyRows, closureRows, patient] = await Promise.all([
      this.db.query<{ provider_id: string; starts_at: Date; ends_at: Date }[]>(
        `SELECT provider_id, starts_at, ends_at FROM appointments
          WHERE provider_id = ANY($1) AND status <> 'cancelled' AND starts_at < $3 AND ends_at > $2
         UNION ALL
         SELECT provider_id, starts_at, ends_at FROM time_off
          WHERE provider_id = ANY($1) AND starts_at < $3 AND ends_at > $2`,
        [ids, from.toJSDate(), to.toJSDate()],
      ),
      this.db.query<{ location_id: string; closed_on: string }[]>(
        `SELECT location_id, closed_on::text FROM location_closures
          WHERE location_id IN (SELECT location_id FROM working_blocks WHERE provider_id = ANY($1))
            AND closed_on BETWEEN $2::date - 1 AND $3::date + 1`,
        [ids, from.toISODate(), to.toISODate()],
      ),
      query.patientId
        ? this.patientFacts(query.patientId, visitType.track, from, to)
        : Promise.resolve(null),
    ]);

    const busyBy = new Map<string, Interval[]>();
    for (const b of busyRows) {
      busyBy.set(b.provider_id, [
        ...(busyBy.get(b.provider_id) ?? []),
        { start: DateTime.fromJSDate(b.starts_at), end: DateTime.fromJSDate(b.ends_at) },
      ]);
    }
    const closed = new Set(closureRows.map((c) => `${c.location_id}|${c.closed_on}`));
    const patientBusy = (patient?.busy ?? []).map((b) => ({
      start: DateTime.fromISO(b.start),
      end: DateTime.fromISO(b.end),
    }));
    const dueOn = this.dueOn(patient);
    const cadenceOk = this.cadenceFilter(visitType.code, patient);

    // Starts are kept light (epoch ms) and formatted only for the page that is returned:
    // twelve weeks hold thousands of free starts, a page holds at most 200.
    const candidates: Candidate[] = [];
    const checkDates = visitType.code === 'MED_CHECK' && patient !== null;
    for (const provider of providers) {
      const windows = expandWorkingWindows(
        provider.blocks as WorkingBlock[],
        provider.zone,
        localDateOf(from, provider.zone),
        localDateOf(to, provider.zone),
      ).filter((w) => !closed.has(`${w.locationId}|${localDateOf(w.start, provider.zone)}`));
      const starts = freeStarts({
        windows,
        busy: [...(busyBy.get(provider.id) ?? []), ...patientBusy],
        durationMinutes: visitType.durationMinutes,
        from,
        to,
        notBefore: now,
        modality: query.modality,
      });
      // Windows and starts are both sorted: one pointer finds each start's window.
      const bounds = windows.map((w) => ({ end: w.end.toMillis(), locationId: w.locationId }));
      let w = 0;
      for (const start of starts) {
        if (checkDates && !cadenceOk(start.toISODate()!, start, provider.zone)) continue;
        const ms = start.toMillis();
        while (w < bounds.length && bounds[w].end <= ms) w++;
        candidates.push({ ms, start, provider, locationId: bounds[w]?.locationId ?? '' });
      }
    }
    candidates.sort((a, b) => a.ms - b.ms || a.provider.id.localeCompare(b.provider.id));
    return this.page(candidates, query, dueOn, visitType.durationMinutes);
  }

  private async providers(query: SlotQuery, role: ProviderRole): Promise<ProviderRow[]> {
    const rows = await this.db.query<(ProviderRow & { roles: ProviderRole[]; active: boolean })[]>(
      `SELECT p.id, p.name, p.roles, p.active, l.timezone AS zone,
              coalesce((SELECT json_agg(json_build_object('weekday', b.weekday, 'start', to_char(b.start_time, 'HH24:MI'),
                        'end', to_char(b.end_time, 'HH24:MI'), 'locationId', b.location_id, 'modality', b.modality))
                          FROM working_blocks b WHERE b.provider_id = p.id
                           AND ($3::uuid IS NULL OR b.location_id = $3)), '[]') AS blocks
         FROM providers p JOIN locations l ON l.id = p.location_id
        WHERE ($1::uuid IS NOT NULL AND p.id = $1)
           OR ($1::uuid IS NULL AND p.active AND $2 = ANY(p.roles)
               AND ($3::uuid IS NULL OR p.location_id = $3 OR EXISTS (SELECT 1 FROM working_blocks b WHERE b.provider_id = p.id AND b.location_id = $3)))
        ORDER BY p.name`,
      [query.providerId ?? null, role, query.locationId ?? null],
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

  /** Med checks too soon for the patient's cadence are left out; the rule only depends on the local date. */
  private cadenceFilter(
    visitType: string,
    patient: PatientFacts | null,
  ): (date: string, start: DateTime, zone: string) => boolean {
    if (visitType !== 'MED_CHECK' || !patient) return () => true;
    const visits = (patient.med_checks ?? []).map((v) => DateTime.fromISO(v));
    const lastVisitOn = patient.plan?.lastVisitOn;
    const anchors = [patient.last_eval ? DateTime.fromISO(patient.last_eval) : null];
    const byDate = new Map<string, boolean>();
    return (date, start, zone) => {
      let ok = byDate.get(date);
      if (ok === undefined) {
        const planAnchor = lastVisitOn ? localWallTime(lastVisitOn, '00:00', zone) : null;
        const anchor = [...anchors, planAnchor]
          .filter((a): a is DateTime => a !== null && a < start)
          .sort((a, b) => b.toMillis() - a.toMillis())[0];
        ok = medCheckCadence({ startsAt: start, zone, visits, anchor }).violations.length === 0;
        byDate.set(date, ok);
      }
      return ok;
    };
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

  private page(
    candidates: Candidate[],
    query: SlotQuery,
    dueOn: string | null,
    durationMinutes: number,
  ): SlotPage {
    const after = decodeCursor(query.cursor, 2);
    const first = after
      ? candidates.findIndex(
          (c) =>
            c.ms > Number(after[0]) ||
            (c.ms === Number(after[0]) && c.provider.id > String(after[1])),
        )
      : 0;
    const rest = first < 0 ? [] : candidates.slice(first, first + query.limit + 1);
    const items = rest.slice(0, query.limit).map((c): Slot => {
      const date = c.start.toISODate()!;
      return {
        startsAt: c.start.toISO()!,
        endsAt: c.start.plus({ minutes: durationMinutes }).toISO()!,
        providerId: c.provider.id,
        providerName: c.provider.name,
        locationId: c.locationId,
        withinDueWindow: dueOn ? Math.abs(daysBetween(dueOn, date)) <= DUE_WINDOW_DAYS : null,
      };
    });
    const last = rest[query.limit - 1];
    return {
      items,
      nextCursor:
        rest.length > query.limit && last ? encodeCursor([last.ms, last.provider.id]) : null,
      dueOn,
    };
  }
}
