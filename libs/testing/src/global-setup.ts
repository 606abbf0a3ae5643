import { Client } from 'pg';
// globalSetup runs outside jest's module mapper: relative import.
import { createDataSource, runMigrations } from '../../database/src/data-source';
import { TEMPLATE_DB, TEST_DB_PREFIX, testServers, withDatabase } from './test-env';

/** Once per `npm test`: a freshly migrated template that every test file clones. */
export default async function globalSetup(): Promise<void> {
  const { databaseUrl } = testServers();
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const stale = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [TEMPLATE_DB, `${TEST_DB_PREFIX}%`],
    );
    for (const { datname } of stale.rows) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const dataSource = createDataSource({ url: withDatabase(databaseUrl, TEMPLATE_DB), poolSize: 2 });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
