import type { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { DomainError } from '@app/domain';

/** What a slot conflict collided with: the provider's calendar or the patient's. */
export async function conflictOf(
  em: EntityManager,
  providerId: string,
  start: DateTime,
  end: DateTime,
  excludeId?: string,
): Promise<'provider' | 'patient'> {
  const [row] = await em.query<{ provider: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM appointments WHERE provider_id = $1 AND status <> 'cancelled'
        AND tstzrange(starts_at, ends_at) && tstzrange($2, $3) AND id IS DISTINCT FROM $4) AS provider`,
    [providerId, start.toJSDate(), end.toJSDate(), excludeId ?? null],
  );
  return row?.provider ? 'provider' : 'patient';
}

export function slotTaken(conflict: 'provider' | 'patient'): DomainError {
  return new DomainError(
    'SLOT_TAKEN',
    conflict === 'provider'
      ? 'The provider already has a visit at this time'
      : 'The patient already has a visit at this time',
    { conflict },
  );
}
