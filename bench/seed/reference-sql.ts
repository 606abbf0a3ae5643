import type { SeedSizes } from './sizes';

/**
 * The clinic's reference data: locations, providers with weekly templates, closures,
 * time off, and the "lanes" (weekly recurring positions in a provider's template) that
 * the plans and visits are laid on. Scratch tables live in schema bench_seed and are
 * dropped at the end; every number below is interpolated only after `int()` checked it.
 */
export function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value);
}

export const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
];

/** A deterministic hash in [0,1): the same seed always gives the same clinic. */
export const HASH_FUNCTIONS = `
  DROP SCHEMA IF EXISTS bench_seed CASCADE;
  CREATE SCHEMA bench_seed;
  CREATE FUNCTION bench_seed.mix(a bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (a # (a >> 16)) & 2147483647 $$;
  CREATE FUNCTION bench_seed.h(i bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT bench_seed.mix(bench_seed.mix((i + salt * 1000003) * 2654435761) * 2246822519)::float8 / 2147483648 $$;
  -- Monday of the current week: week k of the history is w0 + 7k.
  CREATE TABLE bench_seed.clock AS SELECT date_trunc('week', now() AT TIME ZONE 'UTC')::date AS w0, now() AS at;
`;

export function referenceSql(sizes: SeedSizes): string[] {
  const zones = `ARRAY[${ZONES.map((z) => `'${z}'`).join(',')}]`;
  return [
    `CREATE TABLE bench_seed.loc AS
       SELECT n, gen_random_uuid() AS id, (${zones})[1 + (n - 1) % ${ZONES.length}] AS zone
         FROM generate_series(1, ${int(sizes.locations)}) n`,
    `INSERT INTO locations (id, name, timezone, address, phone)
       SELECT id, 'Bench Clinic ' || n, zone, n || ' Main Street', '+1 555 01' || lpad((n % 100)::text, 2, '0')
         FROM bench_seed.loc`,
    // Three templates so that not every provider starts at 09:00; an evaluation lane
    // (60 min) opens each afternoon.
    `CREATE TABLE bench_seed.tpl (tpl int PRIMARY KEY, am_start time, am_end time, pm_start time, pm_end time);
     INSERT INTO bench_seed.tpl VALUES
       (1, '09:00', '12:00', '13:00', '17:00'), (2, '08:00', '12:00', '13:00', '16:00'),
       (3, '10:00', '13:00', '14:00', '18:00')`,
    `CREATE TABLE bench_seed.prov AS
       SELECT n, gen_random_uuid() AS id, kind, 1 + (n - 1) % ${int(sizes.locations)} AS loc_n, 1 + n % 3 AS tpl,
              bench_seed.h(n, 7) < 0.2 AS friday_pm_telehealth
         FROM (SELECT n, 'prescriber' AS kind FROM generate_series(1, ${int(sizes.prescribers)}) n
               UNION ALL
               SELECT ${int(sizes.prescribers)} + n, 'therapist' FROM generate_series(1, ${int(sizes.therapists)}) n) s`,
    `ALTER TABLE bench_seed.prov ADD PRIMARY KEY (n)`,
    `INSERT INTO providers (id, name, credentials, roles, location_id, npi)
       SELECT p.id, 'Bench Provider ' || p.n,
              CASE WHEN p.kind = 'therapist' THEN ARRAY[(ARRAY['PhD','PsyD','LCSW','LPC','LMFT'])[1 + p.n % 5]]
                   WHEN p.n % 7 = 0 THEN ARRAY['PMHNP'] ELSE ARRAY[(ARRAY['MD','DO','NP','PA'])[1 + p.n % 4]] END,
              CASE WHEN p.kind = 'therapist' THEN ARRAY['therapist']
                   WHEN p.n % 7 = 0 THEN ARRAY['prescriber','therapist'] ELSE ARRAY['prescriber'] END,
              l.id, lpad((1000000000 + p.n)::text, 10, '0')
         FROM bench_seed.prov p JOIN bench_seed.loc l ON l.n = p.loc_n`,
    `INSERT INTO working_blocks (provider_id, weekday, start_time, end_time, location_id, modality)
       SELECT p.id, d, b.s, b.e, l.id,
              CASE WHEN b.part = 'pm' AND d = 5 AND p.friday_pm_telehealth THEN 'telehealth' ELSE 'any' END
         FROM bench_seed.prov p JOIN bench_seed.loc l ON l.n = p.loc_n JOIN bench_seed.tpl t ON t.tpl = p.tpl
        CROSS JOIN generate_series(1, 5) d
        CROSS JOIN LATERAL (VALUES ('am', t.am_start, t.am_end), ('pm', t.pm_start, t.pm_end)) b(part, s, e)`,
    // Fixed-date holidays for the years the history and the bookable future span.
    `INSERT INTO location_closures (location_id, closed_on)
       SELECT l.id, make_date(y, m, d) FROM bench_seed.loc l
        CROSS JOIN generate_series(extract(year FROM now())::int - 2, extract(year FROM now())::int + 1) y
        CROSS JOIN (VALUES (1, 1), (7, 4), (12, 24), (12, 25), (12, 31)) h(m, d)`,
    // One provider in twenty takes a week off 6–16 weeks from now.
    `INSERT INTO time_off (provider_id, starts_at, ends_at, reason)
       SELECT p.id, (c.w0 + 7 * wk) AT TIME ZONE l.zone, (c.w0 + 7 * wk + 5) AT TIME ZONE l.zone, 'Vacation'
         FROM bench_seed.prov p JOIN bench_seed.loc l ON l.n = p.loc_n CROSS JOIN bench_seed.clock c
        CROSS JOIN LATERAL (SELECT 6 + floor(bench_seed.h(p.n, 8) * 10)::int AS wk) w
        WHERE bench_seed.h(p.n, 9) < 0.05`,
  ];
}

/** Weekly positions: half-hour med-check lanes, hourly therapy lanes, one eval lane a day. */
export const LANE_SQL = [
  `CREATE TABLE bench_seed.med_slot AS
     SELECT tpl, t.am_start + make_interval(mins => 30 * i) AS t FROM bench_seed.tpl t, generate_series(0, 11) i
      WHERE t.am_start + make_interval(mins => 30 * i + 30) <= t.am_end
     UNION ALL
     SELECT tpl, t.pm_start + make_interval(mins => 60 + 30 * i) FROM bench_seed.tpl t, generate_series(0, 11) i
      WHERE t.pm_start + make_interval(mins => 60 + 30 * i + 30) <= t.pm_end`,
  `CREATE TABLE bench_seed.therapy_slot AS
     SELECT tpl, t.am_start + make_interval(hours => i) AS t FROM bench_seed.tpl t, generate_series(0, 5) i
      WHERE t.am_start + make_interval(hours => i + 1) <= t.am_end
     UNION ALL
     SELECT tpl, t.pm_start + make_interval(hours => i) FROM bench_seed.tpl t, generate_series(0, 5) i
      WHERE t.pm_start + make_interval(hours => i + 1) <= t.pm_end`,
];
