import type { Scenario } from '../scenarios/types';
import type { SeedReport } from '../seed/generate';
import { DbSampler } from './profile';
import type { ScenarioRecord } from './report';
import { QUEUE_PREFIX, type Session } from './session';

/** Runs one scenario against a session; a failure becomes a 'failed' record, not a crash. */
export async function runScenario(
  scenario: Scenario,
  session: Session,
  seed: SeedReport,
  options: {
    quick: boolean;
    profile: boolean;
    serverUrl: string;
    database: string;
    earlier: Record<string, Record<string, unknown>>;
  },
  log: (line: string) => void,
): Promise<ScenarioRecord> {
  log(`── ${scenario.title}`);
  const started = performance.now();
  const sampler = options.profile ? new DbSampler() : null;
  await sampler?.start(options.serverUrl, options.database);
  try {
    const outcome = await scenario.run!({
      quick: options.quick,
      databaseUrl: session.databaseUrl,
      apiUrl: session.apiUrl,
      admin: session.admin,
      frontDesk: session.frontDesk,
      seed,
      db: session.db,
      worker: session.worker,
      killWorker: session.killWorker,
      redisUrl: session.redisUrl,
      userFor: session.userFor,
      earlier: options.earlier,
      queuePrefix: QUEUE_PREFIX,
      log: (line) => log(`${scenario.id}: ${line}`),
    });
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const databaseBusy = await sampler?.stop();
    for (const row of outcome.rows)
      log(
        `${scenario.id}: ${row.figure} = ${row.value} ${row.unit} (target ${row.target}: ${row.met})`,
      );
    return {
      id: scenario.id,
      title: scenario.title,
      status: 'ran',
      seconds,
      rows: outcome.rows,
      raw: databaseBusy ? { ...outcome.raw, databaseBusy } : outcome.raw,
    };
  } catch (error) {
    await sampler?.stop();
    const reason = error instanceof Error ? error.message : String(error);
    log(`${scenario.id} FAILED: ${reason}`);
    return { id: scenario.id, title: scenario.title, status: 'failed', reason, rows: [] };
  }
}
