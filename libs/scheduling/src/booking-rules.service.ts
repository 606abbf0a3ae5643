import { Injectable } from '@nestjs/common';
import type { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { slotTaken } from './slot-conflict';
import { VisitTypesService, type VisitTypeView } from '@app/clinic';
import { bookingViolations, DomainError, type Modality, type Warning } from '@app/domain';
import {
  cadenceAnchor,
  loadBookingContext,
  visitLocation,
  type BookingContext,
  type PlanRef,
} from './booking-context';

export interface RuleCheckInput {
  patientId: string;
  providerId: string;
  visitType: VisitTypeView;
  start: DateTime;
  modality: Modality;
  now: DateTime;
  overrideCadence: boolean;
  carePlanId?: string;
  excludeId?: string;
}

export interface RuleCheckResult {
  ctx: BookingContext;
  end: DateTime;
  locationId: string;
  carePlan: PlanRef | null;
  warnings: Warning[];
}

/** Applies every booking rule of SPEC §1 to one proposed visit: a 422 with all violations, or the facts to book it. */
@Injectable()
export class BookingRulesService {
  constructor(private readonly visitTypes: VisitTypesService) {}

  async check(em: EntityManager, input: RuleCheckInput): Promise<RuleCheckResult> {
    const end = input.start.plus({ minutes: input.visitType.durationMinutes });
    const ctx = await loadBookingContext(em, {
      providerId: input.providerId,
      patientId: input.patientId,
      start: input.start,
      end,
      excludeId: input.excludeId,
    });
    return this.evaluate(ctx, input, end);
  }

  /** The pure half, reused by series booking which loads its context once. */
  evaluate(ctx: BookingContext, input: RuleCheckInput, end: DateTime): RuleCheckResult {
    const locationId = visitLocation(ctx, input.start, end);
    const isMedCheck = input.visitType.code === 'MED_CHECK';
    const { violations, warnings } = bookingViolations({
      start: input.start,
      end,
      now: input.now,
      patientActive: ctx.patient.status === 'active',
      provider: ctx.provider,
      requiredRole: input.visitType.requiredRole,
      zone: ctx.provider.zone,
      blocks: ctx.blocks,
      timeOff: ctx.timeOff,
      closures: ctx.closures.get(locationId) ?? [],
      modality: input.modality,
      locationId,
      cadence: isMedCheck ? { visits: ctx.medChecks, anchor: cadenceAnchor(ctx) } : undefined,
      overrideCadence: input.overrideCadence,
    });
    if (violations.length > 0) throw DomainError.rules(violations);
    if (ctx.taken) throw slotTaken(ctx.taken);
    return { ctx, end, locationId, carePlan: this.planFor(ctx, input), warnings };
  }

  private planFor(ctx: BookingContext, input: RuleCheckInput): PlanRef | null {
    const track = input.visitType.track;
    const plan =
      track === 'medication' ? ctx.medicationPlan : track === 'therapy' ? ctx.therapyPlan : null;
    if (input.carePlanId === undefined) return plan;
    const given = [ctx.medicationPlan, ctx.therapyPlan].find((p) => p?.id === input.carePlanId);
    if (!given) {
      throw DomainError.validation(
        'carePlanId',
        'active_plan_of_patient',
        `care plan ${input.carePlanId} is not an active plan of this patient`,
      );
    }
    if (plan && given.id !== plan.id) {
      throw DomainError.validation(
        'carePlanId',
        'track',
        `care plan ${input.carePlanId} is not on the ${track} track of visit type ${input.visitType.code}`,
      );
    }
    return given;
  }
}
