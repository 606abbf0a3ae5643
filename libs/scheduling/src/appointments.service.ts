import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, type EntityManager } from 'typeorm';
import { auditRowsJson, AuditService } from '@app/audit';
import { isStaff, type Actor } from '@app/auth';
import { VisitTypesService, type VisitTypeView } from '@app/clinic';
import { CLOCK } from '@app/config';
import { PG, pgConstraint, pgErrorCode, StatementBatcher } from '@app/database';
import {
  canReschedule,
  DomainError,
  nextStatus,
  type Clock,
  type LifecycleAction,
  type Modality,
} from '@app/domain';
import { PatientsService } from '@app/patients';
import {
  planVisitReminders,
  ReminderPlanner,
  ReminderQueue,
  ReminderSettingsService,
  type PendingReminder,
} from '@app/reminders';
import {
  APPOINTMENT_COLUMNS,
  appointmentView,
  type AppointmentRow,
  type AppointmentView,
  type BookingResult,
} from './appointment.view';
import { BookingContextLoader } from './booking-context';
import { BookingRulesService } from './booking-rules.service';
import { idempotencyConflict, readStoredKey, replayStored, requestHash } from './idempotency';
import {
  BookingWriter,
  newAppointmentView,
  type BookingWritten,
  type NewAppointment,
} from './insert-appointment';
import {
  bookingConflicts,
  isSlotTaken,
  slotTaken,
  type ConflictAnswer,
  type ConflictQuestion,
} from './slot-conflict';
import { SlotClaims } from './slot-claims';
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
  private readonly contexts: BookingContextLoader;
  private readonly writer: BookingWriter;
  private readonly conflicts: StatementBatcher<ConflictQuestion, ConflictAnswer>;
  private readonly claims = new SlotClaims((error) => isSlotTaken(error, 'provider'));

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly rules: BookingRulesService,
    private readonly visitTypes: VisitTypesService,
    private readonly patients: PatientsService,
    private readonly audit: AuditService,
    private readonly reminders: ReminderPlanner,
    private readonly reminderQueue: ReminderQueue,
    private readonly reminderSettings: ReminderSettingsService,
    @Optional() @Inject(VISIT_EVENTS) private readonly events?: VisitEvents,
  ) {
    this.contexts = new BookingContextLoader(this.db.manager);
    this.writer = new BookingWriter(this.db.manager);
    this.conflicts = new StatementBatcher(
      (questions) => bookingConflicts(this.db.manager, questions),
      {
        maxBatch: 64,
        maxInFlight: 4,
      },
    );
  }

  /**
   * Books one visit in two round trips. One query loads what the rules need (and the
   * caller's Idempotency-Key, if used); the rules run in memory; one statement writes
   * the visit with its audit, reminder and idempotency rows (insertBookings, shared with
   * the bookings written at the same time). The exclusion constraints decide races:
   * INSERT … ON CONFLICT DO NOTHING never deadlocks, and no row back means the slot went
   * to someone else (409 SLOT_TAKEN). A request that will lose holds no transaction and
   * no lock while it learns so, and one that loses to a booking of this process learns
   * it without a query.
   */
  async book(actor: Actor, input: BookInput, idempotencyKey?: string): Promise<BookingResult> {
    await this.assertMayBook(actor, input.providerId, input.patientId, input.overrideReason);
    const visitType = await this.visitTypes.get(input.visitType);
    const end = input.startsAt.plus({ minutes: visitType.durationMinutes });
    const key = idempotencyKey ? { userId: actor.userId, key: idempotencyKey } : undefined;
    // A request for a time this process is booking for the provider right now waits for
    // that booking, and is refused without a query when it succeeds (SlotClaims).
    const outcome = await this.claims.run(
      {
        providerId: input.providerId,
        start: input.startsAt.toMillis(),
        end: end.toMillis(),
        key: key && `${key.userId} ${key.key}`,
      },
      () => this.bookUnclaimed(actor, input, visitType, end, key),
    );
    if (outcome === 'taken') throw slotTaken('provider');
    return outcome;
  }

  private async bookUnclaimed(
    actor: Actor,
    input: BookInput,
    visitType: VisitTypeView,
    end: DateTime,
    key: { userId: string; key: string } | undefined,
  ): Promise<BookingResult> {
    const now = this.clock.now();
    const modality = input.modality ?? 'in_person';
    // Hashed only when a stored answer is compared or a new one kept: a request the rules
    // refuse never needs it.
    const hash = () =>
      requestHash('POST /appointments', { ...input, startsAt: input.startsAt.toMillis() });
    const ctx = await this.contexts.load({
      providerId: input.providerId,
      patientId: input.patientId,
      start: input.startsAt,
      end,
      idempotency: key,
    });
    // A retry of a booking that already succeeded answers from the stored response before
    // the rules run (its own visit would otherwise make the slot look taken).
    if (key && ctx.storedKey) return replayStored<BookingResult>(ctx.storedKey, hash());
    const checked = this.rules.evaluate(
      ctx,
      {
        ...input,
        visitType,
        start: input.startsAt,
        modality,
        now,
        overrideCadence: Boolean(input.overrideReason),
      },
      end,
    );
    const claim = key && { ...key, hash: hash() };
    const timezone = ctx.zones[checked.locationId] ?? ctx.provider.zone;
    const appointment: NewAppointment & { id: string } = {
      id: randomUUID(),
      patientId: input.patientId,
      providerId: input.providerId,
      locationId: checked.locationId,
      visitType: visitType.code,
      carePlanId: checked.carePlan?.id ?? null,
      start: input.startsAt,
      end,
      modality,
      overrideReason: input.overrideReason ?? null,
      overrideBy: input.overrideReason ? actor.userId : null,
      createdBy: actor.userId,
    };
    const result: BookingResult = {
      appointment: newAppointmentView(appointment, timezone),
      warnings: checked.warnings,
    };
    // The confirmation and reminders, planned as ReminderPlanner would plan them in the
    // booking's transaction, from the patient's facts read with the context.
    const reminders =
      input.startsAt > now
        ? planVisitReminders(
            {
              id: appointment.id,
              patientId: appointment.patientId,
              startsAt: input.startsAt.toJSDate(),
              consentSms: ctx.patient.consentSms,
              consentEmail: ctx.patient.consentEmail,
              hasPhone: ctx.patient.hasPhone,
              hasEmail: ctx.patient.hasEmail,
              zone: ctx.patient.timezone ?? timezone,
            },
            await this.reminderSettings.get(),
            now,
            true,
          )
        : [];
    let written: BookingWritten | null;
    try {
      written = await this.writer.write({
        appointment,
        audit: auditRowsJson(actor, [
          {
            action: 'create',
            entity: 'appointment',
            entityId: appointment.id,
            details: { visitType: visitType.code, warnings: checked.warnings.map((w) => w.code) },
          },
          ...(input.overrideReason
            ? [
                {
                  action: 'override' as const,
                  entity: 'appointment',
                  entityId: appointment.id,
                  details: { rule: 'CADENCE_TOO_SOON' },
                },
              ]
            : []),
        ]),
        reminders,
        patientFacts: ctx.patient,
        idempotency: claim && { ...claim, response: result },
      });
    } catch (error) {
      // A concurrent request with this key booked something else first.
      if (claim && pgConstraint(error) === 'idempotency_keys_pkey') {
        const stored = await readStoredKey(this.db.manager, claim);
        if (!stored) throw idempotencyConflict();
        return replayStored<BookingResult>(stored, claim.hash);
      }
      throw error;
    }
    if (!written) {
      // The slot went to another request while this one checked it; that request may be
      // a twin with the same key, whose answer is then this one's too.
      const lost = await this.conflicts.submit({
        providerId: input.providerId,
        start: input.startsAt,
        end,
        idempotency: claim,
      });
      if (claim && lost.storedKey) return replayStored<BookingResult>(lost.storedKey, claim.hash);
      throw slotTaken(lost.conflict);
    }
    result.appointment.createdAt = written.createdAt;
    result.appointment.updatedAt = written.updatedAt;
    // The patient's consent or contacts changed since they were read: plan from the row
    // as it is now (as a consent change re-plans a patient's visits).
    const pending = written.remindersWritten
      ? written.pending
      : await this.reminders.plan(this.db.manager, [appointment.id], {
          confirmFor: [appointment.id],
        });
    this.reminderQueue.handOver({ pending });
    return result;
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
      this.reminderQueue.handOver(reminders);
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
    this.reminderQueue.handOver({ cancelled: cancelledReminders });
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
