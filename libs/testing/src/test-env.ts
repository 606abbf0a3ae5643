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

/**
 * Databases of one `npm test` run are named clinic_test_<run>_…, where <run> is the
 * run's start in epoch seconds plus a random tag, so runs sharing a server never touch
 * each other's databases. The run id is set by globalSetup and inherited by the workers.
 */
export const TEST_DB_ROOT = 'clinic_test_';
const RUN_ENV = 'CLINIC_TEST_RUN';

export function newTestRun(nowSeconds: number, tag: string): string {
  const run = `${nowSeconds}_${tag}`;
  process.env[RUN_ENV] = run;
  return run;
}

export function testRun(): string {
  const run = process.env[RUN_ENV];
  if (!run) throw new Error('no test run id: the jest globalSetup did not run');
  return run;
}

export const templateDb = (run: string) => `${TEST_DB_ROOT}${run}_template`;
export const fileDbPrefix = (run: string) => `${TEST_DB_ROOT}${run}_f`;

/** The epoch seconds a test database name was made at, or null for other names. */
export function runStartedAt(database: string): number | null {
  const match = new RegExp(`^${TEST_DB_ROOT}(\\d{10})_`).exec(database);
  return match ? Number(match[1]) : null;
}
