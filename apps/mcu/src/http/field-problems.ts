import type { ValidationError } from 'class-validator';

/** One invalid field: its path in the body (`"maxParticipants"`, `"items.0.name"`) and what is wrong. */
export interface FieldProblem {
  readonly field: string;
  readonly messages: string[];
}

/**
 * Flattens class-validator's error tree into one entry per invalid field, with dotted paths for
 * nested objects and arrays. A property the DTO does not declare shows up as
 * `{ field: "foo", messages: ["property foo should not exist"] }`.
 */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent === '' ? error.property : `${parent}.${error.property}`;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) problems.push({ field, messages });
    if (error.children !== undefined && error.children.length > 0) problems.push(...flattenValidationErrors(error.children, field));
  }
  return problems;
}
