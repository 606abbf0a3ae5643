/** Messages between the harness and a load process (over the child's IPC channel). */

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpLoadSpec {
  kind: 'http';
  baseUrl: string;
  token: string;
  concurrency: number;
  requests: HttpRequestSpec[];
  /** Sent first on every connection and not measured (keeps TCP setup out of the figures). */
  warmPath?: string;
  /**
   * Sent by this same process before `requests`, in the same closed loop, and not
   * measured: the client's own start (its code not yet compiled) stays out of the figures.
   */
  warmRequests?: HttpRequestSpec[];
  /** Stop early after this long, whatever is left. */
  maxSeconds: number;
}

export interface PgLoadSpec {
  kind: 'pg';
  databaseUrl: string;
  concurrency: number;
  sql: string;
  params: unknown[][];
  /** Run first, not measured, as HttpLoadSpec.warmRequests; their rows are in `returned` too. */
  warmParams?: unknown[][];
  maxSeconds: number;
}

export type LoadSpec = HttpLoadSpec | PgLoadSpec;

export interface LoadResult {
  /** Per request, in request order: ms, or -1 when it never ran (early stop). */
  latencies: number[];
  /** HTTP status, or for pg: 1 = a row came back, 0 = none (conflict), -1 = error. */
  outcomes: number[];
  /** First bytes of a few non-2xx bodies / pg errors, for the report. */
  samples: Record<string, string>;
  /** pg: the value of the first column of each returned row (e.g. inserted ids). */
  returned: string[];
  seconds: number;
  /** CPU (user + system) this load process used during the measured requests, in ms. */
  cpuMs: number;
}

/** The harness' answer to 'measuring' and 'measured', once it has read the CPU counters. */
export interface GoMessage {
  type: 'go';
}

export type ChildMessage =
  | { type: 'progress'; done: number; total: number; seconds: number }
  /** The warm-up is over; the measured requests start when the harness answers 'go'. */
  | { type: 'measuring' }
  /**
   * The measured requests are done, their connections still open (the servers' processes
   * still count); the load process closes them when the harness answers 'go'.
   */
  | { type: 'measured' }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string };
