import { DateTime } from 'luxon';
import type { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '@app/config';
import { hashPassword } from '@app/auth';
import {
  AppointmentEntity,
  CarePlanEntity,
  LocationEntity,
  PatientEntity,
  ProviderEntity,
  UserEntity,
  WorkingBlockEntity,
} from '@app/database';
import type { AppointmentStatus } from '@app/domain';

const LOCATION_NAME = 'Demo Clinic – Main Street';
const ZONE = 'America/New_York';
export const DEMO_PASSWORD = 'demo-password';

const PROVIDERS = [
  {
    name: 'Dr. Maya Patel',
    credentials: ['MD'],
    roles: ['prescriber'],
    email: 'patel@clinic.test',
  },
  {
    name: 'Sam Okafor',
    credentials: ['PMHNP'],
    roles: ['prescriber', 'therapist'],
    email: 'okafor@clinic.test',
  },
  {
    name: 'Dr. Lena Brooks',
    credentials: ['PsyD'],
    roles: ['therapist'],
    email: 'brooks@clinic.test',
  },
  { name: 'Chris Diaz', credentials: ['LCSW'], roles: ['therapist'], email: 'diaz@clinic.test' },
] as const;

// Invented names; any resemblance to a real person is chance.
const FIRST = [
  'Avery',
  'Blake',
  'Casey',
  'Devon',
  'Emery',
  'Finley',
  'Harper',
  'Jules',
  'Kai',
  'Logan',
];
const LAST = ['Arden', 'Bellamy', 'Corwin', 'Dalton'];

/**
 * A small, coherent demo clinic: visits lie inside working hours, never overlap, and
 * follow each plan's cadence. Running it again changes nothing.
 */
export async function seedDemoClinic(db: DataSource, config: AppConfig): Promise<string> {
  const existing = await db.getRepository(LocationEntity).findOneBy({ name: LOCATION_NAME });
  if (!existing) await db.transaction((em) => seed(em));
  return banner(config);
}

async function seed(em: EntityManager): Promise<void> {
  const now = DateTime.now().setZone(ZONE);
  const location = await em.getRepository(LocationEntity).save({
    name: LOCATION_NAME,
    timezone: ZONE,
    address: '100 Main Street, Springfield',
    phone: '+1 555 0100',
  });
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  const providers: ProviderEntity[] = [];
  for (const p of PROVIDERS) {
    const provider = await em.getRepository(ProviderEntity).save({
      name: p.name,
      credentials: [...p.credentials],
      roles: [...p.roles],
      locationId: location.id,
    });
    providers.push(provider);
    await em.getRepository(WorkingBlockEntity).insert(
      [1, 2, 3, 4, 5].flatMap((weekday) =>
        weekday === 5
          ? [
              {
                providerId: provider.id,
                weekday,
                startTime: '09:00',
                endTime: '12:00',
                locationId: location.id,
                modality: 'any' as const,
              },
              {
                providerId: provider.id,
                weekday,
                startTime: '13:00',
                endTime: '17:00',
                locationId: location.id,
                modality: 'telehealth' as const,
              },
            ]
          : [
              {
                providerId: provider.id,
                weekday,
                startTime: '09:00',
                endTime: '17:00',
                locationId: location.id,
                modality: 'any' as const,
              },
            ],
      ),
    );
    await em
      .getRepository(UserEntity)
      .insert({ email: p.email, passwordHash, role: 'clinician', providerId: provider.id });
  }
  await em
    .getRepository(UserEntity)
    .insert({ email: 'frontdesk@clinic.test', passwordHash, role: 'front_desk' });

  const prescribers = providers.filter((p) => p.roles.includes('prescriber'));
  const therapists = providers.filter(
    (p) => p.roles.includes('therapist') && !p.roles.includes('prescriber'),
  );
  const slots = new SlotBook(now);
  const appointments: Partial<AppointmentEntity>[] = [];

  for (let i = 0; i < 40; i++) {
    const patient = await em.getRepository(PatientEntity).save({
      firstName: FIRST[i % FIRST.length],
      lastName: LAST[Math.floor(i / FIRST.length) % LAST.length],
      dateOfBirth: now.minus({ years: 20 + (i % 45), days: i * 11 }).toISODate()!,
      phone: `+1555010${String(1000 + i).slice(-4)}`,
      email: `demo.patient${i + 1}@example.com`,
      consentSms: i % 3 !== 0,
      consentEmail: i % 4 !== 0,
    });
    if (i < 26) {
      const prescriber = prescribers[i % prescribers.length];
      const intervalWeeks = 4 + (i % 9);
      const evalAt = now.minus({ weeks: intervalWeeks * 2 + 2 });
      const plan = await em.getRepository(CarePlanEntity).save({
        patientId: patient.id,
        track: 'medication',
        providerId: prescriber.id,
        intervalWeeks,
        startsOn: evalAt.toISODate()!,
      });
      appointments.push(
        slots.book(
          patient.id,
          prescriber.id,
          location.id,
          'PSYCH_EVAL',
          60,
          evalAt,
          plan.id,
          'completed',
        ),
      );
      const lastCheck = evalAt.plus({ weeks: intervalWeeks + (i % 3) });
      if (lastCheck < now.minus({ days: 1 }))
        appointments.push(
          slots.book(
            patient.id,
            prescriber.id,
            location.id,
            'MED_CHECK',
            30,
            lastCheck,
            plan.id,
            'completed',
          ),
        );
      if (i % 3 !== 2)
        appointments.push(
          slots.book(
            patient.id,
            prescriber.id,
            location.id,
            'MED_CHECK',
            30,
            now.plus({ days: 3 + (i % 20) }),
            plan.id,
            'scheduled',
          ),
        );
    }
    if (i >= 14) {
      const therapist = therapists[i % therapists.length];
      const frequency = i % 2 === 0 ? 'weekly' : 'biweekly';
      const step = frequency === 'weekly' ? 7 : 14;
      const plan = await em.getRepository(CarePlanEntity).save({
        patientId: patient.id,
        track: 'therapy',
        providerId: therapist.id,
        frequency,
        startsOn: now.minus({ weeks: 6 }).toISODate()!,
      });
      for (let d = -28; d <= 21; d += step) {
        const at = now.plus({ days: d + (i % 5) });
        if (i % 7 === 0 && d > 0) break; // a few patients with nothing booked: the worklist has work
        appointments.push(
          slots.book(
            patient.id,
            therapist.id,
            location.id,
            'THERAPY',
            50,
            at,
            plan.id,
            at < now ? 'completed' : 'scheduled',
          ),
        );
      }
    }
  }
  await em.getRepository(AppointmentEntity).insert(appointments.filter((a) => a.startsAt));
}

/** Hands out non-overlapping weekday slots per provider and patient, near the wanted day. */
class SlotBook {
  private readonly taken = new Set<string>();
  constructor(private readonly now: DateTime) {}

  book(
    patientId: string,
    providerId: string,
    locationId: string,
    visitType: string,
    minutes: number,
    near: DateTime,
    carePlanId: string,
    status: AppointmentStatus,
  ): Partial<AppointmentEntity> {
    let day = near.startOf('day');
    for (let attempt = 0; attempt < 60; attempt++, day = day.plus({ days: 1 })) {
      if (day.weekday > 4) continue; // Mon–Thu: Friday afternoons are telehealth-only in this demo
      if (this.taken.has(`${patientId}|${day.toISODate()}`)) continue;
      for (let minute = 9 * 60; minute + minutes <= 17 * 60; minute += 60) {
        const key = `${providerId}|${day.toISODate()}|${minute}`;
        if (this.taken.has(key)) continue;
        const startsAt = day.set({ hour: Math.floor(minute / 60), minute: minute % 60 });
        if (status === 'scheduled' && startsAt < this.now) continue;
        this.taken.add(key).add(`${patientId}|${day.toISODate()}`);
        return {
          patientId,
          providerId,
          locationId,
          visitType,
          carePlanId,
          status,
          startsAt: startsAt.toJSDate(),
          endsAt: startsAt.plus({ minutes }).toJSDate(),
          modality: 'in_person',
        };
      }
    }
    return {};
  }
}

function banner(config: AppConfig): string {
  const lines = [
    'Demo clinic ready. Logins:',
    `  admin       ${config.BOOTSTRAP_ADMIN_EMAIL ?? '(set BOOTSTRAP_ADMIN_EMAIL)'} / ${config.BOOTSTRAP_ADMIN_EMAIL ? '<BOOTSTRAP_ADMIN_PASSWORD>' : ''}`,
    `  front desk  frontdesk@clinic.test / ${DEMO_PASSWORD}`,
    ...PROVIDERS.map(
      (p) =>
        `  clinician   ${p.email.padEnd(21)} / ${DEMO_PASSWORD}  (${p.name}, ${p.credentials.join('/')})`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
