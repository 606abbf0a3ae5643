import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A follow-up flag's patient is the patient of its plan or of its visit, and the keys now
 * say so: (care_plan_id, patient_id) references the plan and (appointment_id, patient_id)
 * the visit, instead of three separate keys. Stricter (a flag can no longer name one
 * patient and another patient's plan) and cheaper: the overdue scan inserts a plan flag
 * with one key check instead of two. At 1 M plans its first run opens about 105 k flags,
 * and the patients key alone cost about 1.4 s of it (bench: overdue-scan-1m).
 * A key with a NULL column is not checked (MATCH SIMPLE): plan flags are checked against
 * their plan, visit flags against their visit (and their plan, when they have one).
 */
export class FlagOwnerKeys1764000000003 implements MigrationInterface {
  name = 'FlagOwnerKeys1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX care_plans_id_patient_key ON care_plans (id, patient_id)`);
    await q.query(
      `CREATE UNIQUE INDEX appointments_id_patient_key ON appointments (id, patient_id)`,
    );
    await q.query(`
      ALTER TABLE follow_up_flags
        DROP CONSTRAINT follow_up_flags_patient_id_fkey,
        DROP CONSTRAINT follow_up_flags_care_plan_id_fkey,
        DROP CONSTRAINT follow_up_flags_appointment_id_fkey,
        ADD CONSTRAINT follow_up_flags_plan_fkey FOREIGN KEY (care_plan_id, patient_id)
          REFERENCES care_plans (id, patient_id),
        ADD CONSTRAINT follow_up_flags_visit_fkey FOREIGN KEY (appointment_id, patient_id)
          REFERENCES appointments (id, patient_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE follow_up_flags
        DROP CONSTRAINT follow_up_flags_plan_fkey,
        DROP CONSTRAINT follow_up_flags_visit_fkey,
        ADD CONSTRAINT follow_up_flags_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patients (id),
        ADD CONSTRAINT follow_up_flags_care_plan_id_fkey FOREIGN KEY (care_plan_id) REFERENCES care_plans (id),
        ADD CONSTRAINT follow_up_flags_appointment_id_fkey FOREIGN KEY (appointment_id) REFERENCES appointments (id)`);
    await q.query(`DROP INDEX appointments_id_patient_key`);
    await q.query(`DROP INDEX care_plans_id_patient_key`);
  }
}
