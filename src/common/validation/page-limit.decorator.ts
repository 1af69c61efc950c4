import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/**
 * A `limit` parameter: decimal digits only in a query (`1e1`, `0x10`, ` 5` and `2.0` are refused rather than read as
 * numbers), or an integer in a JSON body; between 1 and `max`; one message whichever bound or form is wrong.
 */
export function PageLimit(max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value)),
    ValidateBy({
      name: 'pageLimit',
      constraints: [max],
      validator: {
        validate: (value: unknown) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max,
        defaultMessage: (args) => `${args?.property ?? 'limit'} must be an integer between 1 and ${max}`,
      },
    }),
  );
}
