import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { summarize, type LatencySummary } from '../harness/stats';
import type { BenchContext } from './types';

/**
 * Reminders for the pipeline scenarios, made the way the app keeps them: pending rows in
 * Postgres for real future visits of patients who consented to email, and jobs created
 * by the app's own reconciler (the same code that repairs Redis). `tag` goes into
 * offset_minutes so that each batch is a distinct reminder of the same visits.
 */
export async function insertReminders(
  db: Client,
  {
    count,
    tag,
    leadSeconds,
    spacingMs,
  }: { count: number; tag: number; leadSeconds: number; spacingMs: number },
): Promise<{ ids: string[]; firstDue: Date }> {
  const { rows } = await db.query<{ id: string; send_at: Date }>(
    `WITH visits AS (
       SELECT a.id, a.patient_id, a.starts_at FROM appointments a JOIN patients p ON p.id = a.patient_id
        WHERE a.status IN ('scheduled', 'confirmed') AND a.starts_at > now() + interval '2 hours'
          AND p.status = 'active' AND p.consent_email AND p.email IS NOT NULL
        ORDER BY a.id LIMIT $1)
     INSERT INTO reminders (appointment_id, patient_id, kind, offset_minutes, channel, planned_for, send_at, status)
     SELECT id, patient_id, 'reminder', $2, 'email', starts_at,
            now() + make_interval(secs => $3) + (row_number() OVER (ORDER BY id) - 1) * make_interval(secs => $4 / 1000.0),
            'pending'
       FROM visits
     RETURNING id, send_at`,
    [count, tag, leadSeconds, spacingMs],
  );
  if (rows.length < count) throw new Error(`only ${rows.length} future visits to remind of`);
  const firstDue = rows.reduce((m, r) => (r.send_at < m ? r.send_at : m), rows[0].send_at);
  return { ids: rows.map((r) => r.id), firstDue };
}

/** Asks the worker to reconcile now: the job the app schedules every RECONCILE_EVERY_SECONDS. */
export async function triggerReconcile(ctx: BenchContext): Promise<void> {
  const queue = new Queue('reminders', {
    prefix: ctx.queuePrefix,
    connection: { url: ctx.redisUrl, maxRetriesPerRequest: 3 },
  });
  try {
    await queue.add('reconcile-reminders', {}, { removeOnComplete: true, removeOnFail: true });
  } finally {
    await queue.close();
  }
}

/**
 * Waits until the reminders queue has nothing due (earlier scenarios' bookings leave
 * confirmations for the worker), so a measured batch does not share the worker.
 */
export async function waitQueueIdle(ctx: BenchContext, timeoutSeconds = 180): Promise<void> {
  const queue = new Queue('reminders', {
    prefix: ctx.queuePrefix,
    connection: { url: ctx.redisUrl, maxRetriesPerRequest: 3 },
  });
  try {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
      const due = Object.values(counts).reduce((a, b) => a + b, 0);
      if (due === 0) return;
      if (Date.now() > deadline) throw new Error(`the reminders queue still has ${due} due jobs`);
      ctx.log(`waiting for ${due} earlier jobs (booking confirmations) to drain`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    await queue.close();
  }
}

/** Seconds between inserting a batch and its due time: the reconciler must enqueue it first. */
export const leadSeconds = (ctx: BenchContext) => (ctx.quick ? 8 : 20);

export function redis(ctx: BenchContext): Redis {
  return new Redis(ctx.redisUrl, { maxRetriesPerRequest: 3 });
}

/** How many of these reminders have their job in Redis. */
export async function jobsPresent(r: Redis, prefix: string, ids: string[]): Promise<number> {
  const pipeline = r.pipeline();
  for (const id of ids) pipeline.exists(`${prefix}:reminders:${id}`);
  const results = (await pipeline.exec()) ?? [];
  return results.filter(([, n]) => n === 1).length;
}

/**
 * Redis bytes these pending reminders cost: their job hashes, plus their share of the
 * delayed set (by entry count; other delayed jobs share it).
 */
export async function redisBytes(r: Redis, prefix: string, ids: string[]): Promise<number> {
  const pipeline = r.pipeline();
  for (const id of ids) pipeline.memory('USAGE', `${prefix}:reminders:${id}`);
  const perJob = ((await pipeline.exec()) ?? []).reduce((s, [, n]) => s + (Number(n) || 0), 0);
  const delayed = `${prefix}:reminders:delayed`;
  const [setBytes, entries] = await Promise.all([
    r.memory('USAGE', delayed, 'SAMPLES', 0),
    r.zcard(delayed),
  ]);
  return perJob + (Number(setBytes) || 0) * (entries ? Math.min(1, ids.length / entries) : 0);
}

/** Polls until none of `ids` is pending or sending, printing progress; false on timeout. */
export async function waitDelivered(
  ctx: BenchContext,
  db: Client,
  ids: string[],
  label: string,
  timeoutSeconds: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let shown = '';
  let shownAt = 0;
  for (;;) {
    const { rows } = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM reminders WHERE id = ANY($1::uuid[]) GROUP BY status`,
      [ids],
    );
    const counts = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    const line = JSON.stringify(counts);
    // A line when something moved, else one every 5 s (a stalled run must still say so).
    if (line !== shown || Date.now() - shownAt > 5000) {
      ctx.log(`${label}: ${line}`);
      [shown, shownAt] = [line, Date.now()];
    }
    if (!counts.pending && !counts.sending) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export interface DeliveryFacts {
  sent: number;
  notSent: Record<string, number>;
  /** sent_at − send_at, ms. */
  lateness: LatencySummary;
  /** Sends per second from the first due time to the last send. */
  rate: number;
  messages: number;
  duplicates: number;
  lastSentAt: Date | null;
}

export async function deliveryFacts(db: Client, ids: string[]): Promise<DeliveryFacts> {
  const { rows } = await db.query<{
    status: string;
    late_ms: number | null;
    send_at: Date;
    sent_at: Date | null;
  }>(
    `SELECT status, extract(epoch FROM sent_at - send_at) * 1000 AS late_ms, send_at, sent_at
       FROM reminders WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const sent = rows.filter((r) => r.status === 'sent');
  const notSent: Record<string, number> = {};
  for (const r of rows) if (r.status !== 'sent') notSent[r.status] = (notSent[r.status] ?? 0) + 1;
  const firstDue = Math.min(...rows.map((r) => r.send_at.getTime()));
  const lastSent = sent.length ? Math.max(...sent.map((r) => r.sent_at!.getTime())) : firstDue;
  const { rows: m } = await db.query<{ messages: number; duplicates: number }>(
    `SELECT count(*)::int AS messages,
            (SELECT count(*)::int FROM (SELECT 1 FROM messages WHERE reminder_id = ANY($1::uuid[])
                                          GROUP BY reminder_id HAVING count(*) > 1) d) AS duplicates
       FROM messages WHERE reminder_id = ANY($1::uuid[])`,
    [ids],
  );
  return {
    sent: sent.length,
    notSent,
    lateness: summarize(sent.map((r) => Number(r.late_ms))),
    rate: sent.length ? sent.length / Math.max(0.001, (lastSent - firstDue) / 1000) : 0,
    messages: m[0].messages,
    duplicates: m[0].duplicates + Math.max(0, m[0].messages - sent.length),
    lastSentAt: sent.length ? new Date(lastSent) : null,
  };
}
