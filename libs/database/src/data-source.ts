import { types } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

// A DATE is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of letting
// node-postgres turn it into a Date at midnight in the server's zone.
const PG_DATE_OID = 1082;
types.setTypeParser(PG_DATE_OID, (value: string) => value);

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** 30 s by default; 0 for none (the migrate command: a migration may rewrite a big table). */
  statementTimeoutMs?: number;
}

/** The one data source definition: the apps, the migration command and the tests all use it. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: settings.poolSize ?? 20,
      application_name: settings.applicationName ?? 'clinic',
      // A request must never wait forever on a saturated pool or a hung query.
      connectionTimeoutMillis: 10_000,
      statement_timeout: settings.statementTimeoutMs ?? 30_000,
    },
  };
}

export function createDataSource(settings: DatabaseSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}

/** Arbitrary but fixed: serialises concurrent `migrate` runs (two pods starting at once). */
const MIGRATION_LOCK_KEY = 727_211_001;

/** Applies pending migrations under an advisory lock; returns the names applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lockRunner
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    await lockRunner.release();
  }
}
