import type { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { DomainError } from '@app/domain';
import { storedKeySql, type StoredKey } from './idempotency';

/**
 * Whether a provider's (or a patient's) calendar has a visit, other than `excludeId`,
 * over [start, end): the overlap the exclusion constraints refuse, as an SQL condition
 * over the given expressions (parameters or columns).
 */
export function busySql(
  who: 'provider_id' | 'patient_id',
  id: string,
  start: string,
  end: string,
  excludeId = 'NULL::uuid',
): string {
  return `EXISTS (SELECT 1 FROM appointments a WHERE a.${who} = ${id} AND a.status <> 'cancelled'
    AND tstzrange(a.starts_at, a.ends_at) && tstzrange(${start}, ${end}) AND a.id IS DISTINCT FROM ${excludeId})`;
}

/** What a slot conflict collided with: the provider's calendar or the patient's. */
export async function conflictOf(
  em: EntityManager,
  providerId: string,
  start: DateTime,
  end: DateTime,
  excludeId?: string,
): Promise<'provider' | 'patient'> {
  const [row] = await em.query<{ provider: boolean }[]>(
    `SELECT ${busySql('provider_id', '$1', '$2', '$3', '$4')} AS provider`,
    [providerId, start.toJSDate(), end.toJSDate(), excludeId ?? null],
  );
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
            ${busySql('provider_id', 'q.provider_id', 'q.s', 'q.e')} AS provider,
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

/** Whether `error` is slotTaken()'s, for the given side when one is named. */
export function isSlotTaken(
  error: unknown,
  conflict?: 'provider' | 'patient',
): error is DomainError {
  return (
    error instanceof DomainError &&
    error.code === 'SLOT_TAKEN' &&
    (conflict === undefined || error.extras.conflict === conflict)
  );
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
