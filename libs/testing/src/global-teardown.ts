import { Client } from 'pg';
import { fileDbPrefix, templateDb, testRun, testServers } from './test-env';

/** Drops this run's template and any database a crashed test file left behind. */
export default async function globalTeardown(): Promise<void> {
  const run = testRun();
  const admin = new Client({ connectionString: testServers().databaseUrl });
  await admin.connect();
  try {
    const mine = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [templateDb(run), `${fileDbPrefix(run)}%`],
    );
    for (const { datname } of mine.rows)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
