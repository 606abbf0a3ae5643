/**
 * The data generator on its own:
 *   node bench/seed.mjs --plans 100000 [--database-url postgres://…/clinic_bench_seed] [--fresh]
 * Without --database-url it uses DATABASE_URL. --fresh drops, recreates and migrates that
 * database first (only clinic_bench* names); otherwise it must be migrated and empty.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { databaseName, freshDatabase, migrate } from '../harness/database';
import { generateClinic } from './generate';
import { DEFAULT_SEED_OPTIONS, type SeedOptions } from './sizes';

const ROOT = path.resolve(__dirname, '../..');

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      plans: { type: 'string' },
      'history-weeks': { type: 'string' },
      'therapy-history-weeks': { type: 'string' },
      panel: { type: 'string' },
      jobs: { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      fresh: { type: 'boolean', default: false },
    },
  });
  const d = DEFAULT_SEED_OPTIONS;
  const options: SeedOptions = {
    plans: positiveInt('plans', values.plans, d.plans),
    historyWeeks: positiveInt('history-weeks', values['history-weeks'], d.historyWeeks),
    therapyHistoryWeeks: positiveInt(
      'therapy-history-weeks',
      values['therapy-history-weeks'],
      d.therapyHistoryWeeks,
    ),
    panelPlans: positiveInt('panel', values.panel, d.panelPlans),
    jobs: Math.max(1, positiveInt('jobs', values.jobs, d.jobs)),
  };
  const url = values['database-url'] ?? process.env.DATABASE_URL;
  if (!url) throw new Error('give --database-url or set DATABASE_URL');
  const log = (message: string) => process.stderr.write(`[seed] ${message}\n`);
  if (values.fresh) {
    await freshDatabase(url, databaseName(url));
    await migrate(
      ROOT,
      url,
      values['redis-url'] ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    );
    log(`created and migrated ${databaseName(url)}`);
  }
  const started = performance.now();
  const report = await generateClinic(url, options, log);
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[seed] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
