import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiErrorResponse } from '../../common/errors/error-response.decorator';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { Audited } from '../audit/audited.decorator';
import type { AuditOutcome } from '../audit/audited.metadata';
import { ReconcileRequestDto, ReconcileResultDto, SyncStatusDto, toLastPass, toReconcilePass } from './dto/reconcile.dto';
import { ReconcileService } from './reconcile.service';

/** The audit row of a manual run: 200 even when passes failed, so the result and detail say how each pass ended. */
export function reconcileOutcome(res: ReconcileResultDto): AuditOutcome {
  const n = res.passes.length;
  const failed = res.passes.filter((p) => p.status === 'failed');
  const incomplete = res.passes.filter((p) => p.status === 'incomplete');
  const enqueued = res.passes.reduce((sum, p) => sum + p.enqueued, 0);
  const tail = `${incomplete.length ? `, ${incomplete.length} incomplete` : ''}${res.dryRun ? ' (dry run)' : `, ${enqueued} enqueued`}`;
  if (!failed.length) return { result: 'succeeded', detail: `${n - incomplete.length} of ${n} passes completed${tail}` };
  const why = failed.map((p) => `${p.entityType}: ${(p.error ?? p.stopReason ?? 'failed').replace(/\s+/g, ' ')}`).join('; ');
  return { result: 'failed', detail: `${failed.length} of ${n} passes failed: ${why}${tail}`.slice(0, 500) };
}

@ApiTags('sync')
@AdminApi()
@Controller('dashboard/sync')
export class ReconcileController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Audited('reconcile.run', {
    target: (req) => (req.body as { entityType?: string } | undefined)?.entityType ?? 'all',
    outcome: (res) => reconcileOutcome(res as ReconcileResultDto),
  })
  @Post('reconcile')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reconcile now with the Zoho API: list what changed, fetch and enqueue what the ERP lacks (or only report it: dryRun)',
  })
  @ApiOkResponse({ type: ReconcileResultDto })
  @ApiErrorResponse(400, 'BAD_REQUEST', 'dryRun must be a boolean value', 'A malformed field (entityType, since, dryRun)')
  @ApiErrorResponse(409, 'RECONCILE_BUSY', 'A reconciliation pass is already running', 'A pass is already running (scheduled or manual)')
  @ApiErrorResponse(
    503,
    'RECONCILE_NOT_CONFIGURED',
    'Reconciliation is not configured: set ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN and ZOHO_ORGANIZATION_ID',
    'Reconciliation is not configured (ZOHO_* unset)',
  )
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
