import { buildMessage, ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';

/**
 * The end of a window (`to`) must not be earlier than its start (`from`, named by `startProperty`): such a window
 * is a mistake, not an empty result. Checked only when both parse as dates; their format is checked by IsISO8601.
 */
export function NotBefore(startProperty: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notBefore',
      constraints: [startProperty],
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const start = (args?.object as Record<string, unknown> | undefined)?.[startProperty];
          if (typeof value !== 'string' || typeof start !== 'string') return true;
          const end = Date.parse(value);
          const begin = Date.parse(start);
          return Number.isNaN(end) || Number.isNaN(begin) || end >= begin;
        },
        defaultMessage: buildMessage((each) => `${each}$property must not be earlier than $constraint1`, options),
      },
    },
    options,
  );
}
