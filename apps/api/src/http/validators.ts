import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isIsoDate, parseInstant } from '@app/domain';

/** A calendar date YYYY-MM-DD that exists (no 2027-02-30). */
export function IsIsoDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isIsoDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be a date YYYY-MM-DD`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isIsoDate(value) },
    });
}

/** An ISO-8601 instant WITH an offset: a bare local time is ambiguous around DST. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isInstantWithOffset',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be an ISO-8601 instant with an offset, e.g. 2027-03-01T10:00:00-05:00`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseInstant(value) !== null,
      },
    });
}

export const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
