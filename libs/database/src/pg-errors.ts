/** SQLSTATE codes the services react to. */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  deadlock: '40P01',
  serializationFailure: '40001',
  invalidTextRepresentation: '22P02',
} as const;

interface PgErrorLike {
  code?: string;
  constraint?: string;
  driverError?: { code?: string; constraint?: string };
}

export function pgErrorCode(error: unknown): string | undefined {
  const e = error as PgErrorLike | null;
  return e?.driverError?.code ?? e?.code;
}

export function pgConstraint(error: unknown): string | undefined {
  const e = error as PgErrorLike | null;
  return e?.driverError?.constraint ?? e?.constraint;
}
