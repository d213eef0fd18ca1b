import type { ValidatorOptions } from 'class-validator';

/**
 * class-validator options of every request DTO: properties the DTO does not declare are an error
 * (`whitelist` + `forbidNonWhitelisted`), and so is a body that is not an object (`forbidUnknownValues`).
 */
export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
} as const satisfies ValidatorOptions;
