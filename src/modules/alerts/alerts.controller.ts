import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiErrorResponse } from '../../common/errors/error-response.decorator';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { IdParamPipe } from '../../common/validation/id-param.pipe';
import { Audited } from '../audit/audited.decorator';
import { AlertsService } from './alerts.service';
import { AcknowledgeAlertDto, AlertDto, AlertListDto, ListAlertsQueryDto, toAlertDto } from './dto/alert.dto';

@ApiTags('alerts')
@AdminApi()
@Controller('dashboard/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'Alerts raised by the monitoring rules, newest first, optionally in one status' })
  @ApiOkResponse({ type: AlertListDto })
  @ApiErrorResponse(
    400,
    'BAD_REQUEST',
    'status must be one of the following values: open, acknowledged, resolved',
    'A bad status or limit (the message names it)',
  )
  async list(@Query() query: ListAlertsQueryDto): Promise<AlertListDto> {
    const rows = await this.alerts.list(query.status ?? null, query.limit ?? 100);
    return { alerts: rows.map((r) => toAlertDto(r, this.alerts.ruleNamed(r.rule)?.runbook ?? '')) };
  }

  @Audited('alert.acknowledge')
  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Acknowledge an open alert: reminders stop; who (the admin key name) and when are recorded',
    description:
      'An alert already acknowledged is answered as it is (the first acknowledgement is kept). An escalation to a higher ' +
      'severity re-opens an acknowledged alert.',
  })
  @ApiOkResponse({ type: AlertDto })
  @ApiErrorResponse(
    400,
    'INVALID_PARAMETER',
    'Parameter "id" must be an alert id (a positive integer), got "abc"',
    'A malformed id (INVALID_PARAMETER) or body field (BAD_REQUEST, e.g. note must be a string); the message names it',
  )
  @ApiErrorResponse(404, 'ALERT_NOT_FOUND', 'No alert 42', 'No such alert')
  @ApiErrorResponse(409, 'ALERT_ALREADY_RESOLVED', 'Alert 42 is already resolved', 'The alert is already resolved')
  async acknowledge(
    @Param('id', new IdParamPipe('an alert')) id: string,
    @Body() body: AcknowledgeAlertDto,
    @Req() req: FastifyRequest,
  ): Promise<AlertDto> {
    const row = await this.alerts.acknowledge(id, req.adminKeyName ?? null, body?.note ?? null);
    return toAlertDto(row, this.alerts.ruleNamed(row.rule)?.runbook ?? '');
  }
}
