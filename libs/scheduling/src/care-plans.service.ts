import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '@app/audit';
import { isStaff, type Actor } from '@app/auth';
import { CLOCK } from '@app/config';
import { PG, pgErrorCode } from '@app/database';
import {
  DomainError,
  localDateOf,
  type Clock,
  type Frequency,
  type ProviderRole,
} from '@app/domain';
import { PatientsService } from '@app/patients';
import { carePlanView, loadPlanFacts, type CarePlanView } from './plan-facts';

export interface CreateCarePlan {
  track: 'medication' | 'therapy';
  providerId: string;
  intervalWeeks?: number;
  frequency?: Frequency;
  lastVisitOn?: string;
  startsOn?: string;
}

export interface UpdateCarePlan {
  providerId?: string;
  intervalWeeks?: number;
  frequency?: Frequency;
  lastVisitOn?: string | null;
  status?: 'active' | 'paused' | 'ended';
  note?: string;
}

const ROLE_FOR_TRACK: Record<CreateCarePlan['track'], ProviderRole> = {
  medication: 'prescriber',
  therapy: 'therapist',
};

/**
 * Care plans: at most one open plan per patient and track (a partial unique index makes
 * it true under concurrency); every change of cadence, provider or state is kept in
 * care_plan_changes.
 */
@Injectable()
export class CarePlansService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly patients: PatientsService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, patientId: string, input: CreateCarePlan): Promise<CarePlanView> {
    if (actor.role === 'clinician' && input.providerId !== actor.providerId) {
      throw DomainError.forbidden('A clinician can only open plans for which they are responsible');
    }
    this.assertCadenceFields(input.track, input.intervalWeeks, input.frequency);
    try {
      return await this.db.transaction(async (em) => {
        const [patient] = await em.query<{ status: string }[]>(
          `SELECT status FROM patients WHERE id = $1`,
          [patientId],
        );
        if (!patient) throw DomainError.notFound('patient', patientId);
        if (patient.status !== 'active')
          throw DomainError.rules([
            { code: 'PATIENT_INACTIVE', detail: 'a discharged patient cannot get a new care plan' },
          ]);
        const zone = await this.assertProvider(em, input.providerId, input.track);
        const [{ id }] = await em.query<{ id: string }[]>(
          `INSERT INTO care_plans (patient_id, track, provider_id, interval_weeks, frequency, last_visit_on, starts_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [
            patientId,
            input.track,
            input.providerId,
            input.track === 'medication' ? input.intervalWeeks : null,
            input.track === 'therapy' ? input.frequency : null,
            input.lastVisitOn ?? null,
            input.startsOn ?? localDateOf(this.clock.now(), zone),
          ],
        );
        await this.recordChange(em, actor, id, 'opened');
        await this.audit.record(
          actor,
          {
            action: 'create',
            entity: 'care_plan',
            entityId: id,
            details: { patientId, track: input.track },
          },
          em,
        );
        return this.view(em, id);
      });
    } catch (error) {
      if (pgErrorCode(error) === PG.uniqueViolation) {
        throw new DomainError(
          'CONFLICT',
          `The patient already has an open ${input.track} plan; change it instead of opening another`,
          {
            errors: [
              {
                field: 'track',
                rule: 'one_open_plan_per_track',
                message: `an open ${input.track} plan exists`,
              },
            ],
          },
        );
      }
      throw error;
    }
  }

  async listForPatient(actor: Actor, patientId: string): Promise<CarePlanView[]> {
    await this.patients.assertAccess(actor, patientId);
    const now = this.clock.now();
    const rows = await loadPlanFacts(this.db.manager, now, 'c.patient_id = $1', [patientId]);
    await this.audit.record(actor, {
      action: 'read',
      entity: 'care_plans_of_patient',
      entityId: patientId,
    });
    return rows.map((r) => carePlanView(r, now));
  }

  async get(actor: Actor, id: string): Promise<CarePlanView> {
    const plan = await this.view(this.db.manager, id);
    await this.patients.assertAccess(actor, plan.patientId);
    return plan;
  }

  async update(actor: Actor, id: string, patch: UpdateCarePlan): Promise<CarePlanView> {
    return this.db.transaction(async (em) => {
      const [current] = await em.query<
        {
          patient_id: string;
          track: 'medication' | 'therapy';
          provider_id: string;
          status: string;
        }[]
      >(`SELECT patient_id, track, provider_id, status FROM care_plans WHERE id = $1 FOR UPDATE`, [
        id,
      ]);
      if (!current) throw DomainError.notFound('care plan', id);
      if (!isStaff(actor) && current.provider_id !== actor.providerId)
        throw DomainError.forbidden('This plan is not on your panel');
      if (actor.role === 'front_desk')
        throw DomainError.forbidden('Care plans are changed by clinicians and admins');
      if (current.status === 'ended')
        throw new DomainError('INVALID_TRANSITION', 'An ended plan cannot change; open a new one');
      if (patch.intervalWeeks !== undefined && current.track !== 'medication') {
        throw DomainError.validation(
          'intervalWeeks',
          'track',
          'intervalWeeks belongs to a medication plan',
        );
      }
      if (patch.frequency !== undefined && current.track !== 'therapy') {
        throw DomainError.validation('frequency', 'track', 'frequency belongs to a therapy plan');
      }
      if (patch.providerId) await this.assertProvider(em, patch.providerId, current.track);
      await em.query(
        `UPDATE care_plans SET
           provider_id = coalesce($2, provider_id),
           interval_weeks = coalesce($3, interval_weeks),
           frequency = coalesce($4, frequency),
           last_visit_on = CASE WHEN $5 THEN $6::date ELSE last_visit_on END,
           status = coalesce($7, status),
           updated_at = now()
         WHERE id = $1`,
        [
          id,
          patch.providerId ?? null,
          patch.intervalWeeks ?? null,
          patch.frequency ?? null,
          patch.lastVisitOn !== undefined,
          patch.lastVisitOn ?? null,
          patch.status ?? null,
        ],
      );
      await this.recordChange(em, actor, id, patch.note ?? null);
      await this.audit.record(
        actor,
        {
          action: 'update',
          entity: 'care_plan',
          entityId: id,
          details: { fields: Object.keys(patch) },
        },
        em,
      );
      return this.view(em, id);
    });
  }

  async history(
    actor: Actor,
    id: string,
  ): Promise<
    {
      changedAt: string;
      changedBy: string | null;
      intervalWeeks: number | null;
      frequency: string | null;
      status: string;
      providerId: string;
      note: string | null;
    }[]
  > {
    await this.get(actor, id);
    const rows = await this.db.query<
      {
        changed_at: Date;
        changed_by: string | null;
        interval_weeks: number | null;
        frequency: string | null;
        status: string;
        provider_id: string;
        note: string | null;
      }[]
    >(
      `SELECT changed_at, changed_by, interval_weeks, frequency, status, provider_id, note FROM care_plan_changes WHERE care_plan_id = $1 ORDER BY id`,
      [id],
    );
    return rows.map((r) => ({
      changedAt: r.changed_at.toISOString(),
      changedBy: r.changed_by,
      intervalWeeks: r.interval_weeks,
      frequency: r.frequency,
      status: r.status,
      providerId: r.provider_id,
      note: r.note,
    }));
  }

  private async view(em: EntityManager, id: string): Promise<CarePlanView> {
    const now = this.clock.now();
    const [row] = await loadPlanFacts(em, now, 'c.id = $1', [id]);
    if (!row) throw DomainError.notFound('care plan', id);
    return carePlanView(row, now);
  }

  private async recordChange(
    em: EntityManager,
    actor: Actor,
    planId: string,
    note: string | null,
  ): Promise<void> {
    await em.query(
      `INSERT INTO care_plan_changes (care_plan_id, changed_by, interval_weeks, frequency, status, provider_id, note)
       SELECT id, $2, interval_weeks, frequency, status, provider_id, $3 FROM care_plans WHERE id = $1`,
      [planId, actor.userId, note],
    );
  }

  /** The responsible provider must exist, be active and hold the track's role; returns their zone. */
  private async assertProvider(
    em: EntityManager,
    providerId: string,
    track: CreateCarePlan['track'],
  ): Promise<string> {
    const [provider] = await em.query<
      { roles: ProviderRole[]; active: boolean; timezone: string }[]
    >(
      `SELECT p.roles, p.active, l.timezone FROM providers p JOIN locations l ON l.id = p.location_id WHERE p.id = $1`,
      [providerId],
    );
    if (!provider)
      throw DomainError.validation('providerId', 'exists', `provider ${providerId} does not exist`);
    const role = ROLE_FOR_TRACK[track];
    if (!provider.roles.includes(role)) {
      throw DomainError.rules([
        {
          code: 'PROVIDER_NOT_ELIGIBLE',
          detail: `a ${track} plan needs a ${role}; this provider is ${provider.roles.join(' and ')}`,
        },
      ]);
    }
    if (!provider.active)
      throw DomainError.rules([{ code: 'PROVIDER_INACTIVE', detail: 'the provider is inactive' }]);
    return provider.timezone;
  }

  private assertCadenceFields(
    track: CreateCarePlan['track'],
    intervalWeeks?: number,
    frequency?: Frequency,
  ): void {
    if (track === 'medication') {
      if (intervalWeeks === undefined)
        throw DomainError.validation(
          'intervalWeeks',
          'required',
          'a medication plan needs intervalWeeks (4–12)',
        );
      if (frequency !== undefined)
        throw DomainError.validation('frequency', 'track', 'frequency belongs to a therapy plan');
    } else {
      if (frequency === undefined)
        throw DomainError.validation(
          'frequency',
          'required',
          'a therapy plan needs frequency (weekly or biweekly)',
        );
      if (intervalWeeks !== undefined)
        throw DomainError.validation(
          'intervalWeeks',
          'track',
          'intervalWeeks belongs to a medication plan',
        );
    }
  }
}
