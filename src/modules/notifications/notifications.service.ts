import { Injectable, Logger } from '@nestjs/common';
import type { AlertNotice } from './alert-notice';

/**
 * Hands alert notices to the notification channels. `notify()` never throws and never waits for a delivery: the
 * monitoring run and the pipeline are never held up by a channel. Until channels are configured, a notice is a
 * warning line in the log.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  notify(notice: AlertNotice): void {
    this.logger.warn(`alert ${notice.kind}: [${notice.severity}] ${notice.title} (${notice.rule}, value ${notice.value ?? '-'})`);
  }
}
