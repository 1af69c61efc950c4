import { Module } from '@nestjs/common';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { QueueModule } from '../queue/queue.module';
import { DashboardAuditController } from './dashboard-audit.controller';
import { DashboardDeadLetterController } from './dashboard-dead-letter.controller';
import { DashboardEventsController } from './dashboard-events.controller';
import { DashboardQueueController } from './dashboard-queue.controller';

/**
 * The operator API under /dashboard (controllers and DTOs; the work is done by the queue and audit modules). Every
 * route: admin key, per-key rate limits (@AdminApi), actions audited (@Audited). docs/decisions/0020.
 */
@Module({
  imports: [QueueModule],
  controllers: [DashboardEventsController, DashboardDeadLetterController, DashboardQueueController, DashboardAuditController],
  providers: [AdminKeyGuard],
})
export class DashboardModule {}
