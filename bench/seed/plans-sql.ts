import { int } from './reference-sql';
import type { SeedOptions, SeedSizes } from './sizes';

const h = 'bench_seed.h';

/**
 * Plans are laid on lanes, so visits can never overlap by construction:
 * - a medication lane is one weekly half-hour of a prescriber; `q` (4–12) plans share it,
 *   plan `phase` coming every q weeks, and q is the plan's interval;
 * - each prescriber weekday has one 60-minute evaluation lane, one intake a week, so the
 *   plans of (prescriber, weekday) started one week apart going back;
 * - a therapy lane is one weekly hour of a therapist, weekly (1 plan) or biweekly (2);
 * - a patient with both plans has them on different weekdays (pairing below).
 */
export function planSql(options: SeedOptions, sizes: SeedSizes): string[] {
  const medPlans = int(sizes.medPlans);
  return [
    `CREATE TABLE bench_seed.med AS
     WITH lane AS (
       SELECT p.n AS prov_n, p.id AS prov_id, p.loc_n, p.tpl, p.friday_pm_telehealth, d AS weekday, s.t,
              p.n::bigint * 1000 + d * 100 + (extract(epoch FROM s.t) / 1800)::int AS lane_key
         FROM bench_seed.prov p CROSS JOIN generate_series(1, 5) d JOIN bench_seed.med_slot s ON s.tpl = p.tpl
        WHERE p.kind = 'prescriber'),
     used AS (
       SELECT *, 4 + floor(${h}(lane_key, 2) * 9)::int AS q FROM lane WHERE ${h}(lane_key, 1) < 0.75),
     slots AS (
       SELECT u.*, phase, row_number() OVER (ORDER BY prov_n, weekday, t, phase) AS plan_n
         FROM used u CROSS JOIN LATERAL generate_series(0, u.q - 1) phase)
     SELECT s.plan_n, gen_random_uuid() AS id, s.prov_n, s.prov_id, l.n AS loc_n, l.id AS loc_id, l.zone,
            s.weekday, s.t, s.q, s.phase, tp.pm_start AS eval_t,
            (s.weekday = 5 AND s.friday_pm_telehealth AND s.t >= tp.pm_start) AS tele,
            (s.weekday = 5 AND s.friday_pm_telehealth) AS eval_tele,
            -row_number() OVER (PARTITION BY s.prov_n, s.weekday ORDER BY ${h}(s.plan_n, 3))::int AS e,
            ${h}(s.plan_n, 4) < 0.1 AS transfer,
            CASE WHEN ${h}(s.plan_n, 5) < 0.06 THEN 'lapsed' WHEN ${h}(s.plan_n, 5) < 0.18 THEN 'overdue'
                 ELSE 'on_track' END AS fate,
            -13 - floor(${h}(s.plan_n, 6) * 12)::int AS stop_week
       FROM slots s JOIN bench_seed.loc l ON l.n = s.loc_n JOIN bench_seed.tpl tp ON tp.tpl = s.tpl
      WHERE s.plan_n <= ${medPlans}`,
    `ALTER TABLE bench_seed.med ADD PRIMARY KEY (plan_n)`,
    `CREATE TABLE bench_seed.ther AS
     WITH lane AS (
       SELECT p.n AS prov_n, p.id AS prov_id, p.loc_n, p.tpl, p.friday_pm_telehealth, d AS weekday, s.t,
              p.n::bigint * 1000 + d * 100 + extract(hour FROM s.t)::int AS lane_key
         FROM bench_seed.prov p CROSS JOIN generate_series(1, 5) d JOIN bench_seed.therapy_slot s ON s.tpl = p.tpl
        WHERE p.kind = 'therapist'),
     used AS (
       SELECT *, CASE WHEN ${h}(lane_key, 12) < 0.6 THEN 1 ELSE 2 END AS period
         FROM lane WHERE ${h}(lane_key, 11) < 0.8),
     slots AS (
       SELECT u.*, phase, row_number() OVER (ORDER BY prov_n, weekday, t, phase) AS plan_n
         FROM used u CROSS JOIN LATERAL generate_series(0, u.period - 1) phase)
     SELECT s.plan_n, gen_random_uuid() AS id, s.prov_id, s.loc_n, l.id AS loc_id, l.zone, s.weekday, s.t,
            s.period, s.phase, (s.weekday = 5 AND s.friday_pm_telehealth AND s.t >= tp.pm_start) AS tele,
            -1 - floor(${h}(s.plan_n, 13) * 104)::int AS start_week,
            CASE WHEN ${h}(s.plan_n, 20) < 0.07 THEN 'dropped' WHEN ${h}(s.plan_n, 20) < 0.17 THEN 'unbooked'
                 ELSE 'on_track' END AS fate,
            -3 - floor(${h}(s.plan_n, 21) * 20)::int AS stop_week
       FROM slots s JOIN bench_seed.loc l ON l.n = s.loc_n JOIN bench_seed.tpl tp ON tp.tpl = s.tpl
      WHERE s.plan_n <= ${int(sizes.therapyPlans)}`,
    `ALTER TABLE bench_seed.ther ADD PRIMARY KEY (plan_n)`,
    // Therapy on weekday d pairs with medication on weekday d+1 at the same location.
    `CREATE TABLE bench_seed.ther_pat AS
     WITH pair AS (
       SELECT t.plan_n AS t_plan, m.plan_n AS m_plan
         FROM (SELECT plan_n, loc_n, weekday, row_number() OVER (PARTITION BY loc_n, weekday ORDER BY plan_n) AS r
                 FROM bench_seed.ther WHERE ${h}(plan_n, 14) < ${sizes.pairedShare.toFixed(4)}) t
         JOIN (SELECT plan_n, loc_n, weekday, row_number() OVER (PARTITION BY loc_n, weekday ORDER BY ${h}(plan_n, 15)) AS r
                 FROM bench_seed.med) m
           ON m.loc_n = t.loc_n AND m.weekday = t.weekday % 5 + 1 AND m.r = t.r)
     SELECT t.plan_n, coalesce(p.m_plan,
              ${medPlans} + row_number() OVER (PARTITION BY p.m_plan IS NULL ORDER BY t.plan_n)) AS patient_n
       FROM bench_seed.ther t LEFT JOIN pair p ON p.t_plan = t.plan_n`,
    `CREATE UNIQUE INDEX ON bench_seed.ther_pat (patient_n)`,
    `CREATE TABLE bench_seed.pat AS
     SELECT n, gen_random_uuid() AS id,
            coalesce(m.fate = 'lapsed' AND tp.plan_n IS NULL AND ${h}(n, 16) < 0.4, false) AS discharged
       FROM generate_series(1, ${medPlans} + (SELECT count(*) FROM bench_seed.ther_pat WHERE patient_n > ${medPlans})) n
       LEFT JOIN bench_seed.med m ON m.plan_n = n LEFT JOIN bench_seed.ther_pat tp ON tp.patient_n = n`,
    `ALTER TABLE bench_seed.pat ADD PRIMARY KEY (n)`,
    `INSERT INTO patients (id, first_name, last_name, date_of_birth, phone, email, consent_sms, consent_email,
                           status, created_at, updated_at)
     SELECT id,
            (ARRAY['Avery','Blake','Casey','Devon','Emery','Finley','Harper','Jules','Kai','Logan','Morgan',
                   'Noel','Oakley','Parker','Quinn','Reese','Rowan','Sage','Taylor','Wren'])[1 + n % 20],
            (ARRAY['Arden','Bellamy','Corwin','Dalton','Ellery','Fairfax','Garrick','Hollis','Ingram','Jarvis',
                   'Kendrick','Lowell','Merritt','Norwood','Osgood','Prescott','Radcliffe','Sterling'])[1 + (n / 20) % 18],
            date '1945-01-01' + floor(${h}(n, 17) * 365 * 60)::int,
            '+1555' || lpad((n % 10000000)::text, 7, '0'), 'patient' || n || '@example.test',
            ${h}(n, 18) < 0.7, ${h}(n, 19) < 0.85, CASE WHEN discharged THEN 'discharged' ELSE 'active' END,
            now() - interval '2 years', now()
       FROM bench_seed.pat`,
    // The first prescriber is responsible for the first panelPlans medication plans; the
    // visits stay with the prescribers who hold the lanes (covering clinicians).
    `INSERT INTO care_plans (id, patient_id, track, provider_id, interval_weeks, frequency, last_visit_on, starts_on,
                             status, created_at, updated_at)
     SELECT m.id, pa.id, 'medication',
            CASE WHEN m.plan_n <= ${int(options.panelPlans)} THEN (SELECT id FROM bench_seed.prov WHERE n = 1) ELSE m.prov_id END,
            m.q, NULL, CASE WHEN m.transfer THEN c.w0 + 7 * m.e + m.weekday - 1 - 28 END, c.w0 + 7 * m.e + m.weekday - 1,
            CASE WHEN pa.discharged THEN 'ended' ELSE 'active' END, c.at, c.at
       FROM bench_seed.med m JOIN bench_seed.pat pa ON pa.n = m.plan_n CROSS JOIN bench_seed.clock c
     UNION ALL
     SELECT t.id, pa.id, 'therapy', t.prov_id, NULL, CASE t.period WHEN 1 THEN 'weekly' ELSE 'biweekly' END, NULL,
            c.w0 + 7 * t.start_week + t.weekday - 1, 'active', c.at, c.at
       FROM bench_seed.ther t JOIN bench_seed.ther_pat tp ON tp.plan_n = t.plan_n
       JOIN bench_seed.pat pa ON pa.n = tp.patient_n CROSS JOIN bench_seed.clock c`,
  ];
}
