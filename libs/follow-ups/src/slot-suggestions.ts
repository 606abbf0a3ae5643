import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import {
  expandWorkingWindows,
  freeStarts,
  ianaZone,
  localDateOf,
  type ProviderRole,
  type Span,
  type WorkingBlock,
  type WorkingWindow,
} from '@app/domain';

export interface SuggestionRequest {
  key: string;
  providerId: string;
  patientId: string;
  visitType: string;
  from: DateTime;
  to: DateTime;
}

export interface SlotSuggestion {
  startsAt: string;
  endsAt: string;
  providerId: string;
  locationId: string;
  visitType: string;
}

interface ProviderRow {
  id: string;
  active: boolean;
  roles: ProviderRole[];
  zone: string;
  blocks: WorkingBlock[];
}

interface BusyRow {
  who: 'provider' | 'patient';
  id: string;
  starts_at: Date;
  ends_at: Date;
}

/**
 * The first free start for each request (a worklist row): the same rules as
 * SlotsService.search — working blocks, closures, time off, the provider's and the
 * patient's visits, the 15-minute grid — but for a whole page in four queries, whatever
 * the number of rows or providers. A provider who is inactive or cannot see the visit
 * type gets no suggestion (the front desk picks someone else).
 */
export async function suggestSlots(
  em: EntityManager,
  notBefore: DateTime,
  requests: readonly SuggestionRequest[],
): Promise<Map<string, SlotSuggestion | null>> {
  const found = new Map<string, SlotSuggestion | null>();
  if (requests.length === 0) return found;
  const providerIds = [...new Set(requests.map((r) => r.providerId))];
  const patientIds = [...new Set(requests.map((r) => r.patientId))];
  const codes = [...new Set(requests.map((r) => r.visitType))];
  const from = DateTime.fromMillis(Math.min(...requests.map((r) => r.from.toMillis())));
  const to = DateTime.fromMillis(Math.max(...requests.map((r) => r.to.toMillis())));

  const [providers, visitTypes, busyRows, closureRows] = await Promise.all([
    em.query<ProviderRow[]>(
      `SELECT p.id, p.active, p.roles, l.timezone AS zone,
              coalesce((SELECT json_agg(json_build_object('weekday', b.weekday, 'start', to_char(b.start_time, 'HH24:MI'),
                        'end', to_char(b.end_time, 'HH24:MI'), 'locationId', b.location_id, 'modality', b.modality))
                          FROM working_blocks b WHERE b.provider_id = p.id), '[]') AS blocks
         FROM providers p JOIN locations l ON l.id = p.location_id
        WHERE p.id = ANY ($1)`,
      [providerIds],
    ),
    em.query<{ code: string; duration_minutes: number; required_role: ProviderRole }[]>(
      `SELECT code, duration_minutes, required_role FROM visit_types WHERE code = ANY ($1)`,
      [codes],
    ),
    em.query<BusyRow[]>(
      `SELECT 'provider' AS who, provider_id AS id, starts_at, ends_at FROM appointments
        WHERE provider_id = ANY ($1) AND status <> 'cancelled' AND starts_at < $4 AND ends_at > $3
       UNION ALL
       SELECT 'provider', provider_id, starts_at, ends_at FROM time_off
        WHERE provider_id = ANY ($1) AND starts_at < $4 AND ends_at > $3
       UNION ALL
       SELECT 'patient', patient_id, starts_at, ends_at FROM appointments
        WHERE patient_id = ANY ($2) AND status <> 'cancelled' AND starts_at < $4 AND ends_at > $3`,
      [providerIds, patientIds, from.toJSDate(), to.toJSDate()],
    ),
    em.query<{ location_id: string; closed_on: string }[]>(
      `SELECT location_id, closed_on::text FROM location_closures
        WHERE location_id IN (SELECT location_id FROM working_blocks WHERE provider_id = ANY ($1))
          AND closed_on BETWEEN $2::date - 1 AND $3::date + 1`,
      [providerIds, from.toUTC().toISODate(), to.toUTC().toISODate()],
    ),
  ]);

  const providerById = new Map(providers.map((p) => [p.id, p]));
  const typeByCode = new Map(visitTypes.map((v) => [v.code, v]));
  const busy = new Map<string, Span[]>();
  for (const row of busyRows) {
    const key = `${row.who}|${row.id}`;
    const list = busy.get(key) ?? [];
    list.push({ start: row.starts_at.getTime(), end: row.ends_at.getTime() });
    busy.set(key, list);
  }
  const closed = new Set(closureRows.map((c) => `${c.location_id}|${c.closed_on}`));
  const windowsCache = new Map<string, WorkingWindow[]>();

  for (const request of requests) {
    const provider = providerById.get(request.providerId);
    const type = typeByCode.get(request.visitType);
    if (!provider || !type || !provider.active || !provider.roles.includes(type.required_role)) {
      found.set(request.key, null);
      continue;
    }
    const range = `${provider.id}|${request.from.toMillis()}|${request.to.toMillis()}`;
    let windows = windowsCache.get(range);
    if (!windows) {
      windows = expandWorkingWindows(
        provider.blocks,
        provider.zone,
        localDateOf(request.from, provider.zone),
        localDateOf(request.to, provider.zone),
      ).filter((w) => !closed.has(`${w.locationId}|${w.date}`));
      windowsCache.set(range, windows);
    }
    const [first] = freeStarts({
      windows,
      busy: [
        ...(busy.get(`provider|${provider.id}`) ?? []),
        ...(busy.get(`patient|${request.patientId}`) ?? []),
      ],
      durationMinutes: type.duration_minutes,
      from: request.from.toMillis(),
      to: request.to.toMillis(),
      notBefore: notBefore.toMillis(),
    });
    const start = first && DateTime.fromMillis(first.start, { zone: ianaZone(provider.zone) });
    found.set(
      request.key,
      first && start
        ? {
            startsAt: start.toISO()!,
            endsAt: start.plus({ minutes: type.duration_minutes }).toISO()!,
            providerId: provider.id,
            locationId: first.window.locationId,
            visitType: type.code,
          }
        : null,
    );
  }
  return found;
}
