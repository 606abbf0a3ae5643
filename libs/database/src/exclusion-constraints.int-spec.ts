import { Client, type DatabaseError } from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, factories, waitFor, type TestDatabase } from '@app/testing';
import { createDataSource } from './data-source';
import { PG } from './pg-errors';

/**
 * The database, not the code, is what makes double booking impossible: these run the
 * constraints of the migration directly, with raw INSERTs and real concurrent sessions.
 */
describe('exclusion constraints on appointments', () => {
  let database: TestDatabase;
  let db: DataSource;
  let f: ReturnType<typeof factories>;
  let locationId: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 2 });
    await db.initialize();
    f = factories(db);
    locationId = (await f.location()).id;
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

  const provider = async () => (await f.provider({ locationId }, false)).id;
  const patient = async () => (await f.patient()).id;

  interface Visit {
    patientId: string;
    providerId: string;
    startsAt: string;
    endsAt: string;
    status?: string;
  }

  /** A pg Client (one session) or the DataSource (the pool). */
  interface Session {
    query(sql: string, params: unknown[]): Promise<unknown>;
  }

  /** A raw INSERT as a booking service would issue it. */
  function insert(via: Session, visit: Visit): Promise<unknown> {
    const status = visit.status ?? 'scheduled';
    return via.query(
      `INSERT INTO appointments
         (patient_id, provider_id, location_id, visit_type, starts_at, ends_at, status, cancel_reason)
       VALUES ($1, $2, $3, 'MED_CHECK', $4, $5, $6, $7)`,
      [
        visit.patientId,
        visit.providerId,
        locationId,
        visit.startsAt,
        visit.endsAt,
        status,
        status === 'cancelled' ? 'patient asked' : null,
      ],
    );
  }

  async function rejection(work: Promise<unknown>): Promise<DatabaseError> {
    try {
      await work;
    } catch (error) {
      return error as DatabaseError;
    }
    throw new Error('expected the INSERT to be refused, but it succeeded');
  }

  const countFor = async (column: 'provider_id' | 'patient_id', id: string) =>
    Number(
      (
        await db.query(
          `SELECT count(*) AS n FROM appointments WHERE ${column} = $1 AND status <> 'cancelled'`,
          [id],
        )
      )[0].n,
    );

  // The same two cases for each side of a booking: the provider's calendar, and the
  // patient's across two different providers.
  const sides = [
    {
      side: 'provider',
      column: 'provider_id' as const,
      constraint: 'appointments_no_provider_overlap',
      pair: async () => {
        const providerId = await provider();
        const first = { providerId, patientId: await patient() };
        return { id: providerId, first, second: { providerId, patientId: await patient() } };
      },
    },
    {
      side: 'patient',
      column: 'patient_id' as const,
      constraint: 'appointments_no_patient_overlap',
      pair: async () => {
        const patientId = await patient();
        const first = { patientId, providerId: await provider() };
        return { id: patientId, first, second: { patientId, providerId: await provider() } };
      },
    },
  ];

  describe.each(sides)('for one $side', ({ column, constraint, pair }) => {
    it('refuses a second overlapping visit (23P01)', async () => {
      const { id, first, second } = await pair();
      await insert(db, {
        ...first,
        startsAt: '2030-03-04T15:00:00Z',
        endsAt: '2030-03-04T15:30:00Z',
      });
      // Overlapping by fifteen minutes only, written in another offset.
      const error = await rejection(
        insert(db, {
          ...second,
          startsAt: '2030-03-04T10:15:00-05:00',
          endsAt: '2030-03-04T11:15:00-05:00',
        }),
      );
      expect(error.code).toBe(PG.exclusionViolation);
      expect(error.constraint).toBe(constraint);
      expect(await countFor(column, id)).toBe(1);
    });

    it('makes a concurrent overlapping insert wait for the first transaction, then refuses it', async () => {
      const { id, first, second } = await pair();
      const a = await client();
      const b = await client();
      const bPid = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

      await a.query('BEGIN');
      await insert(a, {
        ...first,
        startsAt: '2030-03-05T15:00:00Z',
        endsAt: '2030-03-05T15:30:00Z',
      });

      let settled = false;
      const bInsert = insert(b, {
        ...second,
        startsAt: '2030-03-05T15:20:00Z',
        endsAt: '2030-03-05T16:10:00Z',
      }).finally(() => (settled = true));
      const bOutcome = rejection(bInsert);

      // B is blocked on A's uncommitted row: Postgres reports it waiting on a lock.
      await waitFor(
        async () =>
          (await db.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [bPid]))[0]
            ?.wait_event_type === 'Lock',
        { what: 'the second session to wait on the first one', timeoutMs: 10_000 },
      );
      expect(settled).toBe(false);

      await a.query('COMMIT');
      const error = await bOutcome;
      expect(error.code).toBe(PG.exclusionViolation);
      expect(error.constraint).toBe(constraint);
      expect(await countFor(column, id)).toBe(1);
    });

    it('lets the waiting insert through when the first transaction rolls back', async () => {
      const { id, first, second } = await pair();
      const a = await client();
      const b = await client();
      const bPid = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

      await a.query('BEGIN');
      await insert(a, {
        ...first,
        startsAt: '2030-03-06T15:00:00Z',
        endsAt: '2030-03-06T15:30:00Z',
      });
      const bInsert = insert(b, {
        ...second,
        startsAt: '2030-03-06T15:00:00Z',
        endsAt: '2030-03-06T15:30:00Z',
      });
      await waitFor(
        async () =>
          (await db.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [bPid]))[0]
            ?.wait_event_type === 'Lock',
        { what: 'the second session to wait on the first one', timeoutMs: 10_000 },
      );
      await a.query('ROLLBACK');
      await bInsert;
      expect(await countFor(column, id)).toBe(1);
    });

    it('does not count a cancelled visit', async () => {
      const { id, first, second } = await pair();
      const slot = { startsAt: '2030-03-07T15:00:00Z', endsAt: '2030-03-07T15:30:00Z' };
      await insert(db, { ...first, ...slot, status: 'cancelled' });
      await insert(db, { ...second, ...slot });
      expect(await countFor(column, id)).toBe(1);

      // Cancelling a booked visit frees its slot at once.
      await db.query(
        `UPDATE appointments SET status = 'cancelled', cancel_reason = 'moved'
          WHERE ${column} = $1 AND status <> 'cancelled'`,
        [id],
      );
      await insert(db, { ...first, ...slot });
      expect(await countFor(column, id)).toBe(1);
    });

    it('allows back-to-back visits (one ends when the next starts)', async () => {
      const { id, first, second } = await pair();
      await insert(db, {
        ...first,
        startsAt: '2030-03-08T15:00:00Z',
        endsAt: '2030-03-08T15:30:00Z',
      });
      await insert(db, {
        ...second,
        startsAt: '2030-03-08T15:30:00Z',
        endsAt: '2030-03-08T16:20:00Z',
      });
      await insert(db, {
        ...second,
        startsAt: '2030-03-08T14:10:00Z',
        endsAt: '2030-03-08T15:00:00Z',
      });
      expect(await countFor(column, id)).toBe(3);
    });
  });
});
