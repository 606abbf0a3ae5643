import type { ErrorCode } from '@app/domain';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SLOT_TAKEN: 409,
  INVALID_TRANSITION: 409,
  IDEMPOTENCY_CONFLICT: 409,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  IN_PAST: 422,
  PROVIDER_NOT_ELIGIBLE: 422,
  OUTSIDE_WORKING_HOURS: 422,
  PROVIDER_TIME_OFF: 422,
  CLINIC_CLOSED: 422,
  CADENCE_TOO_SOON: 422,
  PATIENT_INACTIVE: 422,
  PROVIDER_INACTIVE: 422,
  MODALITY_NOT_OFFERED: 422,
  NONEXISTENT_LOCAL_TIME: 422,
};

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Booking rule violated',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  [extra: string]: unknown;
}

export function problem(
  status: number,
  code: string,
  detail: string,
  extras: object = {},
): ProblemBody {
  return {
    type: `https://clinic.example/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extras,
  };
}
