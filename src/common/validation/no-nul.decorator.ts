import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * A text field that reaches PostgreSQL: a NUL character cannot be stored or compared there (22021), so it is a
 * malformed parameter (400 naming the field) rather than a 500. Values that are not strings are left to the other
 * decorators of the field.
 */
export function NoNul(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noNul',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !value.includes('\u0000'),
        defaultMessage: buildMessage((each) => `${each}$property must not contain a NUL character (\\u0000)`, options),
      },
    },
    options,
  );
}
