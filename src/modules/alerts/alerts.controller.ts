import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { AlertsService } from './alerts.service';
import { AcknowledgeAlertDto, AlertDto, AlertListDto, ListAlertsQueryDto, toAlertDto } from './dto/alert.dto';

@ApiTags('alerts')
@ApiSecurity('adminKey')
@ApiUnauthorizedResponse({ description: 'No admin key', type: ErrorResponseDto })
@ApiForbiddenResponse({ description: 'Wrong admin key, or the admin API is disabled (ADMIN_API_KEYS unset)', type: ErrorResponseDto })
@UseGuards(AdminKeyGuard)
@Controller('dashboard/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'Alerts raised by the monitoring rules, newest first, optionally in one status' })
  @ApiOkResponse({ type: AlertListDto })
  @ApiBadRequestResponse({ description: 'A bad status or limit (the message names it)', type: ErrorResponseDto })
  async list(@Query() query: ListAlertsQueryDto): Promise<AlertListDto> {
    const rows = await this.alerts.list(query.status ?? null, query.limit ?? 100);
    return { alerts: rows.map((r) => toAlertDto(r, this.alerts.ruleNamed(r.rule)?.runbook ?? '')) };
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Acknowledge an open alert: reminders stop; who (the admin key name) and when are recorded',
    description:
      'An alert already acknowledged is answered as it is (the first acknowledgement is kept). An escalation to a higher ' +
      'severity re-opens an acknowledged alert.',
  })
  @ApiOkResponse({ type: AlertDto })
  @ApiBadRequestResponse({ description: 'A bad body (the message names the field)', type: ErrorResponseDto })
  @ApiNotFoundResponse({ description: 'No such alert', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The alert is already resolved', type: ErrorResponseDto })
  async acknowledge(@Param('id') id: string, @Body() body: AcknowledgeAlertDto, @Req() req: FastifyRequest): Promise<AlertDto> {
    const row = await this.alerts.acknowledge(id, req.adminKeyName ?? null, body?.note ?? null);
    return toAlertDto(row, this.alerts.ruleNamed(row.rule)?.runbook ?? '');
  }
}
