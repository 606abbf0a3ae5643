import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '@app/domain';

export interface IdempotencyClaim {
  userId: string;
  key: string;
  hash: string;
}

/** Stable across key order, so the same body sent twice hashes the same. */
export function requestHash(route: string, body: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, canonical(v)]),
      );
    }
    return value;
  };
  return createHash('sha256')
    .update(route)
    .update('\n')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

/**
 * Claims the key inside the caller's transaction. The first request inserts the row; a
 * concurrent twin blocks on the primary key until the first commits, then sees its
 * stored response. Returns that stored response, or null when this request owns the key.
 */
export async function claimIdempotencyKey<T>(
  em: EntityManager,
  claim: IdempotencyClaim,
): Promise<T | null> {
  const inserted = await em.query<unknown[]>(
    `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
    [claim.userId, claim.key, claim.hash],
  );
  if (inserted.length > 0) return null;
  const [stored] = await em.query<{ request_hash: string; response_body: T | null }[]>(
    `SELECT request_hash, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
    [claim.userId, claim.key],
  );
  if (!stored || stored.request_hash !== claim.hash || stored.response_body === null)
    throw idempotencyConflict();
  return stored.response_body;
}

/** The stored response of a finished request with this key, if any (no lock, no row written). */
export async function peekIdempotencyKey<T>(
  em: EntityManager,
  claim: IdempotencyClaim,
): Promise<T | null> {
  const [stored] = await em.query<{ request_hash: string; response_body: T | null }[]>(
    `SELECT request_hash, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
    [claim.userId, claim.key],
  );
  if (!stored) return null;
  if (stored.request_hash !== claim.hash) throw idempotencyConflict();
  return stored.response_body;
}

function idempotencyConflict(): DomainError {
  return new DomainError(
    'IDEMPOTENCY_CONFLICT',
    'This Idempotency-Key was already used with a different request; use a new key for a new booking',
  );
}

export async function storeIdempotentResponse(
  em: EntityManager,
  claim: IdempotencyClaim,
  body: unknown,
): Promise<void> {
  await em.query(
    `UPDATE idempotency_keys SET response_status = 201, response_body = $3 WHERE user_id = $1 AND key = $2`,
    [claim.userId, claim.key, JSON.stringify(body)],
  );
}
