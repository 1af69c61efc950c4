import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { EventBrowserService } from '../queue/event-browser.service';
import { QueueBreakdownDto, toQueueBreakdown } from './dto/queue-stats.dto';
import { QueueStatsQueryDto } from './dto/metrics.dto';
import { MonitoringService } from '../monitoring/monitoring.service';

@ApiTags('dashboard')
@AdminApi()
@Controller('dashboard')
export class DashboardQueueController {
  constructor(
    private readonly events: EventBrowserService,
    private readonly monitoring: MonitoringService,
  ) {}

  @Get('queue-stats')
  @ApiOperation({
    summary:
      'Queue by status × entity type, oldest pending event, retry histogram (last 24 hours), and a time series of the monitoring snapshots',
    description:
      'Unfinished statuses are exact over the whole queue; completed counts and the histogram cover events received in the last 24 hours. ' +
      '`series`: one point per monitoring snapshot of the last `hours` hours (at most 500, evenly thinned), oldest first.',
  })
  @ApiOkResponse({ type: QueueBreakdownDto })
  async stats(@Query() query: QueueStatsQueryDto): Promise<QueueBreakdownDto> {
    const [breakdown, series] = await Promise.all([this.events.breakdown(), this.monitoring.series(query.hours ?? 24)]);
    return {
      ...toQueueBreakdown(breakdown),
      series: series.map((p) => ({
        takenAt: p.taken_at,
        pending: p.pending,
        deadLetter: p.dead_letter,
        oldestPendingAgeSeconds: p.oldest_pending_age_s,
        failureRate: p.failure_rate,
        throughputPerMinute: p.throughput_per_minute,
        latencyP95Ms: p.latency_p95_ms,
        liveWorkers: p.live_workers,
        openAlerts: p.open_alerts,
      })),
    };
  }
}
