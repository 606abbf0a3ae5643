import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reminders: Postgres is the source of truth (one row per visit, planned time, offset
 * and channel), Redis only carries a delayed job per pending row. Messages recorded by
 * the `log` transport live here too, so delivery can be audited and counted.
 */
export class Reminders1764000000001 implements MigrationInterface {
  name = 'Reminders1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE clinic_settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid
      )`);
    await q.query(`
      INSERT INTO clinic_settings (key, value) VALUES ('reminders', '{
        "offsets": [
          {"minutesBefore": 4320, "channels": ["email"]},
          {"minutesBefore": 1440, "channels": ["sms", "email"]},
          {"minutesBefore": 120, "channels": ["sms"]}
        ],
        "quietHours": {"start": "21:00", "end": "08:00"}
      }')`);

    await q.query(`
      CREATE TABLE reminders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        appointment_id uuid NOT NULL REFERENCES appointments(id),
        patient_id uuid NOT NULL REFERENCES patients(id),
        kind text NOT NULL CHECK (kind IN ('confirmation','reminder')),
        offset_minutes integer NOT NULL CHECK (offset_minutes >= 0),
        channel text NOT NULL CHECK (channel IN ('email','sms')),
        planned_for timestamptz NOT NULL,
        send_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending','sending','sent','failed','cancelled','skipped')),
        reason text,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        claimed_at timestamptz,
        sent_at timestamptz,
        transport text,
        transport_message_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One live reminder per visit time, offset and channel; cancelled rows make room for a re-plan.
    await q.query(`
      CREATE UNIQUE INDEX reminders_one_per_visit_offset_channel
        ON reminders (appointment_id, planned_for, kind, offset_minutes, channel) WHERE status <> 'cancelled'`);
    await q.query(`CREATE INDEX reminders_appointment_idx ON reminders (appointment_id)`);
    await q.query(
      `CREATE INDEX reminders_due_idx ON reminders (send_at) WHERE status IN ('pending','sending')`,
    );

    await q.query(`
      CREATE TABLE messages (
        id bigserial PRIMARY KEY,
        reminder_id uuid REFERENCES reminders(id),
        patient_id uuid NOT NULL REFERENCES patients(id),
        channel text NOT NULL,
        recipient text NOT NULL,
        subject text,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The log transport's delivery record: at most one message per reminder, ever.
    await q.query(
      `CREATE UNIQUE INDEX messages_one_per_reminder ON messages (reminder_id) WHERE reminder_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX messages_patient_idx ON messages (patient_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS messages`);
    await q.query(`DROP TABLE IF EXISTS reminders`);
    await q.query(`DROP TABLE IF EXISTS clinic_settings`);
  }
}
