import { Client } from 'pg';
// globalSetup runs outside jest's module mapper: relative import.
import { createDataSource, runMigrations } from '../../database/src/data-source';
import { randomBytes } from 'node:crypto';
import {
  newTestRun,
  runStartedAt,
  templateDb,
  TEST_DB_ROOT,
  testServers,
  withDatabase,
} from './test-env';

/** Leftovers of runs that crashed before dropping their databases, after this long. */
const STALE_AFTER_SECONDS = 6 * 3600;

/** Once per `npm test`: a freshly migrated template that every test file clones. */
export default async function globalSetup(): Promise<void> {
  const { databaseUrl } = testServers();
  const startedAt = Math.floor(performance.timeOrigin / 1000);
  const run = newTestRun(startedAt, randomBytes(3).toString('hex'));
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const leftovers = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${TEST_DB_ROOT}%`],
    );
    for (const { datname } of leftovers.rows) {
      const at = runStartedAt(datname);
      if (at !== null && startedAt - at > STALE_AFTER_SECONDS) {
        await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
    await admin.query(`CREATE DATABASE "${templateDb(run)}"`);
  } finally {
    await admin.end();
  }
  const dataSource = createDataSource({
    url: withDatabase(databaseUrl, templateDb(run)),
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
