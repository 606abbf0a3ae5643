/**
 * `npm run bench` (about 14 minutes on 2 cores) and `npm run bench -- --quick` (a smoke run
 * under 3 minutes): finds or starts Postgres and Redis like `npm run dev`, builds when
 * dist is stale, seeds a fresh clinic_bench_<plans> database per dataset, runs each
 * scenario against the production API, writes docs/benchmarks.md and .json.
 *
 * Options: --only id,id  --keep (leave the databases)  --rebuild  --port 3100
 *          --profile (CPU profile of the API + sampling of the database's busy statements;
 *          use with --only, the profiling costs throughput)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { killAllApps } from './harness/apps';
import { ensureBuild } from './harness/build';
import { dropDatabase, withDatabase } from './harness/database';
import { summarizeCpuProfiles } from './harness/profile';
import { runScenario } from './harness/run-scenario';
import { writeReport, type BenchRun, type ScenarioRecord } from './harness/report';
import { clearQueuePrefix, Session } from './harness/session';
import { cpuYardstick } from './harness/yardstick';
import { SCENARIOS } from './scenarios/registry';
import { pendingRows, type Scenario } from './scenarios/types';
import { generateClinic } from './seed/generate';
import { DEFAULT_SEED_OPTIONS } from './seed/sizes';

const ROOT = path.resolve(__dirname, '..');

interface Stack {
  databaseUrl: string;
  redisUrl: string;
  started: string[];
  stop(): Promise<void>;
}
interface StackModule {
  ensureStack(options: { name: string }): Promise<Stack>;
}

const startedAt = performance.now();
const log = (line: string) => {
  const t = ((performance.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${t}s] ${line}\n`);
};

function missing(scenario: Scenario, operations: Set<string>, quick: boolean): string | null {
  if (quick && scenario.notInQuick) return scenario.notInQuick;
  const absent = scenario.needs.filter((op) => !operations.has(op));
  if (absent.length) return `pending: needs ${absent.join(', ')}`;
  if (!scenario.run) return 'pending: the API has it, the scenario is not written yet';
  return null;
}

async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>(
      `SELECT current_setting('server_version') AS v`,
    );
    return `PostgreSQL ${rows[0].v}`;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      port: { type: 'string', default: process.env.BENCH_PORT ?? '3100' },
    },
  });
  const quick = values.quick;
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
  if (unknown.length)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
    );
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.id));
  const loadSamples = [os.loadavg()[0]];
  const sampler = setInterval(() => loadSamples.push(os.loadavg()[0]), 10_000);
  // A path, not a file URL: swc turns this import() into require(), which loads ES
  // modules on Node >= 20.19 (package.json's engines).
  const stackModule = (await import(path.join(ROOT, 'scripts', 'stack.mjs'))) as StackModule;
  const stack = await stackModule.ensureStack({ name: 'bench' });
  const sessions: Session[] = [];
  const databases: string[] = [];
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      log(`${signal}: stopping`);
      void Promise.all(sessions.map((s) => s.close()))
        .then(() => stack.stop())
        .finally(() => process.exit(130));
    });
  }
  process.on('exit', killAllApps);

  const records: ScenarioRecord[] = [];
  let operations: Set<string> | null = null;
  const datasets: BenchRun['datasets'] = [];
  const loadBefore = os.loadavg();
  const yardstickBefore = cpuYardstick();
  const postgres = await postgresVersion(stack.databaseUrl).catch(
    () => 'PostgreSQL (version unknown)',
  );
  const build = await ensureBuild(ROOT, log, values.rebuild);
  log(`build: ${build.action}${build.seconds ? ` in ${build.seconds} s` : ''}`);
  await clearQueuePrefix(stack.redisUrl);
  const servers = {
    root: ROOT,
    databaseUrl: stack.databaseUrl,
    redisUrl: stack.redisUrl,
    port: Number(values.port),
    nodeArgs: (_app: 'api' | 'worker'): string[] => [],
    // A smoke run cannot wait for the production interval (60 s) after a Redis flush.
    env: quick ? { RECONCILE_EVERY_SECONDS: '10' } : ({} as Record<string, string>),
  };
  const profiles: NonNullable<BenchRun['profiles']> = [];
  try {
    const sizes = [...new Set(scenarios.map((s) => (quick ? s.plans.quick : s.plans.full)))];
    for (const plans of sizes.sort((a, b) => a - b)) {
      const group = scenarios.filter((s) => (quick ? s.plans.quick : s.plans.full) === plans);
      const database = `clinic_bench_${plans}`;
      const pending = (ops: Set<string>) => {
        const waiting = group.filter((s) => missing(s, ops, quick) !== null);
        for (const s of waiting) {
          const reason = missing(s, ops, quick)!;
          log(`${s.id}: ${reason}`);
          records.push({
            id: s.id,
            title: s.title,
            status: 'pending',
            reason,
            rows: pendingRows(s, reason),
          });
        }
        return group.filter((s) => !waiting.includes(s));
      };
      // Every dataset runs the same build: once its operations are known, a dataset
      // whose scenarios are all pending is not even created.
      if (operations && pending(operations).length === 0) {
        datasets.push({
          database,
          plans,
          skipped: 'not generated: every scenario on it is pending',
        });
        continue;
      }
      log(`dataset ${database}: fresh database, migrate, start the API`);
      const profileDir = path.join(os.tmpdir(), `clinic-bench-profile-${process.pid}-${plans}`);
      if (values.profile)
        servers.nodeArgs = (app) => ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, app)}`];
      const session = await Session.open(servers, database);
      sessions.push(session);
      databases.push(database);
      const known = operations !== null;
      operations = session.operations;
      const runnable = known
        ? group.filter((s) => missing(s, session.operations, quick) === null)
        : pending(session.operations);
      if (runnable.length === 0) {
        datasets.push({
          database,
          plans,
          skipped: 'not generated: every scenario on it is pending',
        });
        await session.close();
        continue;
      }
      log(`seeding ${plans} plans`);
      const seed = await generateClinic(
        session.databaseUrl,
        { ...DEFAULT_SEED_OPTIONS, plans },
        (line) => log(`seed: ${line}`),
      );
      datasets.push({ database, plans, seed });
      for (const scenario of runnable) {
        if (interrupted) break;
        records.push(
          await runScenario(
            scenario,
            session,
            seed,
            {
              quick,
              profile: values.profile,
              serverUrl: stack.databaseUrl,
              database,
              earlier: Object.fromEntries(records.map((r) => [r.id, r.raw ?? {}])),
            },
            log,
          ),
        );
      }
      await session.close();
      if (values.profile && fs.existsSync(profileDir)) {
        const [api, worker] = ['api', 'worker'].map((app) =>
          fs.existsSync(path.join(profileDir, app))
            ? summarizeCpuProfiles(path.join(profileDir, app))
            : undefined,
        );
        profiles.push({ database, profileDir, api: api!, worker });
        for (const [app, p] of Object.entries({ api, worker }))
          if (p)
            log(
              `${app} CPU by package: ${p.byOwner.map((o) => `${o.name} ${o.percent}%`).join(', ')}`,
            );
      }
    }
  } finally {
    clearInterval(sampler);
    await Promise.all(sessions.map((s) => s.close()));
    if (!values.keep) for (const db of databases) await dropDatabase(stack.databaseUrl, db);
    await clearQueuePrefix(stack.redisUrl);
    await stack.stop();
  }
  const order = new Map(SCENARIOS.map((s, i) => [s.id, i]));
  records.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const run: BenchRun = {
    mode: quick ? 'quick' : 'full',
    command: [
      'npm run bench',
      ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
    ].join(' '),
    startedAt: new Date(Date.now() - (performance.now() - startedAt)).toISOString(),
    seconds: Math.round((performance.now() - startedAt) / 1000),
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      postgres,
      load: {
        before: loadBefore,
        min: Math.min(...loadSamples),
        max: Math.max(...loadSamples),
        after: os.loadavg(),
      },
      yardstick: { before: yardstickBefore, after: cpuYardstick() },
    },
    build,
    servers: {
      postgres: redact(stack.databaseUrl),
      redis: redact(stack.redisUrl),
      startedHere: stack.started,
    },
    datasets,
    scenarios: records,
    ...(profiles.length ? { profiles } : {}),
  };
  const files = await writeReport(ROOT, run);
  log(`wrote ${files.map((f) => path.relative(ROOT, f)).join(' and ')}`);
  const failed = records.filter((r) => r.status === 'failed');
  process.exitCode = failed.length ? 1 : 0;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  killAllApps();
  process.exit(1);
});
