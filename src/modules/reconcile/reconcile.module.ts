import { Module } from '@nestjs/common';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { QueueModule } from '../queue/queue.module';
import { SchedulingModule } from '../scheduling/scheduling.module';
import { ReconcileController } from './reconcile.controller';
import { ReconcileRepository } from './reconcile.repository';
import { ReconcileScheduler } from './reconcile.scheduler';
import { ReconcileService } from './reconcile.service';
import { ZohoApiClient } from './zoho-api.client';
import { ZohoApiUsageRepository } from './zoho-api-usage.repository';
import { ZohoTokenRepository } from './zoho-token.repository';
import { ZohoTokenService } from './zoho-token.service';

/** Reconciliation with the Zoho API (docs/RECONCILIATION.md): the API client, passes, the schedule and the admin routes. */
@Module({
  imports: [QueueModule, SchedulingModule],
  controllers: [ReconcileController],
  providers: [
    AdminKeyGuard,
    ReconcileRepository,
    ReconcileScheduler,
    ReconcileService,
    ZohoApiClient,
    ZohoApiUsageRepository,
    ZohoTokenRepository,
    ZohoTokenService,
  ],
  exports: [ReconcileService, ZohoApiClient],
})
export class ReconcileModule {}
