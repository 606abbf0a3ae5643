import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '@app/audit';
import { isStaff, type Actor } from '@app/auth';
import { VisitTypesService } from '@app/clinic';
import { CLOCK } from '@app/config';
import { PG, pgConstraint, pgErrorCode } from '@app/database';
import {
  canReschedule,
  DomainError,
  nextStatus,
  type Clock,
  type LifecycleAction,
  type Modality,
} from '@app/domain';
import { PatientsService } from '@app/patients';
import { ReminderPlanner, ReminderQueue, type PendingReminder } from '@app/reminders';
import {
  APPOINTMENT_COLUMNS,
  appointmentView,
  type AppointmentRow,
  type AppointmentView,
  type BookingResult,
} from './appointment.view';
import { BookingRulesService } from './booking-rules.service';
import {
  claimIdempotencyKey,
  peekIdempotencyKey,
  requestHash,
  storeIdempotentResponse,
} from './idempotency';
import { insertAppointment } from './insert-appointment';
import { conflictOf, slotTaken } from './slot-conflict';
import { VISIT_EVENTS, type VisitEvents } from './visit-events';

export interface BookInput {
  patientId: string;
  providerId: string;
  visitType: string;
  startsAt: DateTime;
  modality?: Modality;
  carePlanId?: string;
  overrideReason?: string;
}

@Injectable()
export class AppointmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly rules: BookingRulesService,
    private readonly visitTypes: VisitTypesService,
    private readonly patients: PatientsService,
    private readonly audit: AuditService,
    private readonly reminders: ReminderPlanner,
    private readonly reminderQueue: ReminderQueue,
    @Optional() @Inject(VISIT_EVENTS) private readonly events?: VisitEvents,
  ) {}

  /**
   * Books one visit. Rules are checked first for a clear 422; the exclusion constraints
   * decide races: INSERT … ON CONFLICT DO NOTHING never deadlocks, and no row back means
   * the slot went to someone else (409 SLOT_TAKEN).
   */
  async book(actor: Actor, input: BookInput, idempotencyKey?: string): Promise<BookingResult> {
    await this.assertMayBook(actor, input.providerId, input.patientId, input.overrideReason);
    const visitType = await this.visitTypes.get(input.visitType);
    const now = this.clock.now();
    const claim = idempotencyKey
      ? {
          userId: actor.userId,
          key: idempotencyKey,
          hash: requestHash('POST /appointments', {
            ...input,
            startsAt: input.startsAt.toMillis(),
          }),
        }
      : undefined;
    // A retry of a booking that already succeeded answers from the stored response before
    // the rules run (its own visit would otherwise make the slot look taken).
    if (claim) {
      const stored = await peekIdempotencyKey<BookingResult>(this.db.manager, claim);
      if (stored) return stored;
    }
    // The rules and the "already taken?" look-up run before the transaction, so a request
    // that will lose never holds a connection in a transaction (500-way races stay fast).
    const checked = await this.rules
      .check(this.db.manager, {
        ...input,
        visitType,
        start: input.startsAt,
        modality: input.modality ?? 'in_person',
        now,
        overrideCadence: Boolean(input.overrideReason),
      })
      .catch(async (error: unknown) => {
        // A twin with the same key may have booked the slot meanwhile: answer as it did.
        const twin =
          claim && error instanceof DomainError && error.code === 'SLOT_TAKEN'
            ? await peekIdempotencyKey<BookingResult>(this.db.manager, claim)
            : null;
        if (twin) return twin;
        throw error;
      });
    if ('appointment' in checked) return checked;
    let pending: PendingReminder[] = [];
    const booked = await this.db.transaction(async (em) => {
      if (claim) {
        const previous = await claimIdempotencyKey<BookingResult>(em, claim);
        if (previous) return previous;
      }
      const row = await insertAppointment(em, {
        patientId: input.patientId,
        providerId: input.providerId,
        locationId: checked.locationId,
        visitType: visitType.code,
        carePlanId: checked.carePlan?.id ?? null,
        start: input.startsAt,
        end: checked.end,
        modality: input.modality ?? 'in_person',
        overrideReason: input.overrideReason ?? null,
        overrideBy: input.overrideReason ? actor.userId : null,
        createdBy: actor.userId,
      });
      if (!row)
        throw slotTaken(await conflictOf(em, input.providerId, input.startsAt, checked.end));
      const result: BookingResult = {
        appointment: appointmentView(row),
        warnings: checked.warnings,
      };
      await this.audit.recordMany(
        actor,
        [
          {
            action: 'create',
            entity: 'appointment',
            entityId: row.id,
            details: { visitType: visitType.code, warnings: checked.warnings.map((w) => w.code) },
          },
          ...(input.overrideReason
            ? [
                {
                  action: 'override' as const,
                  entity: 'appointment',
                  entityId: row.id,
                  details: { rule: 'CADENCE_TOO_SOON' },
                },
              ]
            : []),
        ],
        em,
      );
      pending = await this.reminders.plan(em, [row.id], { confirmFor: [row.id] });
      if (claim) await storeIdempotentResponse(em, claim, result);
      return result;
    });
    await this.reminderQueue.enqueue(pending);
    return booked;
  }

  /** Moves a visit (same id) to a new start and maybe provider; every rule is checked again. */
  async reschedule(
    actor: Actor,
    id: string,
    input: { startsAt: DateTime; providerId?: string },
  ): Promise<BookingResult> {
    const now = this.clock.now();
    let reminders: { cancelled: string[]; pending: PendingReminder[] } = {
      cancelled: [],
      pending: [],
    };
    try {
      const moved = await this.db.transaction(async (em) => {
        const current = await this.lockForChange(em, actor, id);
        const providerId = input.providerId ?? current.provider_id;
        if (providerId !== current.provider_id)
          await this.assertMayBook(actor, providerId, current.patient_id, undefined);
        if (!canReschedule(current.status)) {
          throw new DomainError(
            'INVALID_TRANSITION',
            `A ${current.status} visit cannot be rescheduled`,
          );
        }
        const visitType = await this.visitTypes.get(current.visit_type);
        const checked = await this.rules.check(em, {
          patientId: current.patient_id,
          providerId,
          visitType,
          start: input.startsAt,
          modality: current.modality,
          now,
          overrideCadence: Boolean(current.override_reason),
          carePlanId: current.care_plan_id ?? undefined,
          excludeId: id,
        });
        // A moved visit is scheduled again: a confirmation was for the old time.
        const [updated] = await em.query<AppointmentRow[]>(
          `WITH updated AS (
             UPDATE appointments SET starts_at = $2, ends_at = $3, provider_id = $4, location_id = $5, status = 'scheduled', updated_at = now()
              WHERE id = $1 RETURNING *)
           SELECT ${APPOINTMENT_COLUMNS} FROM updated a JOIN locations l ON l.id = a.location_id`,
          [id, input.startsAt.toJSDate(), checked.end.toJSDate(), providerId, checked.locationId],
        );
        if (!updated) throw DomainError.notFound('appointment', id);
        await this.audit.record(
          actor,
          {
            action: 'reschedule',
            entity: 'appointment',
            entityId: id,
            details: {
              from: current.starts_at.toISOString(),
              to: input.startsAt.toISO(),
              providerId,
            },
          },
          em,
        );
        // The old time's reminders go, the new time's are planned, in this same transaction.
        const cancelled = await this.reminders.cancel(em, [id], 'visit_moved');
        reminders = {
          cancelled,
          pending: await this.reminders.plan(em, [id], { confirmFor: [id] }),
        };
        return { appointment: appointmentView(updated), warnings: checked.warnings };
      });
      await this.reminderQueue.discard(reminders.cancelled);
      await this.reminderQueue.enqueue(reminders.pending);
      return moved;
    } catch (error) {
      if (pgErrorCode(error) === PG.exclusionViolation) {
        const constraint = pgConstraint(error);
        throw slotTaken(constraint === 'appointments_no_patient_overlap' ? 'patient' : 'provider');
      }
      if (pgErrorCode(error) === PG.deadlock) throw slotTaken('provider');
      throw error;
    }
  }

  /** confirm, check-in, complete, no-show, cancel: the state machine of SPEC §1. */
  async transition(
    actor: Actor,
    id: string,
    action: LifecycleAction,
    reason?: string,
  ): Promise<AppointmentView> {
    if (action === 'cancel' && !reason?.trim())
      throw DomainError.validation('reason', 'required', 'a cancellation needs a reason');
    let cancelledReminders: string[] = [];
    const changed = await this.db.transaction(async (em) => {
      const current = await this.lockForChange(em, actor, id);
      const next = nextStatus({
        status: current.status,
        action,
        startsAt: DateTime.fromJSDate(current.starts_at),
        now: this.clock.now(),
      });
      const rows = await em.query<AppointmentRow[]>(
        `WITH updated AS (
           UPDATE appointments SET status = $2, late_cancel = $3, cancel_reason = $4, updated_at = now()
            WHERE id = $1 RETURNING *)
         SELECT ${APPOINTMENT_COLUMNS} FROM updated a JOIN locations l ON l.id = a.location_id`,
        [id, next.status, next.lateCancel, next.status === 'cancelled' ? reason!.trim() : null],
      );
      await this.audit.record(
        actor,
        {
          action: 'transition',
          entity: 'appointment',
          entityId: id,
          details: { from: current.status, to: next.status, lateCancel: next.lateCancel },
        },
        em,
      );
      if (next.status === 'no_show') {
        await this.events?.noShow(em, {
          id,
          patientId: current.patient_id,
          carePlanId: current.care_plan_id,
        });
      }
      if (next.status === 'cancelled')
        cancelledReminders = await this.reminders.cancel(em, [id], 'visit_cancelled');
      return appointmentView(rows[0]);
    });
    await this.reminderQueue.discard(cancelledReminders);
    return changed;
  }

  /** Row-locks the visit; a clinician may only change their own. */
  private async lockForChange(
    em: EntityManager,
    actor: Actor,
    id: string,
  ): Promise<AppointmentRow> {
    const [row] = await em.query<AppointmentRow[]>(
      `SELECT ${APPOINTMENT_COLUMNS} FROM appointments a JOIN locations l ON l.id = a.location_id WHERE a.id = $1 FOR UPDATE OF a`,
      [id],
    );
    if (!row) throw DomainError.notFound('appointment', id);
    if (!isStaff(actor) && row.provider_id !== actor.providerId)
      throw DomainError.forbidden('This visit is not on your schedule');
    return row;
  }

  /**
   * Staff book for anyone. A clinician books on their own schedule only; overriding the
   * cadence is for the patient's own clinician or an admin, never the front desk.
   */
  private async assertMayBook(
    actor: Actor,
    providerId: string,
    patientId: string,
    overrideReason: string | undefined,
  ): Promise<void> {
    if (actor.role === 'clinician' && providerId !== actor.providerId) {
      throw DomainError.forbidden('A clinician can only book visits on their own schedule');
    }
    if (overrideReason) {
      if (actor.role === 'front_desk')
        throw DomainError.forbidden(
          "Only the patient's clinician or an admin may override the cadence",
        );
      if (actor.role === 'clinician') await this.patients.assertAccess(actor, patientId);
    }
  }
}
