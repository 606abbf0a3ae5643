import { ParseArrayPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, type FieldError } from '@app/domain';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknown_field' : rule,
      message: rule === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

export function validationException(errors: ValidationError[]): DomainError {
  const fieldErrors = flatten(errors);
  const detail = fieldErrors.map((e) => e.message).join('; ') || 'The request is not valid';
  return new DomainError('VALIDATION', detail, { errors: fieldErrors });
}

export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
  exceptionFactory: validationException,
} as const;

/** Rejects unknown fields and names every bad one; the filter turns it into a 400. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe(VALIDATION_OPTIONS);
}

/** For bodies that are a bare JSON array of objects (PUT …/working-hours). */
export function arrayOf(items: new () => object, maxItems: number): ParseArrayPipe {
  return new ParseArrayPipe({
    ...VALIDATION_OPTIONS,
    items,
    exceptionFactory: (errors) => {
      if (Array.isArray(errors)) return validationException(errors as ValidationError[]);
      return DomainError.validation(
        'body',
        'isArray',
        `the body must be a JSON array (${maxItems} items at most)`,
      );
    },
  });
}
