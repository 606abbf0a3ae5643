import type { Pool } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * Hot statements (a booking's context query and its insert) as named prepared
 * statements on the pool's connections: Postgres then parses and plans each once per
 * connection instead of on every request, which for the context query was about 1 ms
 * of database CPU per booking, more than executing it. Inside a transaction (`em` with
 * a query runner, as series booking and reschedule use) the statement runs on that
 * transaction's connection, unprepared. `name` must be unique per statement text.
 */
export async function preparedQuery<T>(
  em: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  if (em.queryRunner) return em.query<T[]>(text, values);
  const pool = (em.connection.driver as unknown as { master: Pool }).master;
  return (await pool.query({ name, text, values })).rows as T[];
}
