import { Module } from '@nestjs/common';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { AlertRepository } from './alert.repository';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

/** Alert rules over the monitoring snapshots, the alerts' lifecycle and the operator routes (/dashboard/alerts). */
@Module({
  imports: [MonitoringModule, NotificationsModule],
  controllers: [AlertsController],
  providers: [AdminKeyGuard, AlertRepository, AlertsService],
  exports: [AlertsService],
})
export class AlertsModule {}
