import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { registry } from '@app/health';

/**
 * Reminder figures come from Postgres at scrape time, so the API's /metrics tells the
 * truth for every worker process without a metrics endpoint per worker.
 */
export function registerReminderMetrics(db: DataSource): void {
  if (registry.getSingleMetric('reminders')) return;
  new Gauge({
    name: 'reminders',
    help: 'Reminder rows by status and channel',
    labelNames: ['status', 'channel'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.query<{ status: string; channel: string; n: number }[]>(
        `SELECT status, channel, count(*)::int AS n FROM reminders GROUP BY status, channel`,
      );
      for (const r of rows) this.set({ status: r.status, channel: r.channel }, r.n);
    },
  });
  new Gauge({
    name: 'reminder_lateness_seconds',
    help: 'Delivery lateness (sent − planned send time) over the last hour, by quantile',
    labelNames: ['quantile'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const [row] = await db.query<
        { p50: number | null; p99: number | null; max: number | null }[]
      >(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY l) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY l) AS p99, max(l) AS max
           FROM (SELECT extract(epoch FROM sent_at - send_at) AS l FROM reminders WHERE status = 'sent' AND sent_at > now() - interval '1 hour') x`,
      );
      for (const q of ['p50', 'p99', 'max'] as const)
        if (row?.[q] !== null && row?.[q] !== undefined) this.set({ quantile: q }, Number(row[q]));
    },
  });
}
