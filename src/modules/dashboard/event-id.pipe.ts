import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';

/** `:id` of an event: digits (a bigint); anything else is a malformed parameter (400). An unknown id is 404 later. */
@Injectable()
export class EventIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^\d{1,19}$/.test(value)) {
      throw new DomainError(
        ErrorCode.InvalidParameter,
        `Parameter "id" must be an event id (a positive integer), got "${value.slice(0, 40)}"`,
        {
          field: 'id',
        },
      );
    }
    return value;
  }
}
