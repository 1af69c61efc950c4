import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { HealthIndicatorProvider } from '../health/health-indicators';
import { MonitoringService } from './monitoring.service';

/**
 * /health "alerts": the open alerts by severity from the newest snapshot, from memory (MonitoringService keeps it;
 * no query on the probe path). Informational: always up — an alert is reported through its notifications, and
 * /health must not turn a warning into a restart.
 */
@Injectable()
export class AlertsHealthIndicator implements HealthIndicatorProvider {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly monitoring: MonitoringService,
  ) {}

  check() {
    const s = this.monitoring.latestSummary();
    const session = this.health.check('alerts');
    if (!s) return session.up({ open: null, snapshotAt: null, message: 'no monitoring snapshot yet' });
    return session.up({
      open: s.openAlerts,
      snapshotAt: s.takenAt.toISOString(),
      snapshotAgeSeconds: Math.max(0, Math.round((Date.now() - s.takenAt.getTime()) / 1000)),
    });
  }
}
