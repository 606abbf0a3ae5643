import type { DatabaseError } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, PG } from '@app/database';
import { createTestDatabase, factories, type TestDatabase } from '@app/testing';

/**
 * A flag's patient is its plan's or its visit's patient: the keys of follow_up_flags are
 * (care_plan_id, patient_id) and (appointment_id, patient_id), so a flag that names one
 * patient and another patient's plan or visit is refused by the database itself.
 */
describe('follow_up_flags keys', () => {
  let database: TestDatabase;
  let db: DataSource;
  let ids: { patient: string; other: string; plan: string; visit: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 2 });
    await db.initialize();
    const f = factories(db);
    const location = await f.location();
    const provider = await f.provider({ locationId: location.id }, false);
    const [patient, other] = [await f.patient(), await f.patient()];
    const plan = await f.carePlan({
      patientId: patient.id,
      providerId: provider.id,
      track: 'medication',
    });
    const [visit] = await db.query<{ id: string }[]>(
      `INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, care_plan_id, starts_at, ends_at, status)
       VALUES ($1, $2, $3, 'MED_CHECK', $4, '2026-03-02T15:00Z', '2026-03-02T15:30Z', 'no_show') RETURNING id`,
      [patient.id, provider.id, location.id, plan.id],
    );
    ids = { patient: patient.id, other: other.id, plan: plan.id, visit: visit.id };
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const planFlag = (patientId: string) =>
    db.query(
      `INSERT INTO follow_up_flags (patient_id, care_plan_id, kind, opened_at, due_on)
       VALUES ($1, $2, 'med_check_overdue', now(), '2026-03-01')`,
      [patientId, ids.plan],
    );
  const visitFlag = (patientId: string) =>
    db.query(
      `INSERT INTO follow_up_flags (patient_id, appointment_id, kind, opened_at)
       VALUES ($1, $2, 'no_show', now())`,
      [patientId, ids.visit],
    );
  const refusal = (attempt: Promise<unknown>) =>
    attempt.then(
      () => null,
      (error: DatabaseError) => error.code,
    );

  it('refuses a plan flag naming another patient than the plan’s', async () => {
    expect(await refusal(planFlag(ids.other))).toBe(PG.foreignKeyViolation);
    expect(await refusal(planFlag(ids.patient))).toBeNull();
  });

  it('refuses a visit flag naming another patient than the visit’s', async () => {
    expect(await refusal(visitFlag(ids.other))).toBe(PG.foreignKeyViolation);
    expect(await refusal(visitFlag(ids.patient))).toBeNull();
  });
});
