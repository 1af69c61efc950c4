import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiErrorResponse } from '../../common/errors/error-response.decorator';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsService, PROMETHEUS_CONTENT_TYPE } from './metrics.service';

@ApiTags('metrics')
// Any one of the admin schemes, as on /dashboard/* (presentedAdminKey).
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiSecurity('adminKey')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @UseGuards(MetricsAccessGuard)
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format 0.0.4)',
    description:
      'Webhooks received/rejected by entity and reason, events processed by entity and outcome, ingest and processing ' +
      'latency histograms (every live process, label `process`), queue depth by status and entity, oldest pending age, ' +
      'dead letters (read from the database at scrape time), and the serving process’s Node.js metrics. Needs an ' +
      'admin key unless the client address is in METRICS_IP_ALLOWLIST.',
  })
  @ApiProduces(PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'Prometheus text',
    schema: {
      type: 'string',
      example: '# HELP tds_queue_backlog_events …\n# TYPE tds_queue_backlog_events gauge\ntds_queue_backlog_events 0\n',
    },
  })
  @ApiErrorResponse(
    401,
    'ADMIN_KEY_REQUIRED',
    'Missing admin key: send Authorization: Bearer <key>, X-API-Key or X-Admin-Key',
    'No admin key (and the address is not in METRICS_IP_ALLOWLIST)',
  )
  @ApiErrorResponse(403, 'ADMIN_AUTH_FAILED', 'Invalid admin key', 'Wrong admin key, or an address outside ADMIN_IP_ALLOWLIST')
  metricsText(): Promise<string> {
    return this.metrics.render();
  }
}
