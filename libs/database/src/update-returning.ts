import type { EntityManager } from 'typeorm';

/**
 * The rows of an UPDATE or DELETE … RETURNING. TypeORM's Postgres driver answers those
 * two commands with [rows, affected count] where every other statement gets its rows
 * (PostgresQueryRunner.query), so `rows.length` would be 2 and `rows[0]` an array. A
 * statement wrapped in WITH … SELECT is a SELECT and does not need this.
 */
export async function updateReturning<T>(
  em: Pick<EntityManager, 'query'>,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  if (!/^\s*(UPDATE|DELETE)\b/i.test(sql)) {
    throw new Error('updateReturning() is for UPDATE or DELETE … RETURNING statements');
  }
  const [rows] = await em.query<[T[], number]>(sql, parameters);
  return rows;
}
