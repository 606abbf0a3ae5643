import type { Client } from 'pg';
import type { ApiClient } from '../harness/api-client';
import type { AppProcess } from '../harness/apps';
import type { SeedReport } from '../seed/generate';

/** One line of docs/benchmarks.md. */
export interface FigureRow {
  scenario: string;
  figure: string;
  value: number | null;
  unit: string;
  baseline?: { label: string; value: number; unit: string } | null;
  /** value / baseline, when the target is a ratio. */
  ratio?: number | null;
  target: string;
  /** null: nothing to meet (informative figure); a string: why it was not measured. */
  met: boolean | null | string;
  note?: string;
}

export interface ScenarioOutcome {
  rows: FigureRow[];
  raw: Record<string, unknown>;
}

export interface BenchContext {
  quick: boolean;
  databaseUrl: string;
  apiUrl: string;
  admin: ApiClient;
  frontDesk: ApiClient;
  seed: SeedReport;
  /** A fresh connection to the dataset's database (close it yourself). */
  db: () => Promise<Client>;
  /** Starts the production worker (once) for scenarios that need it. */
  worker: () => Promise<AppProcess>;
  /** SIGKILLs the worker; the next worker() starts a fresh one. */
  killWorker: () => Promise<void>;
  redisUrl: string;
  /** A fresh logged-in user (a clinician needs the provider whose schedule is theirs). */
  userFor: (role: 'front_desk' | 'clinician', providerId?: string) => Promise<ApiClient>;
  /** Raw outcomes of the scenarios that already ran in this run, by id. */
  earlier: Record<string, Record<string, unknown>>;
  /** The API's and worker's QUEUE_PREFIX: every Redis key of this run starts with it. */
  queuePrefix: string;
  /** Progress line for the terminal. */
  log: (line: string) => void;
}

export interface Scenario {
  id: string;
  title: string;
  /** Operations the built API must document in /docs-json, e.g. 'POST /follow-ups/scan'. */
  needs: string[];
  /** Care plans in the database it runs against (datasets are seeded once per size). */
  plans: { quick: number; full: number };
  /** The figures it promises, listed as pending rows while it cannot run. */
  targets: { figure: string; target: string }[];
  /** Why --quick leaves it out (it cannot be made short), if it does. */
  notInQuick?: string;
  /** Absent while the code it measures is still being written. */
  run?: (ctx: BenchContext) => Promise<ScenarioOutcome>;
}

/** Rows for a scenario that could not run, one per promised figure. */
export function pendingRows(scenario: Scenario, reason: string): FigureRow[] {
  return scenario.targets.map((t) => ({
    scenario: scenario.title,
    figure: t.figure,
    value: null,
    unit: '',
    target: t.target,
    met: reason,
  }));
}
