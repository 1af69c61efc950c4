import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

/**
 * `:id` of a row keyed by a bigint (events, alerts): one to 19 decimal digits; anything else is a
 * malformed parameter (400 naming `id`), the same answer on every route. A well-formed id
 * that names no row (including one beyond bigint) is 404 later.
 */
@Injectable()
export class IdParamPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (!/^\d{1,19}$/.test(value)) {
      throw new DomainError(
        ErrorCode.InvalidParameter,
        `Parameter "id" must be ${this.what} id (a positive integer), got "${value.slice(0, 40)}"`,
        { field: 'id' },
      );
    }
    return value;
  }
}
