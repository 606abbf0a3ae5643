import type { DateTime } from 'luxon';
import { medCheckCadence, type Warning } from './cadence';
import type { Violation } from './errors';
import { eligibilityViolations, type ProviderRole } from './roles';
import {
  workingTimeViolations,
  type Interval,
  type Modality,
  type WorkingBlock,
} from './working-time';

export interface BookingInput {
  start: DateTime;
  end: DateTime;
  now: DateTime;
  patientActive: boolean;
  provider: { roles: readonly ProviderRole[]; active: boolean; name?: string };
  requiredRole: ProviderRole;
  zone: string;
  blocks: readonly WorkingBlock[];
  timeOff: readonly Interval[];
  closures: readonly string[];
  modality: Modality;
  locationId?: string;
  /** Only for MED_CHECK: the plan's other med checks and the visit before the first. */
  cadence?: { visits: readonly DateTime[]; anchor?: DateTime };
  /** A clinician's or admin's documented reason lets a too-soon med check through. */
  overrideCadence: boolean;
}

/**
 * Every rule a booking (or a reschedule, which re-checks everything) breaks, in the order
 * the front desk should read them, plus warnings that do not stop it. Overlaps are not
 * checked here: the database's exclusion constraints decide those under concurrency.
 */
export function bookingViolations(input: BookingInput): {
  violations: Violation[];
  warnings: Warning[];
} {
  const violations: Violation[] = [];
  if (input.start.toMillis() < input.now.toMillis()) {
    violations.push({
      code: 'IN_PAST',
      detail: `${input.start.setZone(input.zone).toFormat('yyyy-MM-dd HH:mm')} has already passed`,
    });
  }
  if (!input.patientActive) {
    violations.push({
      code: 'PATIENT_INACTIVE',
      detail: 'the patient is discharged and cannot be booked',
    });
  }
  violations.push(...eligibilityViolations(input.provider, input.requiredRole));
  violations.push(
    ...workingTimeViolations({
      start: input.start,
      end: input.end,
      zone: input.zone,
      blocks: input.blocks,
      timeOff: input.timeOff,
      closures: input.closures,
      modality: input.modality,
      locationId: input.locationId,
    }),
  );
  if (!input.cadence) return { violations, warnings: [] };
  const cadence = medCheckCadence({ startsAt: input.start, zone: input.zone, ...input.cadence });
  if (!input.overrideCadence) violations.push(...cadence.violations);
  return { violations, warnings: cadence.warnings };
}
