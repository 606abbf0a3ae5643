import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ProblemDto } from './problem.dto';

/** The error responses every booking-like route can give. */
export const ApiBookingErrors = () =>
  applyDecorators(
    ApiBadRequestResponse({
      type: ProblemDto,
      description: 'VALIDATION: a field is missing or malformed (errors[] names it)',
    }),
    ApiNotFoundResponse({
      type: ProblemDto,
      description: 'NOT_FOUND: patient, provider or appointment',
    }),
    ApiConflictResponse({
      type: ProblemDto,
      description:
        'SLOT_TAKEN (conflict: provider|patient), INVALID_TRANSITION or IDEMPOTENCY_CONFLICT',
    }),
    ApiUnprocessableEntityResponse({
      type: ProblemDto,
      description:
        'A booking rule is broken; violations[] lists every one (IN_PAST, PROVIDER_NOT_ELIGIBLE, OUTSIDE_WORKING_HOURS, PROVIDER_TIME_OFF, CLINIC_CLOSED, CADENCE_TOO_SOON, PATIENT_INACTIVE, …)',
    }),
  );
