import { Client } from 'pg';
import { HASH_FUNCTIONS, LANE_SQL, referenceSql } from './reference-sql';
import { planSql } from './plans-sql';
import { seedSizes, type SeedOptions, type SeedSizes } from './sizes';
import { visitSql } from './visits-sql';

export interface SeedReport {
  options: SeedOptions;
  sizes: SeedSizes;
  counts: Record<string, number>;
  seconds: Record<string, number>;
}

type Log = (message: string) => void;

/** Bulk-load settings for the seeding sessions only; the server's config is left alone. */
const SESSION = `SET synchronous_commit = off; SET work_mem = '64MB'; SET maintenance_work_mem = '256MB'`;

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: 'clinic-bench-seed' });
  await client.connect();
  await client.query(SESSION);
  return client;
}

/**
 * The appointments table's plain indexes and foreign keys, as the migrations made them:
 * maintaining them row by row costs more than building them once afterwards (what
 * pg_restore does too). They are recreated from these exact definitions. The exclusion
 * constraints stay: a GiST index has no bulk build, so inserting through it from `jobs`
 * connections is the fastest way, and every row is checked as it lands.
 */
async function detachAppointmentIndexes(client: Client): Promise<() => Promise<void>> {
  const constraints = await client.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE conrelid = 'appointments'::regclass AND contype = 'f' ORDER BY conname`,
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'appointments'::regclass AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
  );
  for (const c of constraints.rows)
    await client.query(`ALTER TABLE appointments DROP CONSTRAINT "${c.name}"`);
  for (const i of indexes.rows) await client.query(`DROP INDEX "${i.name}"`);
  return async () => {
    for (const i of indexes.rows) await client.query(i.def);
    for (const c of constraints.rows)
      await client.query(`ALTER TABLE appointments ADD CONSTRAINT "${c.name}" ${c.def}`);
  };
}

/**
 * The triggers that keep each plan's last completed and last booked visit (migration
 * 1764000000004) work row by row; a bulk load switches them off and fills every plan at
 * the end with the migration's own set-based backfill_care_plan_visit_facts().
 */
async function suspendPlanFactTriggers(client: Client): Promise<() => Promise<void>> {
  await client.query(`ALTER TABLE care_plans DISABLE TRIGGER care_plans_visit_facts`);
  await client.query(`ALTER TABLE appointments DISABLE TRIGGER appointments_plan_facts`);
  return async () => {
    await client.query(`ALTER TABLE care_plans ENABLE TRIGGER care_plans_visit_facts`);
    await client.query(`ALTER TABLE appointments ENABLE TRIGGER appointments_plan_facts`);
    await client.query(`SELECT backfill_care_plan_visit_facts()`);
  };
}

/**
 * Fills an empty, migrated clinic database. The big steps run as `jobs` parallel
 * statements (one connection per core); everything else is a handful of set-based
 * INSERT … SELECT generate_series statements.
 */
export async function generateClinic(
  url: string,
  options: SeedOptions,
  log: Log,
): Promise<SeedReport> {
  const sizes = seedSizes(options);
  const seconds: Record<string, number> = {};
  const timed = async (name: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    seconds[name] = Number(((performance.now() - started) / 1000).toFixed(2));
    log(`${name}: ${seconds[name]} s`);
  };
  const main = await connect(url);
  const workers = await Promise.all(Array.from({ length: options.jobs }, () => connect(url)));
  try {
    const [{ n }] = (await main.query<{ n: number }>(`SELECT count(*)::int AS n FROM patients`))
      .rows;
    if (n > 0) throw new Error('the database already holds patients: seed a fresh database');
    log(
      `${options.plans} plans → ${sizes.patients} patients, ${sizes.prescribers} prescribers, ` +
        `${sizes.therapists} therapists, ${sizes.locations} locations`,
    );
    await timed('reference data', async () => {
      await main.query(HASH_FUNCTIONS);
      for (const sql of [...referenceSql(sizes), ...LANE_SQL]) await main.query(sql);
    });
    const resumePlanFacts = await suspendPlanFactTriggers(main);
    await timed('patients and plans', async () => {
      for (const sql of planSql(options, sizes)) await main.query(sql);
    });
    const reattach = await detachAppointmentIndexes(main);
    await timed('visits', () =>
      Promise.all(
        workers.map(async (worker, part) => {
          for (const sql of visitSql(options, part)) await worker.query(sql);
        }),
      ),
    );
    await timed('indexes and constraints', reattach);
    await timed('plan visit facts', resumePlanFacts);
    await timed('vacuum analyze', async () => {
      await main.query(`DROP SCHEMA bench_seed CASCADE`);
      for (const table of ['appointments', 'care_plans', 'patients', 'providers', 'working_blocks'])
        await main.query(`VACUUM (ANALYZE) ${table}`);
    });
    const counts = await countRows(main);
    log(
      Object.entries(counts)
        .map(([table, count]) => `${table} ${count}`)
        .join(', '),
    );
    return { options, sizes, counts, seconds };
  } finally {
    await Promise.all([main, ...workers].map((c) => c.end()));
  }
}

async function countRows(client: Client): Promise<Record<string, number>> {
  const { rows } = await client.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM locations)::int AS locations, (SELECT count(*) FROM providers)::int AS providers,
            (SELECT count(*) FROM patients)::int AS patients, (SELECT count(*) FROM care_plans)::int AS care_plans,
            (SELECT count(*) FROM appointments)::int AS appointments,
            (SELECT count(*) FROM appointments WHERE starts_at >= now())::int AS future_appointments`,
  );
  return rows[0];
}
