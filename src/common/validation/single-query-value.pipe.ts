import { type ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

/**
 * No query parameter of ours takes several values: `?limit=1&limit=2` (which the query parser turns into an array)
 * is refused with one message naming the parameter, before ValidationPipe would list every constraint the array
 * fails. Runs as a global pipe ahead of ValidationPipe, on query arguments only.
 */
@Injectable()
export class SingleQueryValuePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'query') return value;
    if (metadata.data) {
      if (Array.isArray(value)) throw repeated(metadata.data);
      return value;
    }
    if (value && typeof value === 'object') {
      const name = Object.keys(value).find((k) => Array.isArray((value as Record<string, unknown>)[k]));
      if (name !== undefined) throw repeated(name);
    }
    return value;
  }
}

function repeated(name: string): DomainError {
  return new DomainError(ErrorCode.InvalidParameter, `Parameter "${name.slice(0, 40)}" is given more than once`, {
    field: name.slice(0, 40),
  });
}
