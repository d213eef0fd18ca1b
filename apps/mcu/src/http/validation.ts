import { BadRequestException, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { flattenValidationErrors } from './field-problems';
import { VALIDATION_OPTIONS } from './validation-options';

/**
 * The 400 thrown for an invalid body, query or parameter:
 * `{ statusCode: 400, error: "Bad Request", message: ["maxParticipants must not be greater than 1000", …],
 *    fields: { maxParticipants: ["maxParticipants must not be greater than 1000"] } }`.
 */
export function validationException(errors: readonly ValidationError[]): BadRequestException {
  const problems = flattenValidationErrors(errors);
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: problems.flatMap((p) => p.messages),
    fields: Object.fromEntries(problems.map((p) => [p.field, p.messages])),
  });
}

/**
 * The app's global validation: DTOs are instantiated (`transform`), undeclared properties are an
 * error (`whitelist` + `forbidNonWhitelisted`), and errors answer 400 with the fields named.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATION_OPTIONS,
    transform: true,
    exceptionFactory: (errors) => validationException(errors),
  });
}
