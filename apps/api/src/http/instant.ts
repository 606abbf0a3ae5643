import type { DateTime } from 'luxon';
import { DomainError, parseInstant } from '@app/domain';

/** For fields the DTO already checked with @IsInstant: parse, keeping a clear 400 as the backstop. */
export function instant(value: string, field = 'startsAt'): DateTime {
  const parsed = parseInstant(value);
  if (!parsed)
    throw DomainError.validation(
      field,
      'isInstantWithOffset',
      `${field} must be an ISO-8601 instant with an offset`,
    );
  return parsed;
}
