/**
 * The test harness's view of the environment: `npm test` (scripts/test.mjs) exports
 * the server URLs it made sure are running. Only the harness reads these.
 */
export function testServers(): { databaseUrl: string; redisUrl: string } {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) {
    throw new Error(
      'DATABASE_URL and REDIS_URL must be set: run the tests with `npm test`, which starts them',
    );
  }
  return { databaseUrl, redisUrl };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export const TEMPLATE_DB = 'clinic_test_template';
export const TEST_DB_PREFIX = 'clinic_test_f';
