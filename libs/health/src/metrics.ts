import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process; both apps expose their own figures under the same names. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const jobsProcessed = new Counter({
  name: 'jobs_processed_total',
  help: 'Jobs handled by the worker, by queue, job name and outcome',
  labelNames: ['queue', 'name', 'outcome'] as const,
  registers: [registry],
});
