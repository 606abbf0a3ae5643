import type { Client } from 'pg';

export interface FreeStart {
  providerId: string;
  locationId: string;
  startsAt: string;
  modality: 'in_person' | 'telehealth';
}

/**
 * Patients a med check can be booked for right now without breaking a rule: active, with
 * an active medication plan, nothing booked ahead and no prescriber visit in the last 29
 * days (cadence). Any of them can take any free prescriber slot from tomorrow on.
 */
export async function bookablePatients(db: Client, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT p.id FROM patients p
      WHERE p.status = 'active'
        AND EXISTS (SELECT 1 FROM care_plans c WHERE c.patient_id = p.id AND c.track = 'medication' AND c.status = 'active')
        AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = p.id
                          AND a.status NOT IN ('cancelled', 'no_show') AND a.starts_at > now() - interval '29 days')
      ORDER BY md5(p.id::text) LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Free 15-minute-grid starts for a `minutes`-long prescriber visit from tomorrow for
 * `weeks` weeks: inside a working block (and its modality), off closures and time off,
 * clear of every non-cancelled visit. A deterministic shuffle, `limit` of them.
 */
export async function freeStarts(
  db: Client,
  { weeks, minutes, limit }: { weeks: number; minutes: number; limit: number },
): Promise<FreeStart[]> {
  // OFFSET 0 keeps each NOT EXISTS a per-row probe of the exclusion constraint's GiST
  // index; flattened into an anti-join, Postgres matches on provider_id alone and compares
  // ranges pairwise (minutes instead of a second). Sampling 2× (+1,000) of the grid first keeps it small.
  const { rows } = await db.query<FreeStart>(
    `WITH grid AS (
       SELECT b.provider_id, b.location_id, b.modality, day::date AS day,
              ((day::date + b.start_time) + make_interval(mins => 15 * i)) AT TIME ZONE l.timezone AS s
         FROM providers p JOIN working_blocks b ON b.provider_id = p.id JOIN locations l ON l.id = b.location_id
        CROSS JOIN generate_series(current_date + 1, current_date + 7 * $1::int, interval '1 day') day
        CROSS JOIN LATERAL generate_series(0, (extract(epoch FROM b.end_time - b.start_time) / 900)::int - $2::int / 15) i
        WHERE p.active AND 'prescriber' = ANY (p.roles) AND extract(isodow FROM day) = b.weekday),
     sample AS (SELECT * FROM grid ORDER BY md5(provider_id::text || s::text) LIMIT 2 * $3::int + 1000)
     SELECT g.provider_id AS "providerId", g.location_id AS "locationId", g.s AS "startsAt",
            CASE WHEN g.modality = 'telehealth' THEN 'telehealth' ELSE 'in_person' END AS modality
       FROM sample g
      WHERE NOT EXISTS (SELECT 1 FROM location_closures c WHERE c.location_id = g.location_id AND c.closed_on = g.day)
        AND NOT EXISTS (SELECT 1 FROM time_off o WHERE o.provider_id = g.provider_id
                          AND tstzrange(o.starts_at, o.ends_at) && tstzrange(g.s, g.s + make_interval(mins => $2::int))
                         OFFSET 0)
        AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.provider_id = g.provider_id AND a.status <> 'cancelled'
                          AND tstzrange(a.starts_at, a.ends_at) && tstzrange(g.s, g.s + make_interval(mins => $2::int))
                         OFFSET 0)
      ORDER BY md5(g.provider_id::text || g.s::text) LIMIT $3`,
    [weeks, minutes, limit],
  );
  return rows.map((r) => ({ ...r, startsAt: new Date(r.startsAt).toISOString() }));
}

/** Overlapping non-cancelled visits per provider and per patient: must be 0 and 0. */
export async function doubleBookings(db: Client): Promise<{ provider: number; patient: number }> {
  const overlaps = (key: string) =>
    `SELECT count(*)::int AS n FROM (
       SELECT starts_at, max(ends_at) OVER (PARTITION BY ${key} ORDER BY starts_at, id
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end
         FROM appointments WHERE status <> 'cancelled') s
      WHERE starts_at < before_end`;
  const [provider, patient] = await Promise.all([
    db.query<{ n: number }>(overlaps('provider_id')),
    db.query<{ n: number }>(overlaps('patient_id')),
  ]);
  return { provider: provider.rows[0].n, patient: patient.rows[0].n };
}
