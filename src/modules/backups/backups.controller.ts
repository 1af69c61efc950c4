import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { ApiErrorResponse } from '../../common/errors/error-response.decorator';
import { BackupsService } from './backups.service';
import { BackupListDto, ListBackupsQueryDto, toBackupRun, toBackupStatus } from './dto/backups.dto';

@ApiTags('backups')
@AdminApi()
@Controller('dashboard/backups')
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @Get()
  @ApiOperation({ summary: 'Backup runs (newest first) with the backup status the alert rule reads' })
  @ApiOkResponse({ type: BackupListDto })
  @ApiErrorResponse(400, 'BAD_REQUEST', 'limit must not be greater than 500', 'A malformed query parameter (the message names it)')
  async list(@Query() query: ListBackupsQueryDto): Promise<BackupListDto> {
    const [status, runs] = await Promise.all([this.backups.status(), this.backups.list(query.limit ?? 50)]);
    return { status: toBackupStatus(status), runs: runs.map(toBackupRun) };
  }
}
