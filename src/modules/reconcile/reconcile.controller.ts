import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { Audited } from '../audit/audited.decorator';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ReconcileRequestDto, ReconcileResultDto, SyncStatusDto, toLastPass, toReconcilePass } from './dto/reconcile.dto';
import { ReconcileService } from './reconcile.service';

@ApiTags('sync')
@AdminApi()
@Controller('dashboard/sync')
export class ReconcileController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Audited('reconcile.run', { target: (req) => (req.body as { entityType?: string } | undefined)?.entityType ?? 'all' })
  @Post('reconcile')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reconcile now with the Zoho API: list what changed, fetch and enqueue what the ERP lacks (or only report it: dryRun)',
  })
  @ApiOkResponse({ type: ReconcileResultDto })
  @ApiBadRequestResponse({ description: 'A malformed field (entityType, since, dryRun)', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'A pass is already running (scheduled or manual)', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({ description: 'Reconciliation is not configured (ZOHO_* unset)', type: ErrorResponseDto })
  async run(@Body() body: ReconcileRequestDto, @Req() req: FastifyRequest): Promise<ReconcileResultDto> {
    const passes = await this.reconcile.runManual({
      entityType: body.entityType,
      since: body.since === undefined ? undefined : new Date(body.since),
      dryRun: body.dryRun === true,
      adminKeyName: req.adminKeyName ?? null,
    });
    return { dryRun: body.dryRun === true, passes: passes.map(toReconcilePass) };
  }

  @Get('status')
  @ApiOperation({ summary: 'Zoho API budget in use, and per entity type the watermark, a resumable cursor and the last pass' })
  @ApiOkResponse({ type: SyncStatusDto })
  async status(): Promise<SyncStatusDto> {
    const s = await this.reconcile.status();
    return { ...s, entities: s.entities.map((e) => ({ ...e, lastPass: e.lastPass ? toLastPass(e.lastPass) : null })) };
  }
}
