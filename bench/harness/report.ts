import fs from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { FigureRow } from '../scenarios/types';
import type { SeedReport } from '../seed/generate';
import type { BuildInfo } from './build';
import type { Share } from './profile';

export interface ScenarioRecord {
  id: string;
  title: string;
  status: 'ran' | 'pending' | 'failed';
  reason?: string;
  seconds?: number;
  rows: FigureRow[];
  raw?: Record<string, unknown>;
}

export interface BenchRun {
  mode: 'full' | 'quick';
  /** As typed: a run with --only or --profile is partial, and says so. */
  command: string;
  startedAt: string;
  seconds: number;
  machine: {
    cpus: number;
    node: string;
    postgres: string;
    /** 1-minute load averages sampled every 10 s during the run. */
    load: { before: number[]; min: number; max: number; after: number[] };
    /** harness/yardstick.ts in ms, before and after the run; absent in older runs. */
    yardstick?: { before: number; after: number };
  };
  build: BuildInfo;
  servers: { postgres: string; redis: string; startedHere: string[] };
  datasets: { database: string; plans: number; seed?: SeedReport; skipped?: string }[];
  scenarios: ScenarioRecord[];
  /** With --profile: the apps' CPU self time by package and by function. */
  profiles?: {
    database: string;
    profileDir: string;
    api: { byOwner: Share[]; byFunction: Share[] };
    worker?: { byOwner: Share[]; byFunction: Share[] };
  }[];
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function measured(row: FigureRow): string {
  return row.value === null ? '—' : `${row.value} ${row.unit}`.trim();
}

/** A long reason (an error body) would widen the table: the cell gets its start, the notes all of it. */
function met(row: FigureRow): string {
  if (typeof row.met === 'string')
    return row.met.length > 70 ? `${row.met.slice(0, 70)}…` : row.met;
  return row.met === null ? '—' : row.met ? 'yes' : '**no**';
}

function markdown(run: BenchRun): string {
  const load = run.machine.load;
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`${run.command}\` on ${run.startedAt} ` +
      `(${Math.round(run.seconds)} s). Raw numbers: [benchmarks.json](benchmarks.json). ` +
      'Every figure is measured against a baseline in the same run on the same machine (SPEC §5); ' +
      'absolute times vary from machine to machine, ratios much less.',
    '',
    `- Machine: ${run.machine.cpus} cores, Node ${run.machine.node}, ${run.machine.postgres}. ` +
      `1-minute load average ${load.before[0].toFixed(2)} before, ${load.min.toFixed(2)}–${load.max.toFixed(2)} ` +
      `during, ${load.after[0].toFixed(2)} after${load.max > run.machine.cpus * 0.75 ? ' (other work shared the CPU: expect noise)' : ''}.` +
      (run.machine.yardstick
        ? ` CPU yardstick (bench/harness/yardstick.ts, lower is faster): ${run.machine.yardstick.before} ms before, ${run.machine.yardstick.after} ms after.`
        : ''),
    `- App: the production build (\`node --max-semi-space-size=32 dist/apps/api/src/main.js\`, NODE_ENV=production, LOG_LEVEL=warn), ` +
      `dist written ${run.build.distBuiltAt} (${run.build.action}${run.build.note ? `: ${run.build.note}` : ''}).`,
    `- Data: ${run.datasets
      .map((d) =>
        d.seed
          ? `${d.database}: ${Object.entries(d.seed.counts)
              .map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`)
              .join(', ')} (seeded in ${Object.values(d.seed.seconds)
              .reduce((a, b) => a + b, 0)
              .toFixed(0)} s)`
          : `${d.database}: ${d.skipped}`,
      )
      .join('; ')}.`,
    '',
    '| scenario | figure | measured | baseline | ratio | target | met? |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const notes: string[] = [];
  for (const scenario of run.scenarios) {
    const rows: FigureRow[] =
      scenario.rows.length > 0
        ? scenario.rows
        : [
            {
              scenario: scenario.title,
              figure: '—',
              value: null,
              unit: '',
              target: '—',
              met: scenario.reason ?? scenario.status,
            },
          ];
    for (const row of rows) {
      const baseline = row.baseline
        ? `${row.baseline.label} ${row.baseline.value} ${row.baseline.unit}`
        : '—';
      const ratio = row.ratio === undefined || row.ratio === null ? '—' : String(row.ratio);
      lines.push(
        `| ${[row.scenario, row.figure, measured(row), baseline, ratio, row.target, met(row)].map(cell).join(' | ')} |`,
      );
      if (row.note) notes.push(`- ${row.scenario} — ${row.figure}: ${row.note}`);
      if (typeof row.met === 'string' && row.met.length > 70)
        notes.push(`- ${row.scenario} — ${row.figure}: ${row.met}`);
    }
    if (scenario.status === 'failed') notes.push(`- ${scenario.title} failed: ${scenario.reason}`);
  }
  if (notes.length) lines.push('', '## Notes', '', ...notes);
  return `${lines.join('\n')}\n`;
}

/** docs/benchmarks.md (formatted like the rest of the repository) and docs/benchmarks.json. */
export async function writeReport(root: string, run: BenchRun): Promise<string[]> {
  const docs = path.join(root, 'docs');
  fs.mkdirSync(docs, { recursive: true });
  const mdFile = path.join(docs, 'benchmarks.md');
  const options = (await resolveConfig(mdFile)) ?? {};
  fs.writeFileSync(mdFile, await format(markdown(run), { ...options, filepath: mdFile }));
  const jsonFile = path.join(docs, 'benchmarks.json');
  fs.writeFileSync(jsonFile, `${JSON.stringify(run, null, 2)}\n`);
  return [mdFile, jsonFile];
}
