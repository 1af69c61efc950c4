import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { MonitoringService } from '../monitoring/monitoring.service';
import { QueueService } from '../queue/queue.service';
import { DashboardMetricsDto, toDashboardMetrics } from './dto/metrics.dto';

@ApiTags('dashboard')
@AdminApi()
@Controller('dashboard')
export class DashboardMetricsController {
  constructor(
    private readonly queue: QueueService,
    private readonly monitoring: MonitoringService,
  ) {}

  @Get('metrics')
  @ApiOperation({
    summary:
      'Current figures: the live queue, and throughput, failure rate, latency, freshness, alerts, workers and database health of the newest monitoring snapshot',
    description:
      'The queue by status is read live; the other figures come from the newest monitoring snapshot (every TDS_MONITORING_CRON, 5 minutes by default; `snapshotAt` says when). Two indexed reads.',
  })
  @ApiOkResponse({ type: DashboardMetricsDto })
  async metrics(): Promise<DashboardMetricsDto> {
    const [queue, latest] = await Promise.all([this.queue.stats(), this.monitoring.latestSnapshot()]);
    return toDashboardMetrics(queue, latest);
  }
}
