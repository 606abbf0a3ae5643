import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@app/database';
import { DomainError } from '@app/domain';
import { createTestDatabase, factories, type TestDatabase } from '@app/testing';
import {
  BookingContextLoader,
  loadBookingContexts,
  type BookingContext,
  type ContextRequest,
} from './booking-context';

/** Contexts loaded together are each what a query of their own would have given. */
describe('booking contexts in batches', () => {
  let database: TestDatabase;
  let db: DataSource;
  let f: ReturnType<typeof factories>;
  let providerId: string;
  const start = DateTime.fromISO('2027-03-01T15:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 4 });
    await db.initialize();
    f = factories(db);
    const location = await f.location({ timezone: 'America/Chicago' });
    providerId = (await f.provider({ locationId: location.id })).id;
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const request = (patientId: string, overrides: Partial<ContextRequest> = {}) => ({
    providerId,
    patientId,
    start,
    end: start.plus({ minutes: 30 }),
    ...overrides,
  });

  it('answers each request of a batch for its own patient, and NOT_FOUND only where it applies', async () => {
    const [active, discharged] = [await f.patient(), await f.patient({ status: 'discharged' })];
    const missing = randomUUID();
    const contexts = await loadBookingContexts(db.manager, [
      request(active.id),
      request(missing),
      request(discharged.id, {
        start: start.plus({ days: 1 }),
        end: start.plus({ days: 1, minutes: 30 }),
      }),
    ]);
    expect(contexts.map((c) => (c instanceof DomainError ? c.code : c.patient.id))).toEqual([
      active.id,
      'NOT_FOUND',
      discharged.id,
    ]);
    const context = (c: BookingContext | DomainError): BookingContext => {
      if (c instanceof DomainError) throw c;
      return c;
    };
    const [first, third] = [context(contexts[0]), context(contexts[2])];
    expect(first.patient.status).toBe('active');
    expect(third.patient.status).toBe('discharged');
    expect(first.provider.zone).toBe('America/Chicago');
    expect(first.zones[first.provider.locationId]).toBe('America/Chicago');
  });

  it('the loader batches concurrent loads and rejects only the bad one', async () => {
    const loader = new BookingContextLoader(db.manager, 2);
    const patients = await Promise.all([f.patient(), f.patient(), f.patient()]);
    const results = await Promise.allSettled([
      ...patients.map((p) => loader.load(request(p.id))),
      loader.load({ ...request(patients[0].id), providerId: randomUUID() }),
    ]);
    expect(
      results.map((r) =>
        r.status === 'fulfilled' ? r.value.patient.id : (r.reason as DomainError).code,
      ),
    ).toEqual([...patients.map((p) => p.id), 'NOT_FOUND']);
  });
});
