import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AuditService } from '@app/audit';
import { isStaff, type Actor } from '@app/auth';
import { decodeCursor, toPage, type Page } from '@app/database';
import { DomainError, localWallTime, type AppointmentStatus } from '@app/domain';
import {
  APPOINTMENT_COLUMNS,
  appointmentView,
  type AppointmentRow,
  type AppointmentView,
} from './appointment.view';

export interface AppointmentFilter {
  providerId?: string;
  patientId?: string;
  from?: DateTime;
  to?: DateTime;
  status?: AppointmentStatus[];
  limit: number;
  cursor?: string;
}

export interface ScheduleEntry extends AppointmentView {
  patient: { id: string; firstName: string; lastName: string; mrn: string };
  providerName: string;
}

/** Reads of visits: one appointment, filtered lists, and a local day's schedule. */
@Injectable()
export class AppointmentQueriesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(actor: Actor, id: string): Promise<AppointmentView> {
    const [row] = await this.db.query<AppointmentRow[]>(
      `SELECT ${APPOINTMENT_COLUMNS} FROM appointments a JOIN locations l ON l.id = a.location_id WHERE a.id = $1`,
      [id],
    );
    if (!row) throw DomainError.notFound('appointment', id);
    if (!isStaff(actor) && row.provider_id !== actor.providerId)
      throw DomainError.forbidden('This visit is not on your schedule');
    return appointmentView(row);
  }

  /** Ordered by start; a clinician only sees their own schedule. */
  async list(actor: Actor, filter: AppointmentFilter): Promise<Page<AppointmentView>> {
    if (!isStaff(actor)) {
      if (filter.providerId && filter.providerId !== actor.providerId)
        throw DomainError.forbidden('A clinician sees only their own schedule');
      filter = { ...filter, providerId: actor.providerId ?? undefined };
    }
    const after = decodeCursor(filter.cursor, 2);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.providerId) add('a.provider_id = ?', filter.providerId);
    if (filter.patientId) add('a.patient_id = ?', filter.patientId);
    if (filter.from) add('a.ends_at > ?', filter.from.toJSDate());
    if (filter.to) add('a.starts_at < ?', filter.to.toJSDate());
    if (filter.status?.length) add('a.status = ANY(?)', filter.status);
    if (after) {
      params.push(DateTime.fromMillis(Number(after[0])).toJSDate(), String(after[1]));
      where.push(`(a.starts_at, a.id) > ($${params.length - 1}, $${params.length})`);
    }
    params.push(filter.limit + 1);
    const rows = await this.db.query<AppointmentRow[]>(
      `SELECT ${APPOINTMENT_COLUMNS} FROM appointments a JOIN locations l ON l.id = a.location_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.starts_at, a.id LIMIT $${params.length}`,
      params,
    );
    if (filter.patientId)
      await this.audit.record(actor, {
        action: 'list',
        entity: 'appointments_of_patient',
        entityId: filter.patientId,
      });
    return toPage(rows, filter.limit, (r) => [r.starts_at.getTime(), r.id], appointmentView);
  }

  /**
   * A local day's visits (the location's calendar day, DST-length days included), in
   * order, with patient names for the front desk. Cancelled visits are left out.
   */
  async schedule(
    actor: Actor,
    input: { date: string; locationId?: string; providerId?: string },
  ): Promise<ScheduleEntry[]> {
    if (!input.locationId && !input.providerId) {
      throw DomainError.validation('locationId', 'required', 'give a locationId or a providerId');
    }
    if (!isStaff(actor)) {
      if (input.providerId && input.providerId !== actor.providerId)
        throw DomainError.forbidden('A clinician sees only their own schedule');
      input = { ...input, providerId: actor.providerId ?? undefined };
    }
    const [place] = await this.db.query<{ timezone: string }[]>(
      input.providerId
        ? `SELECT l.timezone FROM providers p JOIN locations l ON l.id = p.location_id WHERE p.id = $1`
        : `SELECT timezone FROM locations WHERE id = $1`,
      [input.providerId ?? input.locationId],
    );
    if (!place)
      throw DomainError.notFound(
        input.providerId ? 'provider' : 'location',
        (input.providerId ?? input.locationId)!,
      );
    const dayStart =
      localWallTime(input.date, '00:00', place.timezone) ??
      DateTime.fromISO(input.date, { zone: place.timezone }).startOf('day');
    const dayEnd = dayStart.plus({ days: 1 }).startOf('day');
    const rows = await this.db.query<
      (AppointmentRow & {
        first_name: string;
        last_name: string;
        mrn: string;
        provider_name: string;
      })[]
    >(
      `SELECT ${APPOINTMENT_COLUMNS}, pa.first_name, pa.last_name, pa.mrn, pr.name AS provider_name
         FROM appointments a
         JOIN locations l ON l.id = a.location_id
         JOIN patients pa ON pa.id = a.patient_id
         JOIN providers pr ON pr.id = a.provider_id
        WHERE a.starts_at >= $1 AND a.starts_at < $2 AND a.status <> 'cancelled'
          AND ($3::uuid IS NULL OR a.location_id = $3) AND ($4::uuid IS NULL OR a.provider_id = $4)
        ORDER BY a.starts_at, pr.name`,
      [dayStart.toJSDate(), dayEnd.toJSDate(), input.locationId ?? null, input.providerId ?? null],
    );
    await this.audit.recordMany(
      actor,
      [...new Set(rows.map((r) => r.patient_id))].map((patientId) => ({
        action: 'list' as const,
        entity: 'patient_schedule',
        entityId: patientId,
      })),
    );
    return rows.map((r) => ({
      ...appointmentView(r),
      patient: { id: r.patient_id, firstName: r.first_name, lastName: r.last_name, mrn: r.mrn },
      providerName: r.provider_name,
    }));
  }
}
