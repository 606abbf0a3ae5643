import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core schema. Rules that must hold under concurrency live here as constraints:
 * no overlapping visits per provider or patient (exclusion constraints), one active
 * plan per patient and track, one idempotency record per user and key.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`
      CREATE TABLE locations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        timezone text NOT NULL,
        address text,
        phone text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE location_closures (
        location_id uuid NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
        closed_on date NOT NULL,
        PRIMARY KEY (location_id, closed_on)
      )`);

    await q.query(`
      CREATE TABLE providers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        credentials text[] NOT NULL CHECK (cardinality(credentials) > 0),
        roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['prescriber','therapist']),
        location_id uuid NOT NULL REFERENCES locations(id),
        npi char(10) UNIQUE,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX providers_location_idx ON providers (location_id)`);

    await q.query(`
      CREATE TABLE working_blocks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
        weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
        start_time time NOT NULL,
        end_time time NOT NULL,
        location_id uuid NOT NULL REFERENCES locations(id),
        modality text NOT NULL DEFAULT 'any' CHECK (modality IN ('any','in_person','telehealth')),
        CHECK (start_time < end_time)
      )`);
    await q.query(
      `CREATE INDEX working_blocks_provider_idx ON working_blocks (provider_id, weekday)`,
    );

    await q.query(`
      CREATE TABLE time_off (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (starts_at < ends_at)
      )`);
    await q.query(
      `CREATE INDEX time_off_provider_idx ON time_off USING gist (provider_id, tstzrange(starts_at, ends_at))`,
    );

    await q.query(`
      CREATE TABLE visit_types (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
        name text NOT NULL,
        duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
        required_role text NOT NULL CHECK (required_role IN ('prescriber','therapist')),
        track text CHECK (track IN ('medication','therapy')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO visit_types (code, name, duration_minutes, required_role, track) VALUES
        ('PSYCH_EVAL', 'Initial psychiatric evaluation', 60, 'prescriber', 'medication'),
        ('MED_CHECK', 'Medication check', 30, 'prescriber', 'medication'),
        ('THERAPY', 'Psychotherapy session', 50, 'therapist', 'therapy')`);

    await q.query(`CREATE SEQUENCE patient_mrn_seq START 100001`);
    await q.query(`
      CREATE TABLE patients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        mrn text NOT NULL UNIQUE DEFAULT ('MRN' || nextval('patient_mrn_seq')),
        first_name text NOT NULL,
        last_name text NOT NULL,
        date_of_birth date NOT NULL,
        phone text,
        email text,
        timezone text,
        consent_sms boolean NOT NULL DEFAULT false,
        consent_email boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','discharged')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX patients_last_name_idx ON patients (lower(last_name) text_pattern_ops, id)`,
    );
    await q.query(
      `CREATE INDEX patients_first_name_idx ON patients (lower(first_name) text_pattern_ops)`,
    );
    await q.query(`CREATE INDEX patients_dob_idx ON patients (date_of_birth)`);

    await q.query(`
      CREATE TABLE care_plans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES patients(id),
        track text NOT NULL CHECK (track IN ('medication','therapy')),
        provider_id uuid NOT NULL REFERENCES providers(id),
        interval_weeks smallint CHECK (interval_weeks BETWEEN 4 AND 12),
        frequency text CHECK (frequency IN ('weekly','biweekly')),
        last_visit_on date,
        starts_on date NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','paused','ended')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((track = 'medication') = (interval_weeks IS NOT NULL)),
        CHECK ((track = 'therapy') = (frequency IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX care_plans_one_open_per_track ON care_plans (patient_id, track) WHERE status <> 'ended'`,
    );
    await q.query(`CREATE INDEX care_plans_provider_idx ON care_plans (provider_id, status)`);
    await q.query(`
      CREATE TABLE care_plan_changes (
        id bigserial PRIMARY KEY,
        care_plan_id uuid NOT NULL REFERENCES care_plans(id) ON DELETE CASCADE,
        changed_at timestamptz NOT NULL DEFAULT now(),
        changed_by uuid,
        interval_weeks smallint,
        frequency text,
        status text NOT NULL,
        provider_id uuid NOT NULL,
        note text
      )`);
    await q.query(
      `CREATE INDEX care_plan_changes_plan_idx ON care_plan_changes (care_plan_id, changed_at)`,
    );

    await q.query(`
      CREATE TABLE appointment_series (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES patients(id),
        provider_id uuid NOT NULL REFERENCES providers(id),
        visit_type text NOT NULL REFERENCES visit_types(code),
        frequency text NOT NULL CHECK (frequency IN ('weekly','biweekly')),
        first_starts_at timestamptz NOT NULL,
        local_time time NOT NULL,
        timezone text NOT NULL,
        care_plan_id uuid REFERENCES care_plans(id),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE appointments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES patients(id),
        provider_id uuid NOT NULL REFERENCES providers(id),
        location_id uuid NOT NULL REFERENCES locations(id),
        visit_type text NOT NULL REFERENCES visit_types(code),
        care_plan_id uuid REFERENCES care_plans(id),
        series_id uuid REFERENCES appointment_series(id),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        modality text NOT NULL DEFAULT 'in_person' CHECK (modality IN ('in_person','telehealth')),
        status text NOT NULL DEFAULT 'scheduled'
          CHECK (status IN ('scheduled','confirmed','checked_in','completed','cancelled','no_show')),
        cancel_reason text,
        late_cancel boolean NOT NULL DEFAULT false,
        override_reason text,
        override_by uuid,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (starts_at < ends_at),
        CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL)),
        CONSTRAINT appointments_no_provider_overlap EXCLUDE USING gist
          (provider_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status <> 'cancelled'),
        CONSTRAINT appointments_no_patient_overlap EXCLUDE USING gist
          (patient_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status <> 'cancelled')
      )`);
    await q.query(`CREATE INDEX appointments_patient_idx ON appointments (patient_id, starts_at)`);
    await q.query(
      `CREATE INDEX appointments_provider_idx ON appointments (provider_id, starts_at)`,
    );
    await q.query(
      `CREATE INDEX appointments_plan_idx ON appointments (care_plan_id, starts_at) WHERE care_plan_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX appointments_location_idx ON appointments (location_id, starts_at)`,
    );
    await q.query(
      `CREATE INDEX appointments_series_idx ON appointments (series_id) WHERE series_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin','front_desk','clinician')),
        provider_id uuid REFERENCES providers(id),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((role = 'clinician') = (provider_id IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_idx ON users (lower(email))`);

    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid,
        actor_role text,
        action text NOT NULL,
        entity text NOT NULL,
        entity_id uuid,
        request_id text,
        details jsonb
      )`);
    await q.query(`CREATE INDEX audit_events_entity_idx ON audit_events (entity_id, at)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        response_status smallint,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);

    await q.query(`
      CREATE TABLE queue_probes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        requested_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        processed_by text
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'queue_probes',
      'idempotency_keys',
      'audit_events',
      'users',
      'appointments',
      'appointment_series',
      'care_plan_changes',
      'care_plans',
      'patients',
      'visit_types',
      'time_off',
      'working_blocks',
      'providers',
      'location_closures',
      'locations',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP SEQUENCE IF EXISTS patient_mrn_seq`);
  }
}
