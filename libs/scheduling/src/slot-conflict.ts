import type { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { DomainError } from '@app/domain';
import { storedKeySql, type StoredKey } from './idempotency';

const PROVIDER_BUSY = `EXISTS (SELECT 1 FROM appointments WHERE provider_id = $1 AND status <> 'cancelled'
  AND tstzrange(starts_at, ends_at) && tstzrange($2, $3) AND id IS DISTINCT FROM $4)`;

/** What a slot conflict collided with: the provider's calendar or the patient's. */
export async function conflictOf(
  em: EntityManager,
  providerId: string,
  start: DateTime,
  end: DateTime,
  excludeId?: string,
): Promise<'provider' | 'patient'> {
  const [row] = await em.query<{ provider: boolean }[]>(`SELECT ${PROVIDER_BUSY} AS provider`, [
    providerId,
    start.toJSDate(),
    end.toJSDate(),
    excludeId ?? null,
  ]);
  return row?.provider ? 'provider' : 'patient';
}

/**
 * After a booking's insert found its slot taken: whose calendar it collided with and, in
 * the same round trip, what the caller's Idempotency-Key holds now (a twin request with
 * the same key may be the one that took it).
 */
export async function bookingConflict(
  em: EntityManager,
  input: {
    providerId: string;
    start: DateTime;
    end: DateTime;
    idempotency?: { userId: string; key: string };
  },
): Promise<{ conflict: 'provider' | 'patient'; storedKey: StoredKey | null }> {
  const [row] = await em.query<{ provider: boolean; stored_key: StoredKey | null }[]>(
    `SELECT ${PROVIDER_BUSY} AS provider, ${storedKeySql('$5', '$6')} AS stored_key`,
    [
      input.providerId,
      input.start.toJSDate(),
      input.end.toJSDate(),
      null,
      input.idempotency?.userId ?? null,
      input.idempotency?.key ?? null,
    ],
  );
  return { conflict: row?.provider ? 'provider' : 'patient', storedKey: row?.stored_key ?? null };
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
