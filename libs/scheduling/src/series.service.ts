import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AuditService } from '@app/audit';
import { isStaff, type Actor } from '@app/auth';
import { VisitTypesService } from '@app/clinic';
import { CLOCK } from '@app/config';
import {
  DomainError,
  MAX_SERIES_COUNT,
  nextStatus,
  seriesOccurrences,
  type Clock,
  type ErrorCode,
  type Frequency,
  type Modality,
  type RuleCode,
} from '@app/domain';
import {
  APPOINTMENT_COLUMNS,
  appointmentView,
  type AppointmentRow,
  type AppointmentView,
} from './appointment.view';
import { conflictOf, isSlotTaken } from './slot-conflict';
import { ReminderPlanner, ReminderQueue, type PendingReminder } from '@app/reminders';
import { BookingRulesService } from './booking-rules.service';
import { insertAppointment } from './insert-appointment';

export interface SeriesInput {
  patientId: string;
  providerId: string;
  visitType: string;
  firstStartsAt: DateTime;
  frequency: Frequency;
  count?: number;
  until?: DateTime;
  carePlanId?: string;
  modality?: Modality;
}

export interface SkippedOccurrence {
  /** null when the local time does not exist that day (spring forward). */
  startsAt: string | null;
  localDate: string;
  localTime: string;
  code: ErrorCode;
  detail: string;
}

export interface SeriesResult {
  seriesId: string;
  booked: AppointmentView[];
  skipped: SkippedOccurrence[];
}

/**
 * Weekly or biweekly visits at the same local wall-clock time. Every occurrence goes
 * through the same rules as a single booking; those that fail are reported with their
 * code and the rest are booked, all in one transaction.
 */
@Injectable()
export class SeriesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly rules: BookingRulesService,
    private readonly visitTypes: VisitTypesService,
    private readonly audit: AuditService,
    private readonly reminders: ReminderPlanner,
    private readonly reminderQueue: ReminderQueue,
  ) {}

  async create(actor: Actor, input: SeriesInput): Promise<SeriesResult> {
    if (actor.role === 'clinician' && input.providerId !== actor.providerId) {
      throw DomainError.forbidden('A clinician can only book visits on their own schedule');
    }
    if (input.count === undefined && input.until === undefined) {
      throw DomainError.validation(
        'count',
        'count_or_until',
        'give count (at most 52) or until (at most a year after the first visit)',
      );
    }
    if (input.until && input.until > input.firstStartsAt.plus({ years: 1 })) {
      throw DomainError.validation(
        'until',
        'max_one_year',
        'until may be at most one year after firstStartsAt',
      );
    }
    if (input.until && input.until < input.firstStartsAt)
      throw DomainError.validation(
        'until',
        'after_first',
        'until must not be before firstStartsAt',
      );
    const visitType = await this.visitTypes.get(input.visitType);
    const now = this.clock.now();
    const [place] = await this.db.query<{ timezone: string }[]>(
      `SELECT l.timezone FROM providers p JOIN locations l ON l.id = p.location_id WHERE p.id = $1`,
      [input.providerId],
    );
    if (!place) throw DomainError.notFound('provider', input.providerId);
    const occurrences = seriesOccurrences({
      firstStartsAt: input.firstStartsAt,
      zone: place.timezone,
      frequency: input.frequency,
      count: Math.min(input.count ?? MAX_SERIES_COUNT, MAX_SERIES_COUNT),
      until: input.until,
    });

    let pending: PendingReminder[] = [];
    const result = await this.db.transaction(async (em) => {
      const first = occurrences[0];
      const [{ id: seriesId }] = await em.query<{ id: string }[]>(
        `INSERT INTO appointment_series (patient_id, provider_id, visit_type, frequency, first_starts_at, local_time, timezone, care_plan_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          input.patientId,
          input.providerId,
          visitType.code,
          input.frequency,
          input.firstStartsAt.toJSDate(),
          first.localTime,
          place.timezone,
          input.carePlanId ?? null,
          actor.userId,
        ],
      );
      const booked: AppointmentView[] = [];
      const skipped: SkippedOccurrence[] = [];
      for (const occurrence of occurrences) {
        const where = { localDate: occurrence.localDate, localTime: occurrence.localTime };
        if (!occurrence.startsAt) {
          skipped.push({
            startsAt: null,
            ...where,
            code: 'NONEXISTENT_LOCAL_TIME',
            detail: `${occurrence.localTime} does not exist on ${occurrence.localDate} (clocks spring forward)`,
          });
          continue;
        }
        const start = occurrence.startsAt;
        try {
          const checked = await this.rules.check(em, {
            patientId: input.patientId,
            providerId: input.providerId,
            visitType,
            start,
            modality: input.modality ?? 'in_person',
            now,
            overrideCadence: false,
            carePlanId: input.carePlanId,
          });
          const row = await insertAppointment(em, {
            patientId: input.patientId,
            providerId: input.providerId,
            locationId: checked.locationId,
            visitType: visitType.code,
            carePlanId: checked.carePlan?.id ?? null,
            seriesId,
            start,
            end: checked.end,
            modality: input.modality ?? 'in_person',
            createdBy: actor.userId,
          });
          if (row) booked.push(appointmentView(row));
          else {
            const conflict = await conflictOf(em, input.providerId, start, checked.end);
            skipped.push({
              startsAt: start.toISO(),
              ...where,
              code: 'SLOT_TAKEN',
              detail: `the ${conflict} already has a visit at this time`,
            });
          }
        } catch (error) {
          // Broken booking rules skip the occurrence; anything else (unknown patient…) fails the request.
          if (isSlotTaken(error)) {
            skipped.push({
              startsAt: start.toISO(),
              ...where,
              code: 'SLOT_TAKEN',
              detail: error.detail,
            });
            continue;
          }
          if (!(error instanceof DomainError) || !error.extras.violations) throw error;
          skipped.push({
            startsAt: start.toISO(),
            ...where,
            code: error.code,
            detail: error.extras.violations.map((v) => v.detail).join('; '),
          });
        }
      }
      if (booked.length === 0) {
        const broken = skipped.flatMap((s) =>
          s.code === 'SLOT_TAKEN'
            ? []
            : [{ code: s.code as RuleCode, detail: `${s.localDate} ${s.localTime}: ${s.detail}` }],
        );
        if (broken.length > 0) throw DomainError.rules(broken);
        throw new DomainError(
          'SLOT_TAKEN',
          'Every occurrence of the series collides with another visit',
        );
      }
      await this.audit.record(
        actor,
        {
          action: 'create',
          entity: 'appointment_series',
          entityId: seriesId,
          details: { booked: booked.length, skipped: skipped.map((s) => s.code) },
        },
        em,
      );
      // One confirmation for the whole series (the first visit), reminders before each.
      pending = await this.reminders.plan(
        em,
        booked.map((a) => a.id),
        { confirmFor: booked.slice(0, 1).map((a) => a.id) },
      );
      return { seriesId, booked, skipped };
    });
    this.reminderQueue.handOver({ pending });
    return result;
  }

  /** Cancels the series' scheduled and confirmed visits from `from` (default: now) on. */
  async cancel(
    actor: Actor,
    seriesId: string,
    input: { from?: DateTime; reason: string },
  ): Promise<{ cancelled: AppointmentView[] }> {
    const now = this.clock.now();
    const from = input.from ?? now;
    let cancelledReminders: string[] = [];
    const done = await this.db.transaction(async (em) => {
      const [series] = await em.query<{ provider_id: string }[]>(
        `SELECT provider_id FROM appointment_series WHERE id = $1`,
        [seriesId],
      );
      if (!series) throw DomainError.notFound('appointment series', seriesId);
      if (!isStaff(actor) && series.provider_id !== actor.providerId)
        throw DomainError.forbidden('This series is not on your schedule');
      const rows = await em.query<AppointmentRow[]>(
        `SELECT ${APPOINTMENT_COLUMNS} FROM appointments a JOIN locations l ON l.id = a.location_id
          WHERE a.series_id = $1 AND a.starts_at >= $2 AND a.status IN ('scheduled','confirmed') ORDER BY a.starts_at FOR UPDATE OF a`,
        [seriesId, from.toJSDate()],
      );
      const cancelled: AppointmentView[] = [];
      for (const row of rows) {
        const next = nextStatus({
          status: row.status,
          action: 'cancel',
          startsAt: DateTime.fromJSDate(row.starts_at),
          now,
        });
        await em.query(
          `UPDATE appointments SET status = 'cancelled', cancel_reason = $2, late_cancel = $3, updated_at = now() WHERE id = $1`,
          [row.id, input.reason, next.lateCancel],
        );
        cancelled.push(
          appointmentView({
            ...row,
            status: 'cancelled',
            cancel_reason: input.reason,
            late_cancel: next.lateCancel,
          }),
        );
      }
      await this.audit.record(
        actor,
        {
          action: 'transition',
          entity: 'appointment_series',
          entityId: seriesId,
          details: { cancelled: cancelled.length },
        },
        em,
      );
      cancelledReminders = await this.reminders.cancel(
        em,
        cancelled.map((a) => a.id),
        'visit_cancelled',
      );
      return { cancelled };
    });
    this.reminderQueue.handOver({ cancelled: cancelledReminders });
    return done;
  }
}
