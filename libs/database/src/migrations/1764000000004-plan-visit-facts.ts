import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every plan view, the panel and the overdue scan ask the same two things per plan: when
 * was the patient last seen for this track (the latest completed visit of the track, with
 * any provider), and is a visit of the track booked ahead. Asked of the visits table, that
 * is two index probes per plan: 2 M probes for a scan of 1 M plans, and one per plan of a
 * 2,000-plan panel before it can sort by status.
 *
 * Two columns on care_plans now hold the answers, kept by the database itself:
 * - last_completed_at: the latest start of a completed visit of the track;
 * - last_booked_at: the latest start of a booked (scheduled, confirmed, checked-in) visit
 *   of the track. "Something is booked ahead" is `last_booked_at > now`: the latest booked
 *   start is after now exactly when some booked start is, so the column needs no
 *   refreshing as time passes.
 * A trigger on appointments recomputes them for the patient and track of every visit
 * inserted, deleted, or changed in status, start, patient or type. It first locks the
 * patient's row (FOR NO KEY UPDATE: foreign-key checks, which take KEY SHARE, are not
 * blocked), so two transactions changing one patient's visits take turns; the recompute
 * is a new statement, so it sees whatever the other one committed. A plan inserted later
 * gets its values from the same function, under the same lock.
 */
export class PlanVisitFacts1764000000004 implements MigrationInterface {
  name = 'PlanVisitFacts1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE care_plans
        ADD COLUMN last_completed_at timestamptz,
        ADD COLUMN last_booked_at timestamptz`);
    // The trigger finds a patient's plans of a track, ended ones included (their view
    // shows the last visit too); the unique index on these columns covers open plans only.
    await q.query(`CREATE INDEX care_plans_patient_track_idx ON care_plans (patient_id, track)`);
    // The one definition of the two facts, for one patient and track. A set-returning SQL
    // function, so the planner inlines it into the statement that calls it (whose plan
    // PL/pgSQL caches) instead of planning it again on every visit change.
    await q.query(`
      CREATE FUNCTION care_plan_visit_facts(p_patient uuid, p_track text)
      RETURNS TABLE (last_completed_at timestamptz, last_booked_at timestamptz)
      LANGUAGE sql STABLE AS $$
        SELECT max(a.starts_at) FILTER (WHERE a.status = 'completed'),
               max(a.starts_at) FILTER (WHERE a.status IN ('scheduled','confirmed','checked_in'))
          FROM appointments a JOIN visit_types v ON v.code = a.visit_type
         WHERE a.patient_id = p_patient AND v.track = p_track
           AND a.status IN ('completed','scheduled','confirmed','checked_in')
      $$`);
    await q.query(`
      CREATE FUNCTION refresh_care_plan_visit_facts(p_patient uuid, p_visit_type text)
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        v_track text;
        v_completed timestamptz;
        v_booked timestamptz;
      BEGIN
        SELECT track INTO v_track FROM visit_types WHERE code = p_visit_type;
        IF v_track IS NULL THEN RETURN; END IF;
        PERFORM 1 FROM patients WHERE id = p_patient FOR NO KEY UPDATE;
        SELECT f.last_completed_at, f.last_booked_at INTO v_completed, v_booked
          FROM care_plan_visit_facts(p_patient, v_track) f;
        UPDATE care_plans SET last_completed_at = v_completed, last_booked_at = v_booked
         WHERE patient_id = p_patient AND track = v_track
           AND (last_completed_at IS DISTINCT FROM v_completed
                OR last_booked_at IS DISTINCT FROM v_booked);
      END $$`);
    await q.query(`
      CREATE FUNCTION appointments_refresh_plan_facts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM refresh_care_plan_visit_facts(NEW.patient_id, NEW.visit_type);
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM refresh_care_plan_visit_facts(OLD.patient_id, OLD.visit_type);
        ELSE
          PERFORM refresh_care_plan_visit_facts(OLD.patient_id, OLD.visit_type);
          IF (NEW.patient_id, NEW.visit_type) IS DISTINCT FROM (OLD.patient_id, OLD.visit_type) THEN
            PERFORM refresh_care_plan_visit_facts(NEW.patient_id, NEW.visit_type);
          END IF;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER appointments_plan_facts
        AFTER INSERT OR DELETE OR UPDATE OF status, starts_at, patient_id, visit_type ON appointments
        FOR EACH ROW EXECUTE FUNCTION appointments_refresh_plan_facts()`);
    await q.query(`
      CREATE FUNCTION care_plans_init_visit_facts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM patients WHERE id = NEW.patient_id FOR NO KEY UPDATE;
        SELECT f.last_completed_at, f.last_booked_at INTO NEW.last_completed_at, NEW.last_booked_at
          FROM care_plan_visit_facts(NEW.patient_id, NEW.track) f;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER care_plans_visit_facts BEFORE INSERT ON care_plans
        FOR EACH ROW EXECUTE FUNCTION care_plans_init_visit_facts()`);
    // Every plan at once, set-based (one pass over the visits instead of a call per plan):
    // for existing plans here, and for bulk loads that run with the triggers disabled
    // (bench/seed). Returns the number of plans it corrected.
    await q.query(`
      CREATE FUNCTION backfill_care_plan_visit_facts() RETURNS bigint LANGUAGE sql AS $$
        WITH facts AS (
          SELECT a.patient_id, v.track,
                 max(a.starts_at) FILTER (WHERE a.status = 'completed') AS last_completed_at,
                 max(a.starts_at) FILTER (WHERE a.status IN ('scheduled','confirmed','checked_in')) AS last_booked_at
            FROM appointments a JOIN visit_types v ON v.code = a.visit_type
           WHERE a.status IN ('completed','scheduled','confirmed','checked_in')
           GROUP BY a.patient_id, v.track
        ), wanted AS (
          SELECT c.id, f.last_completed_at, f.last_booked_at
            FROM care_plans c LEFT JOIN facts f ON f.patient_id = c.patient_id AND f.track = c.track
        ), updated AS (
          UPDATE care_plans c SET last_completed_at = w.last_completed_at, last_booked_at = w.last_booked_at
            FROM wanted w
           WHERE w.id = c.id
             AND (c.last_completed_at IS DISTINCT FROM w.last_completed_at
                  OR c.last_booked_at IS DISTINCT FROM w.last_booked_at)
          RETURNING 1)
        SELECT count(*) FROM updated
      $$`);
    await q.query(`SELECT backfill_care_plan_visit_facts()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER care_plans_visit_facts ON care_plans`);
    await q.query(`DROP TRIGGER appointments_plan_facts ON appointments`);
    await q.query(`DROP FUNCTION care_plans_init_visit_facts()`);
    await q.query(`DROP FUNCTION appointments_refresh_plan_facts()`);
    await q.query(`DROP FUNCTION refresh_care_plan_visit_facts(uuid, text)`);
    await q.query(`DROP FUNCTION care_plan_visit_facts(uuid, text)`);
    await q.query(`DROP INDEX care_plans_patient_track_idx`);
    await q.query(`DROP FUNCTION backfill_care_plan_visit_facts()`);
    await q.query(
      `ALTER TABLE care_plans DROP COLUMN last_booked_at, DROP COLUMN last_completed_at`,
    );
  }
}
