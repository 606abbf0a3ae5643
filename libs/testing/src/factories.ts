import { randomBytes } from 'node:crypto';
import type { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import {
  CarePlanEntity,
  LocationEntity,
  PatientEntity,
  ProviderEntity,
  WorkingBlockEntity,
  type CarePlanTrack,
} from '@app/database';
import type { BlockModality, Frequency, ProviderRole } from '@app/domain';

const suffix = () => randomBytes(3).toString('hex');

/** Test data straight into the tables: each test builds exactly what it needs. */
export function factories(db: DataSource) {
  return {
    async location(overrides: Partial<LocationEntity> = {}): Promise<LocationEntity> {
      return db.getRepository(LocationEntity).save({
        name: `Clinic ${suffix()}`,
        timezone: 'America/New_York',
        phone: '+1 555 0100',
        ...overrides,
      });
    },

    async provider(
      overrides: Partial<ProviderEntity> & { locationId: string },
      hours:
        | { weekdays?: number[]; start?: string; end?: string; modality?: BlockModality }
        | false = {},
    ): Promise<ProviderEntity> {
      const roles: ProviderRole[] = overrides.roles ?? ['prescriber'];
      const provider = await db.getRepository(ProviderEntity).save({
        name: `Provider ${suffix()}`,
        credentials: roles.includes('prescriber') ? ['MD'] : ['LCSW'],
        roles,
        ...overrides,
      });
      if (hours !== false) {
        const weekdays = hours.weekdays ?? [1, 2, 3, 4, 5];
        await db.getRepository(WorkingBlockEntity).insert(
          weekdays.map((weekday) => ({
            providerId: provider.id,
            weekday,
            startTime: hours.start ?? '09:00',
            endTime: hours.end ?? '17:00',
            locationId: provider.locationId,
            modality: hours.modality ?? 'any',
          })),
        );
      }
      return provider;
    },

    async patient(overrides: Partial<PatientEntity> = {}): Promise<PatientEntity> {
      const repo = db.getRepository(PatientEntity);
      const { identifiers } = await repo.insert({
        firstName: `Testfirst${suffix()}`,
        lastName: `Testlast${suffix()}`,
        dateOfBirth: '1985-06-15',
        phone: '+15550100999',
        email: `patient-${suffix()}@example.com`,
        consentSms: true,
        consentEmail: true,
        ...overrides,
      });
      return repo.findOneByOrFail({ id: String(identifiers[0]?.id) });
    },

    async carePlan(
      overrides: Partial<CarePlanEntity> & {
        patientId: string;
        providerId: string;
        track: CarePlanTrack;
      },
    ): Promise<CarePlanEntity> {
      const defaults =
        overrides.track === 'medication'
          ? { intervalWeeks: 6, frequency: null }
          : { intervalWeeks: null, frequency: 'weekly' as Frequency };
      return db
        .getRepository(CarePlanEntity)
        .save({ startsOn: '2026-01-01', ...defaults, ...overrides });
    },

    /**
     * A 50-minute therapy visit at `startsAt` (a new patient with SMS consent, a new
     * therapist) and one pending SMS reminder for it sent at `sendAt`, inserted without
     * a job in Redis.
     */
    async pendingReminder(
      startsAt: DateTime,
      sendAt: DateTime,
    ): Promise<{ reminderId: string; appointmentId: string }> {
      const location = await this.location({ timezone: 'UTC' });
      const provider = await this.provider(
        { locationId: location.id, roles: ['therapist'] },
        false,
      );
      const patient = await this.patient({ consentSms: true });
      const [visit] = await db.query<{ id: string }[]>(
        `INSERT INTO appointments (patient_id, provider_id, location_id, visit_type, starts_at, ends_at)
         VALUES ($1, $2, $3, 'THERAPY', $4, $5) RETURNING id`,
        [
          patient.id,
          provider.id,
          location.id,
          startsAt.toJSDate(),
          startsAt.plus({ minutes: 50 }).toJSDate(),
        ],
      );
      const [reminder] = await db.query<{ id: string }[]>(
        `INSERT INTO reminders (appointment_id, patient_id, kind, offset_minutes, channel, planned_for, send_at)
         VALUES ($1, $2, 'reminder', $3, 'sms', $4, $5) RETURNING id`,
        [
          visit.id,
          patient.id,
          Math.round(startsAt.diff(sendAt, 'minutes').minutes),
          startsAt.toJSDate(),
          sendAt.toJSDate(),
        ],
      );
      return { reminderId: reminder.id, appointmentId: visit.id };
    },
  };
}
