import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, factories, waitFor, type TestDatabase } from '@app/testing';
import { createDataSource } from './data-source';

/**
 * care_plans.last_completed_at / last_booked_at are kept by triggers (migration
 * 1764000000004): the latest completed and the latest booked visit of the plan's track,
 * with any provider. Raw SQL here, as any writer would issue it, and real concurrent
 * sessions for the race the patient lock is there for.
 */
describe('plan visit facts kept by the database', () => {
  let database: TestDatabase;
  let db: DataSource;
  let f: ReturnType<typeof factories>;
  let locationId: string;
  let providerId: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 2 });
    await db.initialize();
    f = factories(db);
    locationId = (await f.location()).id;
    providerId = (await f.provider({ locationId }, false)).id;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await db?.destroy();
    await database?.drop();
  });

  async function client(): Promise<Client> {
    const c = new Client({ connectionString: database.url });
    await c.connect();
    clients.push(c);
    return c;
  }

  interface Session {
    query(sql: string, params: unknown[]): Promise<unknown>;
  }

  /** A visit of `visitType` starting at `startsAt` (30 minutes), returning its id. */
  async function visit(
    via: Session,
    patientId: string,
    startsAt: string,
    status: string,
    visitType = 'MED_CHECK',
  ): Promise<string> {
    const result = (await via.query(
      `INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, starts_at, ends_at, status, cancel_reason)
       VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz + interval '30 minutes', $6, $7) RETURNING id`,
      [
        patientId,
        providerId,
        locationId,
        visitType,
        startsAt,
        status,
        status === 'cancelled' ? 'patient asked' : null,
      ],
    )) as { rows?: { id: string }[] } | { id: string }[];
    const rows = Array.isArray(result) ? result : result.rows!;
    return rows[0].id;
  }

  async function facts(
    planId: string,
  ): Promise<{ completed: string | null; booked: string | null }> {
    const [row] = await db.query<{ completed: Date | null; booked: Date | null }[]>(
      `SELECT last_completed_at AS completed, last_booked_at AS booked FROM care_plans WHERE id = $1`,
      [planId],
    );
    return {
      completed: row.completed?.toISOString() ?? null,
      booked: row.booked?.toISOString() ?? null,
    };
  }

  const medicationPlan = async (patientId: string) =>
    (await f.carePlan({ patientId, providerId, track: 'medication' })).id;

  it('fills a new plan from the visits the patient already has', async () => {
    const patientId = (await f.patient()).id;
    await visit(db, patientId, '2026-01-05T15:00:00Z', 'completed', 'PSYCH_EVAL');
    await visit(db, patientId, '2026-02-05T15:00:00Z', 'no_show');
    await visit(db, patientId, '2026-03-05T15:00:00Z', 'scheduled');
    await visit(db, patientId, '2026-04-05T15:00:00Z', 'completed', 'THERAPY'); // other track
    const planId = await medicationPlan(patientId);
    expect(await facts(planId)).toEqual({
      completed: '2026-01-05T15:00:00.000Z',
      booked: '2026-03-05T15:00:00.000Z',
    });
  });

  it('follows completion, cancellation, rescheduling and deletion', async () => {
    const patientId = (await f.patient()).id;
    const planId = await medicationPlan(patientId);
    expect(await facts(planId)).toEqual({ completed: null, booked: null });

    const early = await visit(db, patientId, '2026-05-04T15:00:00Z', 'scheduled');
    const late = await visit(db, patientId, '2026-06-01T15:00:00Z', 'confirmed');
    expect(await facts(planId)).toEqual({ completed: null, booked: '2026-06-01T15:00:00.000Z' });

    await db.query(`UPDATE appointments SET status = 'completed' WHERE id = $1`, [early]);
    expect(await facts(planId)).toEqual({
      completed: '2026-05-04T15:00:00.000Z',
      booked: '2026-06-01T15:00:00.000Z',
    });

    await db.query(
      `UPDATE appointments SET starts_at = '2026-06-08T15:00Z', ends_at = '2026-06-08T15:30Z' WHERE id = $1`,
      [late],
    );
    expect((await facts(planId)).booked).toBe('2026-06-08T15:00:00.000Z');

    await db.query(
      `UPDATE appointments SET status = 'cancelled', cancel_reason = 'patient asked' WHERE id = $1`,
      [late],
    );
    expect(await facts(planId)).toEqual({ completed: '2026-05-04T15:00:00.000Z', booked: null });

    await db.query(`DELETE FROM appointments WHERE id = $1`, [early]);
    expect(await facts(planId)).toEqual({ completed: null, booked: null });
  });

  it('counts a visit that changes type or patient for the new one and no longer for the old', async () => {
    const [first, second] = [(await f.patient()).id, (await f.patient()).id];
    const [firstPlan, secondPlan] = [await medicationPlan(first), await medicationPlan(second)];
    const id = await visit(db, first, '2026-07-06T15:00:00Z', 'completed');
    await db.query(`UPDATE appointments SET patient_id = $2 WHERE id = $1`, [id, second]);
    expect((await facts(firstPlan)).completed).toBeNull();
    expect((await facts(secondPlan)).completed).toBe('2026-07-06T15:00:00.000Z');
    await db.query(`UPDATE appointments SET visit_type = 'THERAPY' WHERE id = $1`, [id]);
    expect((await facts(secondPlan)).completed).toBeNull();
  });

  it('keeps the later visit when two sessions book for one patient at once', async () => {
    const patientId = (await f.patient()).id;
    const planId = await medicationPlan(patientId);
    const [a, b] = [await client(), await client()];
    const bPid = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

    // A books the later visit and holds its transaction open; B books an earlier one.
    await a.query('BEGIN');
    await visit(a, patientId, '2026-09-07T15:00:00Z', 'scheduled');
    await b.query('BEGIN');
    const bBooking = visit(b, patientId, '2026-08-03T15:00:00Z', 'scheduled');
    // B waits on the patient lock A's trigger holds, instead of computing without A's visit.
    await waitFor(
      async () =>
        (await db.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [bPid]))[0]
          ?.wait_event_type === 'Lock',
      { what: 'the second session to wait for the first', timeoutMs: 10_000 },
    );
    await a.query('COMMIT');
    await bBooking;
    await b.query('COMMIT');
    expect((await facts(planId)).booked).toBe('2026-09-07T15:00:00.000Z');
  });
});
