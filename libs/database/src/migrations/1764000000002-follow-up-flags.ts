import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The front desk's worklist (SPEC §2). "One open flag per plan and kind" and "one open
 * flag per visit and kind" are partial unique indexes, so the periodic scan and the
 * no-show / reminder hooks can all insert with ON CONFLICT DO NOTHING and never race
 * into duplicates.
 */
export class FollowUpFlags1764000000002 implements MigrationInterface {
  name = 'FollowUpFlags1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE follow_up_flags (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES patients(id),
        care_plan_id uuid REFERENCES care_plans(id),
        appointment_id uuid REFERENCES appointments(id),
        kind text NOT NULL CHECK (kind IN
          ('med_check_overdue','med_check_lapsed','therapy_overdue','no_show','reminder_failed')),
        opened_at timestamptz NOT NULL,
        due_on date,
        details jsonb NOT NULL DEFAULT '{}',
        closed_at timestamptz,
        closed_by uuid,
        close_reason text,
        note text,
        CHECK (kind NOT IN ('med_check_overdue','med_check_lapsed','therapy_overdue')
               OR (care_plan_id IS NOT NULL AND appointment_id IS NULL AND due_on IS NOT NULL)),
        CHECK (kind NOT IN ('no_show','reminder_failed')
               OR (appointment_id IS NOT NULL AND due_on IS NULL)),
        CHECK ((closed_at IS NULL) = (close_reason IS NULL))
      )`);
    await q.query(`
      CREATE UNIQUE INDEX follow_up_flags_one_open_per_plan ON follow_up_flags (care_plan_id, kind)
        WHERE closed_at IS NULL AND kind IN ('med_check_overdue','med_check_lapsed','therapy_overdue')`);
    await q.query(`
      CREATE UNIQUE INDEX follow_up_flags_one_open_per_visit ON follow_up_flags (appointment_id, kind)
        WHERE closed_at IS NULL AND kind IN ('no_show','reminder_failed')`);
    // The open worklist, most urgent first: lapsed before anything else, then the oldest
    // due date (or, for visit flags, the day the flag opened). The service orders by
    // these exact expressions so the first page is read off the index without a sort.
    await q.query(`
      CREATE INDEX follow_up_flags_open_worklist_idx ON follow_up_flags
        ((kind <> 'med_check_lapsed'), (coalesce(due_on, (opened_at AT TIME ZONE 'UTC')::date)), id)
        WHERE closed_at IS NULL`);
    await q.query(`
      CREATE INDEX follow_up_flags_closed_worklist_idx ON follow_up_flags (closed_at DESC, id DESC)
        WHERE closed_at IS NOT NULL`);
    // The scan does not reopen what staff resolved for the same due date. Partial, like the
    // next one, so the scan's bulk insert of open plan flags does not pay for it.
    await q.query(`
      CREATE INDEX follow_up_flags_resolved_idx ON follow_up_flags (care_plan_id, kind, due_on)
        WHERE close_reason = 'resolved'`);
    // Open visit flags (no-show, failed reminder) of a plan, for the panel.
    await q.query(`
      CREATE INDEX follow_up_flags_open_visit_by_plan_idx ON follow_up_flags (care_plan_id)
        WHERE closed_at IS NULL AND care_plan_id IS NOT NULL AND kind IN ('no_show','reminder_failed')`);

    // What the scan, the panel and every plan view ask per plan: the patient's last
    // completed and next booked visit. Partial and covering, so each probe is an
    // index-only descent that never meets visits of the other kind.
    await q.query(`
      CREATE INDEX appointments_patient_completed_idx ON appointments (patient_id, starts_at)
        INCLUDE (visit_type) WHERE status = 'completed'`);
    await q.query(`
      CREATE INDEX appointments_patient_booked_idx ON appointments (patient_id, starts_at)
        INCLUDE (visit_type) WHERE status IN ('scheduled','confirmed','checked_in')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS appointments_patient_booked_idx`);
    await q.query(`DROP INDEX IF EXISTS appointments_patient_completed_idx`);
    await q.query(`DROP TABLE IF EXISTS follow_up_flags`);
  }
}
