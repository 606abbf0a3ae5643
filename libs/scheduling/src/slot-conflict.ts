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

export interface ConflictQuestion {
  providerId: string;
  start: DateTime;
  end: DateTime;
  idempotency?: { userId: string; key: string };
}

export interface ConflictAnswer {
  conflict: 'provider' | 'patient';
  storedKey: StoredKey | null;
}

/**
 * After bookings' inserts found their slots taken: whose calendar each collided with
 * and, in the same round trip, what each caller's Idempotency-Key holds now (a twin
 * request with the same key may be the one that took it). One statement for many: the
 * losers of a race learn it together.
 */
export async function bookingConflicts(
  em: EntityManager,
  questions: ConflictQuestion[],
): Promise<ConflictAnswer[]> {
  const rows = await em.query<{ n: string; provider: boolean; stored_key: StoredKey | null }[]>(
    `SELECT q.n,
            EXISTS (SELECT 1 FROM appointments a WHERE a.provider_id = q.provider_id AND a.status <> 'cancelled'
                       AND tstzrange(a.starts_at, a.ends_at) && tstzrange(q.s, q.e)) AS provider,
            ${storedKeySql('q.user_id', 'q.key')} AS stored_key
       FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::uuid[], $5::text[])
            WITH ORDINALITY AS q(provider_id, s, e, user_id, key, n)`,
    [
      questions.map((q) => q.providerId),
      questions.map((q) => q.start.toJSDate()),
      questions.map((q) => q.end.toJSDate()),
      questions.map((q) => q.idempotency?.userId ?? null),
      questions.map((q) => q.idempotency?.key ?? null),
    ],
  );
  const byQuestion = new Map(rows.map((row) => [Number(row.n) - 1, row]));
  return questions.map((_, i) => {
    const row = byQuestion.get(i);
    return { conflict: row?.provider ? 'provider' : 'patient', storedKey: row?.stored_key ?? null };
  });
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
