import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/**
 * Counts the SQL statements sent to Postgres while `work` runs (all of them go through
 * the query runner). It watches; it does not replace anything.
 */
export async function countQueries<T>(
  work: () => Promise<T>,
): Promise<{ result: T; queries: number; statements: string[] }> {
  const statements: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply() below
  const original = PostgresQueryRunner.prototype.query;
  const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (
    this: PostgresQueryRunner,
    ...args: Parameters<typeof original>
  ) {
    const sql = String(args[0]);
    if (!/^(START TRANSACTION|COMMIT|ROLLBACK|BEGIN)/i.test(sql.trim()))
      statements.push(sql.trim().slice(0, 80));
    return original.apply(this, args);
  });
  try {
    const result = await work();
    return { result, queries: statements.length, statements };
  } finally {
    spy.mockRestore();
  }
}
