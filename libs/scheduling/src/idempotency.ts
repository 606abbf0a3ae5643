import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '@app/domain';

export interface IdempotencyClaim {
  userId: string;
  key: string;
  hash: string;
}

/** A key's row: the hash of the request that used it and the response stored for it. */
export interface StoredKey {
  hash: string;
  response: unknown;
}

/**
 * The key's row as one JSON value ({hash, response}) or null, for a query's select list;
 * `user` and `key` are the parameters holding the user id and the key.
 */
export const storedKeySql = (user: string, key: string): string =>
  `(SELECT json_build_object('hash', request_hash, 'response', response_body)
      FROM idempotency_keys WHERE user_id = ${user}::uuid AND key = ${key}::text)`;

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
 * The answer for a request whose key is already used: the stored response when it is
 * the same request, else IDEMPOTENCY_CONFLICT. A key is written together with its
 * response, so a row without one is not a request in flight (it predates that).
 */
export function replayStored<T>(stored: StoredKey, hash: string): T {
  if (stored.hash !== hash || stored.response === null) throw idempotencyConflict();
  return stored.response as T;
}

/** The key's row as committed now, if any. */
export async function readStoredKey(
  em: EntityManager,
  claim: IdempotencyClaim,
): Promise<StoredKey | null> {
  const [row] = await em.query<{ stored: StoredKey | null }[]>(
    `SELECT ${storedKeySql('$1', '$2')} AS stored`,
    [claim.userId, claim.key],
  );
  return row?.stored ?? null;
}

export function idempotencyConflict(): DomainError {
  return new DomainError(
    'IDEMPOTENCY_CONFLICT',
    'This Idempotency-Key was already used with a different request; use a new key for a new booking',
  );
}
