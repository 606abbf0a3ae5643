import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { auditRowsJson } from '@app/audit';
import { createDataSource, pgConstraint } from '@app/database';
import { planVisitReminders, DEFAULT_POLICY } from '@app/reminders';
import { createTestDatabase, factories, type TestDatabase } from '@app/testing';
import type { PatientFacts } from './booking-context';
import {
  BookingWriter,
  insertBooking,
  insertBookings,
  newAppointmentView,
  type BookingWrite,
} from './insert-appointment';
import { bookingConflicts } from './slot-conflict';

/** The one statement a booking writes, on real Postgres: all of it or none of it. */
describe('insertBooking', () => {
  let database: TestDatabase;
  let db: DataSource;
  let f: ReturnType<typeof factories>;
  let locationId: string;
  let providerId: string;
  const now = DateTime.fromISO('2027-02-15T09:00:00Z');
  const actor = { userId: randomUUID(), role: 'front_desk' as const, providerId: null };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 4 });
    await db.initialize();
    f = factories(db);
    locationId = (await f.location()).id;
    providerId = (await f.provider({ locationId }, false)).id;
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  async function write(
    startsAt: string,
    options: { key?: string; hash?: string; staleFacts?: boolean } = {},
  ): Promise<{ input: BookingWrite; id: string }> {
    const patient = await f.patient({ consentSms: true, consentEmail: false });
    const id = randomUUID();
    const start = DateTime.fromISO(startsAt);
    const appointment = {
      id,
      patientId: patient.id,
      providerId,
      locationId,
      visitType: 'MED_CHECK',
      carePlanId: null,
      start,
      end: start.plus({ minutes: 30 }),
      modality: 'in_person' as const,
      createdBy: actor.userId,
    };
    const facts: PatientFacts = {
      id: patient.id,
      status: 'active',
      timezone: null,
      consentSms: true,
      consentEmail: !!options.staleFacts,
      hasPhone: true,
      hasEmail: true,
    };
    const input: BookingWrite = {
      appointment,
      audit: auditRowsJson(actor, [{ action: 'create', entity: 'appointment', entityId: id }]),
      reminders: planVisitReminders(
        { ...facts, id, patientId: patient.id, startsAt: start.toJSDate(), zone: 'UTC' },
        DEFAULT_POLICY,
        now,
        true,
      ),
      patientFacts: facts,
      idempotency: options.key
        ? {
            userId: actor.userId,
            key: options.key,
            hash: options.hash ?? 'h',
            response: { appointment: newAppointmentView(appointment, 'UTC'), warnings: [] },
          }
        : undefined,
    };
    return { input, id };
  }

  const count = async (table: string, column: string, id: string) =>
    (
      await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`,
        [id],
      )
    )[0].n;

  it('writes the visit, its audit rows, its reminders and the response kept under the key', async () => {
    const { input, id } = await write('2027-03-01T15:00:00Z', { key: 'k-1' });
    const written = await insertBooking(db.manager, input);
    expect(written).not.toBeNull();
    expect(written!.remindersWritten).toBe(true);
    expect(await count('appointments', 'id', id)).toBe(1);
    expect(await count('audit_events', 'entity_id', id)).toBe(1);
    const reminders = await db.query<{ id: string; status: string }[]>(
      `SELECT id, status FROM reminders WHERE appointment_id = $1`,
      [id],
    );
    expect(reminders).toHaveLength(input.reminders.length);
    expect(written!.pending.map((p) => p.id).sort()).toEqual(
      reminders
        .filter((r) => r.status === 'pending')
        .map((r) => r.id)
        .sort(),
    );
    const [row] = await db.query<{ created_at: Date; updated_at: Date }[]>(
      `SELECT created_at, updated_at FROM appointments WHERE id = $1`,
      [id],
    );
    expect(written!.createdAt).toBe(row.created_at.toISOString());
    expect(written!.updatedAt).toBe(row.updated_at.toISOString());
    const [kept] = await db.query<{ response_body: { appointment: Record<string, string> } }[]>(
      `SELECT response_body FROM idempotency_keys WHERE user_id = $1 AND key = 'k-1'`,
      [actor.userId],
    );
    expect(kept.response_body.appointment).toMatchObject({
      id,
      createdAt: written!.createdAt,
      updatedAt: written!.updatedAt,
    });
  });

  it('writes no reminder row when the patient changed since the facts were read', async () => {
    const { input, id } = await write('2027-03-01T16:00:00Z', { staleFacts: true });
    const written = await insertBooking(db.manager, input);
    expect(written?.remindersWritten).toBe(false);
    expect(written?.pending).toEqual([]);
    expect(await count('appointments', 'id', id)).toBe(1);
    expect(await count('reminders', 'appointment_id', id)).toBe(0);
  });

  it('a taken slot writes nothing at all', async () => {
    const first = await write('2027-03-02T15:00:00Z');
    expect(await insertBooking(db.manager, first.input)).not.toBeNull();
    const second = await write('2027-03-02T15:15:00Z', { key: 'k-2' });
    expect(await insertBooking(db.manager, second.input)).toBeNull();
    expect(await count('appointments', 'id', second.id)).toBe(0);
    expect(await count('audit_events', 'entity_id', second.id)).toBe(0);
    expect(await count('reminders', 'appointment_id', second.id)).toBe(0);
    expect(
      (await db.query<unknown[]>(`SELECT 1 FROM idempotency_keys WHERE key = 'k-2'`, [])).length,
    ).toBe(0);
  });

  it('a key already used fails the whole statement, visit included', async () => {
    const first = await write('2027-03-03T15:00:00Z', { key: 'k-3', hash: 'first' });
    expect(await insertBooking(db.manager, first.input)).not.toBeNull();
    const second = await write('2027-03-03T17:00:00Z', { key: 'k-3', hash: 'second' });
    const error = await insertBooking(db.manager, second.input).catch((e: unknown) => e);
    expect(pgConstraint(error)).toBe('idempotency_keys_pkey');
    expect(await count('appointments', 'id', second.id)).toBe(0);
    expect(await count('audit_events', 'entity_id', second.id)).toBe(0);
  });

  it('a batch writes each booking with its own rows; two of a batch for one slot are a lost race', async () => {
    const a = await write('2027-03-04T15:00:00Z', { key: 'k-4a' });
    const b = await write('2027-03-04T15:15:00Z', { key: 'k-4b' }); // overlaps a: same provider
    const c = await write('2027-03-04T17:00:00Z', { staleFacts: true });
    const [wa, wb, wc] = await insertBookings(db.manager, [a.input, b.input, c.input]);
    // Which of the two gets the slot is the statement's choice (it inserts in patient order).
    expect([wa, wb].filter((w) => w === null)).toHaveLength(1);
    const [won, wonBy, lost] = wa ? [wa, a, b] : [wb!, b, a];
    expect(await count('appointments', 'id', lost.id)).toBe(0);
    expect(await count('audit_events', 'entity_id', lost.id)).toBe(0);
    expect(await count('reminders', 'appointment_id', lost.id)).toBe(0);
    expect(won.remindersWritten).toBe(true);
    expect(wc?.remindersWritten).toBe(false);
    for (const [w, id] of [
      [won, wonBy.id],
      [wc!, c.id],
    ] as const) {
      expect(await count('appointments', 'id', id)).toBe(1);
      expect(await count('audit_events', 'entity_id', id)).toBe(1);
      const pending = await db.query<{ id: string }[]>(
        `SELECT id FROM reminders WHERE appointment_id = $1 AND status = 'pending' ORDER BY id`,
        [id],
      );
      expect(w.pending.map((p) => p.id).sort()).toEqual(pending.map((p) => p.id));
    }
    expect(await count('reminders', 'appointment_id', wonBy.id)).toBe(wonBy.input.reminders.length);
    expect(await count('reminders', 'appointment_id', c.id)).toBe(0);
    const keys = await db.query<
      { key: string; response_body: { appointment: Record<string, string> } }[]
    >(`SELECT key, response_body FROM idempotency_keys WHERE user_id = $1 AND key LIKE 'k-4%'`, [
      actor.userId,
    ]);
    expect(keys).toHaveLength(1);
    expect(keys[0].key).toBe(wonBy.input.idempotency!.key);
    expect(keys[0].response_body.appointment).toMatchObject({
      id: wonBy.id,
      createdAt: won.createdAt,
    });
  });

  it('the writer gives each booking of a failed batch the outcome it has alone', async () => {
    const used = await write('2027-03-05T15:00:00Z', { key: 'k-5', hash: 'first' });
    expect(await insertBooking(db.manager, used.input)).not.toBeNull();
    const twin = await write('2027-03-05T17:00:00Z', { key: 'k-5', hash: 'second' });
    const other = await write('2027-03-05T18:00:00Z', { key: 'k-6' });
    // maxInFlight 1 and one turn: both go in one statement, which the twin's key fails.
    const writer = new BookingWriter(db.manager, 8, 1);
    const [t, o] = await Promise.allSettled([writer.write(twin.input), writer.write(other.input)]);
    expect(t.status === 'rejected' && pgConstraint(t.reason)).toBe('idempotency_keys_pkey');
    expect(o.status === 'fulfilled' && o.value?.remindersWritten).toBe(true);
    expect(await count('appointments', 'id', twin.id)).toBe(0);
    expect(await count('appointments', 'id', other.id)).toBe(1);
  });

  it("bookingConflicts answers many lost races in one statement, each with its key's answer", async () => {
    const taken = await write('2027-03-08T15:00:00Z', { key: 'k-8' });
    expect(await insertBooking(db.manager, taken.input)).not.toBeNull();
    const start = DateTime.fromISO('2027-03-08T15:15:00Z');
    const answers = await bookingConflicts(db.manager, [
      { providerId: randomUUID(), start, end: start.plus({ minutes: 30 }) },
      {
        providerId,
        start,
        end: start.plus({ minutes: 30 }),
        idempotency: { userId: actor.userId, key: 'k-8' },
      },
      { providerId, start: start.plus({ hours: 3 }), end: start.plus({ hours: 4 }) },
    ]);
    expect(answers.map((a) => a.conflict)).toEqual(['patient', 'provider', 'patient']);
    expect(answers.map((a) => a.storedKey !== null)).toEqual([false, true, false]);
  });
});
