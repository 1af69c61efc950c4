import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { AuditService } from '../audit/audit.service';
import { decodeCursor, pageOf } from './cursor';
import { BAD_QUERY } from './dashboard-events.controller';
import { AuditPageDto, AuditQueryDto, toAuditEntry } from './dto/audit.dto';

@ApiTags('dashboard')
@AdminApi()
@Controller('dashboard')
export class DashboardAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit')
  @ApiOperation({ summary: 'The audit log of admin actions (key name, action, target, client IP, result), newest first' })
  @ApiOkResponse({ type: AuditPageDto })
  @BAD_QUERY
  async list(@Query() q: AuditQueryDto): Promise<AuditPageDto> {
    const limit = q.limit ?? 50;
    const rows = await this.audit.list(
      {
        action: q.action,
        keyName: q.keyName,
        target: q.target,
        result: q.result,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      },
      limit + 1,
      decodeCursor('a', q.cursor),
    );
    const page = pageOf('a', rows, limit);
    return { items: page.items.map(toAuditEntry), nextCursor: page.nextCursor };
  }
}
