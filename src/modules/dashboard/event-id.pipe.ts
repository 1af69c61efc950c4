import { Injectable } from '@nestjs/common';
import { IdParamPipe } from '../../common/validation/id-param.pipe';

/** `:id` of an event: digits (a bigint); anything else is a malformed parameter (400). An unknown id is 404 later. */
@Injectable()
export class EventIdPipe extends IdParamPipe {
  constructor() {
    super('an event');
  }
}
