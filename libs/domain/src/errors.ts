/**
 * Every failure the product can explain to a user has a code. Libraries throw
 * DomainError; the API filter maps the code to an HTTP status and problem+json body,
 * the worker maps it to retry-or-give-up. Nothing below the apps knows about HTTP.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'SLOT_TAKEN',
  'INVALID_TRANSITION',
  'IDEMPOTENCY_CONFLICT',
  'CONFLICT',
  'RATE_LIMITED',
  'IN_PAST',
  'PROVIDER_NOT_ELIGIBLE',
  'OUTSIDE_WORKING_HOURS',
  'PROVIDER_TIME_OFF',
  'CLINIC_CLOSED',
  'CADENCE_TOO_SOON',
  'PATIENT_INACTIVE',
  'PROVIDER_INACTIVE',
  'MODALITY_NOT_OFFERED',
  'NONEXISTENT_LOCAL_TIME',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A broken booking rule: what the front desk sees in `violations[]`. */
export interface Violation {
  code: RuleCode;
  detail: string;
}

/** Codes a booking rule can report (all answered with 422). */
export type RuleCode = Extract<
  ErrorCode,
  | 'IN_PAST'
  | 'PROVIDER_NOT_ELIGIBLE'
  | 'OUTSIDE_WORKING_HOURS'
  | 'PROVIDER_TIME_OFF'
  | 'CLINIC_CLOSED'
  | 'CADENCE_TOO_SOON'
  | 'PATIENT_INACTIVE'
  | 'PROVIDER_INACTIVE'
  | 'MODALITY_NOT_OFFERED'
  | 'NONEXISTENT_LOCAL_TIME'
>;

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export interface DomainErrorExtras {
  errors?: FieldError[];
  violations?: Violation[];
  conflict?: 'provider' | 'patient';
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extras: DomainErrorExtras = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = 'DomainError';
  }

  static notFound(entity: string, id: string): DomainError {
    return new DomainError('NOT_FOUND', `${entity} ${id} does not exist`);
  }

  static forbidden(detail = 'You may not access this record'): DomainError {
    return new DomainError('FORBIDDEN', detail);
  }

  static validation(field: string, rule: string, message: string): DomainError {
    return new DomainError('VALIDATION', message, { errors: [{ field, rule, message }] });
  }

  /** A 422 listing every broken rule; `code` is the first one's. */
  static rules(violations: Violation[]): DomainError {
    const [first] = violations;
    if (!first) throw new Error('DomainError.rules needs at least one violation');
    return new DomainError(first.code, first.detail, { violations });
  }
}
