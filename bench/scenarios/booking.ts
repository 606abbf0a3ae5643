import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { API_PROCESSES } from '../harness/apps';
import { cpuMeter, describeCpu, perUnit, type CpuMeter } from '../harness/cpu';
import { countOutcomes, ranLatencies, runLoad } from '../harness/load';
import { round, summarize } from '../harness/stats';
import type { HttpRequestSpec, LoadResult } from '../load/protocol';
import { bookablePatients, doubleBookings, freeStarts, type FreeStart } from './fixtures';
import { MAIN_PLANS } from './sizes';
import type { BenchContext, Scenario, ScenarioOutcome } from './types';

const CLIENTS = 32;
const TITLE = 'Booking throughput, 32 concurrent clients';

interface Job extends FreeStart {
  patientId: string;
}

/** The booking's own statement, without the API around it: the raw baseline. */
const RAW_INSERT = `
  INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, starts_at, ends_at, modality)
  VALUES ($1, $2, $3, 'MED_CHECK', $4, $4::timestamptz + interval '30 minutes', $5)
  ON CONFLICT DO NOTHING RETURNING id`;

const rawParams = (jobs: Job[]) =>
  jobs.map((j) => [j.patientId, j.providerId, j.locationId, j.startsAt, j.modality]);

const httpRequests = (jobs: Job[], run: string): HttpRequestSpec[] =>
  jobs.map((j, i) => ({
    method: 'POST',
    path: '/appointments',
    // A careful client always sends a key, so that a retry cannot book twice.
    headers: { 'idempotency-key': `bench-${run}-${i}` },
    body: {
      patientId: j.patientId,
      providerId: j.providerId,
      visitType: 'MED_CHECK',
      startsAt: j.startsAt,
      modality: j.modality,
    },
  }));

/**
 * Takes back the HTTP warm-up's bookings (visits, their reminder rows and idempotency
 * keys), so that the measured requests find the very same free slots and bookable
 * patients. The warm-up's reminder jobs stay in Redis and later find no row.
 */
async function undoHttpBookings(db: Client, jobs: Job[], keyPrefix: string) {
  await db.query(
    `WITH visits AS (
       SELECT a.id FROM appointments a
         JOIN unnest($1::uuid[], $2::timestamptz[]) AS j(patient_id, starts_at)
           ON a.patient_id = j.patient_id AND a.starts_at = j.starts_at
     ), reminders_gone AS (
       DELETE FROM reminders WHERE appointment_id IN (SELECT id FROM visits)
     ), keys_gone AS (
       DELETE FROM idempotency_keys WHERE key LIKE $3 || '%'
     )
     DELETE FROM appointments WHERE id IN (SELECT id FROM visits)`,
    [jobs.map((j) => j.patientId), jobs.map((j) => j.startsAt), keyPrefix],
  );
  await db.query(`VACUUM (ANALYZE) appointments, reminders, idempotency_keys`);
}

/**
 * Raw inserts (after the warm-up ones, in the same process and not measured), then
 * deletes them all again so that the HTTP run finds the very same free slots.
 */
async function rawPass(
  ctx: BenchContext,
  db: Client,
  cpu: CpuMeter,
  jobs: Job[],
  warm: Job[],
  label: string,
) {
  const result = await runLoad(
    label,
    {
      kind: 'pg',
      databaseUrl: ctx.databaseUrl,
      concurrency: CLIENTS,
      sql: RAW_INSERT,
      params: rawParams(jobs),
      warmParams: rawParams(warm),
      maxSeconds: 120,
    },
    ctx.log,
    { cpu },
  );
  await db.query(`DELETE FROM appointments WHERE id = ANY($1::uuid[])`, [result.returned]);
  await db.query(`VACUUM (ANALYZE) appointments`);
  return result;
}

function merge(results: LoadResult[]) {
  return {
    latencies: results.flatMap(ranLatencies),
    seconds: results.reduce((s, r) => s + r.seconds, 0),
    outcomes: results.map(countOutcomes),
  };
}

export const booking: Scenario = {
  id: 'booking',
  title: TITLE,
  needs: ['POST /appointments'],
  plans: MAIN_PLANS,
  targets: [
    { figure: 'HTTP bookings/s vs raw INSERT … ON CONFLICT', target: '≥ 25 % of raw' },
    { figure: 'HTTP booking p99', target: '≤ 50 ms' },
    { figure: 'double bookings afterwards', target: '0' },
  ],
  async run(ctx: BenchContext): Promise<ScenarioOutcome> {
    const db = await ctx.db();
    try {
      const [wanted, warm] = ctx.quick ? [1_500, 200] : [10_000, 500];
      const patients = await bookablePatients(db, wanted + warm);
      const starts = await freeStarts(db, { weeks: 12, minutes: 30, limit: patients.length });
      const jobs: Job[] = starts.map((s, i) => ({ ...s, patientId: patients[i] }));
      if (jobs.length < warm + 100) throw new Error(`only ${jobs.length} bookable patients/slots`);
      const [warmJobs, measured] = [jobs.slice(0, warm), jobs.slice(warm)];
      ctx.log(`${measured.length} bookings of distinct patients into random free slots`);

      // Each load process first sends warm-up jobs, unmeasured: the first seconds of a
      // fresh client process (and of a server's code paths) ran at about 60 % speed and
      // made most of the p99. Raw passes warm up on jobs of their own.
      // Repeat the raw pass (same jobs, rows deleted in between) until it has run long
      // enough to be measured: it is several times faster than HTTP.
      const raw: LoadResult[] = [];
      const rawCpu = cpuMeter();
      const minSeconds = ctx.quick ? 3 : 10;
      while (raw.reduce((s, r) => s + r.seconds, 0) < minSeconds && raw.length < 8)
        raw.push(await rawPass(ctx, db, rawCpu, measured, warmJobs, `raw pass ${raw.length + 1}`));
      const run = randomUUID().slice(0, 8);
      const httpCpu = cpuMeter();
      const http = await runLoad(
        'http',
        {
          kind: 'http',
          baseUrl: ctx.apiUrl,
          token: ctx.frontDesk.bearer,
          concurrency: CLIENTS,
          requests: httpRequests(measured, run),
          // The API takes about 4,000 bookings to reach its pace (V8 compiles its hot code
          // in background threads that share the cores with the load): the HTTP warm-up
          // books every measured job once, and undoes it before the measured requests.
          warmRequests: httpRequests(measured, `${run}-warm`),
          warmPath: '/health/live',
          maxSeconds: 300,
        },
        ctx.log,
        {
          cpu: httpCpu,
          beforeMeasuring: () => undoHttpBookings(db, measured, `bench-${run}-warm-`),
        },
      );
      const httpUse = httpCpu.stop();
      const overlaps = await doubleBookings(db);

      const rawAll = merge(raw);
      const rawCount = rawAll.latencies.length;
      const rawRate = rawCount / rawAll.seconds;
      const httpLatencies = ranLatencies(http);
      const httpRate = httpLatencies.length / http.seconds;
      const [h, r] = [summarize(httpLatencies), summarize(rawAll.latencies)];
      const statuses = countOutcomes(http);
      const unexpected = httpLatencies.length - (statuses['201'] ?? 0) - (statuses['409'] ?? 0);
      const rawConflicts = rawAll.outcomes.reduce((s, o) => s + (o['0'] ?? 0), 0);
      const ratio = httpRate / rawRate;
      const cpuPerBooking = perUnit(httpUse, httpLatencies.length);
      const rawUse = rawCpu.stop();
      const cpuPerInsert = perUnit(rawUse, rawCount);
      const rows = [
        {
          figure: 'HTTP bookings/s vs raw INSERT … ON CONFLICT',
          value: round(httpRate),
          unit: 'req/s',
          baseline: { label: 'raw', value: round(rawRate), unit: 'inserts/s' },
          ratio: round(ratio, 3),
          target: '≥ 25 % of raw',
          met: ratio >= 0.25,
          note:
            `${httpLatencies.length} POST /appointments (with Idempotency-Key) in ${round(http.seconds)} s; ` +
            `raw: the same ${measured.length} inserts × ${raw.length} passes in ${round(rawAll.seconds)} s; ` +
            `API_PROCESSES=${API_PROCESSES}`,
        },
        {
          figure: 'HTTP booking p50',
          value: h.p50,
          unit: 'ms',
          baseline: { label: 'raw p50', value: r.p50, unit: 'ms' },
          target: 'reported',
          met: null,
        },
        {
          figure: 'HTTP booking p99',
          value: h.p99,
          unit: 'ms',
          baseline: { label: 'raw p99', value: r.p99, unit: 'ms' },
          target: '≤ 50 ms',
          met: h.p99 <= 50,
        },
        {
          figure: 'CPU per booking, all processes',
          value: cpuPerBooking.total,
          unit: 'ms',
          baseline: { label: 'raw insert', value: cpuPerInsert.total, unit: 'ms' },
          target: 'reported',
          met: null,
          note:
            `${describeCpu(cpuPerBooking, httpUse)}; raw inserts: ` +
            describeCpu(cpuPerInsert, rawUse),
        },
        {
          figure: 'slot collisions (409 SLOT_TAKEN)',
          value: round((100 * (statuses['409'] ?? 0)) / httpLatencies.length, 2),
          unit: '%',
          baseline: {
            label: 'raw conflicts',
            value: round((100 * rawConflicts) / rawCount, 2),
            unit: '%',
          },
          target: 'reported',
          met: null,
        },
        {
          figure: 'other responses (not 201/409)',
          value: unexpected,
          unit: 'responses',
          target: '0',
          met: unexpected === 0,
          note: unexpected ? JSON.stringify(http.samples).slice(0, 300) : undefined,
        },
        {
          figure: 'double bookings afterwards',
          value: overlaps.provider + overlaps.patient,
          unit: 'overlaps',
          target: '0',
          met: overlaps.provider + overlaps.patient === 0,
          note: `provider ${overlaps.provider}, patient ${overlaps.patient}`,
        },
      ];
      return {
        rows: rows.map((row) => ({ scenario: TITLE, ...row })),
        raw: {
          clients: CLIENTS,
          apiProcesses: Number(API_PROCESSES),
          http: {
            requests: httpLatencies.length,
            seconds: http.seconds,
            rate: httpRate,
            latency: h,
            statuses,
            samples: http.samples,
            cpu: { perBooking: cpuPerBooking, ...httpUse },
          },
          raw: {
            statements: rawCount,
            passes: raw.length,
            seconds: rawAll.seconds,
            rate: rawRate,
            latency: r,
            outcomes: rawAll.outcomes,
            cpu: { perInsert: cpuPerInsert, ...rawUse },
            samples: raw[0]?.samples,
          },
          overlaps,
        },
      };
    } finally {
      await db.end();
    }
  },
};
