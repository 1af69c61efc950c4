import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiBadRequestResponse,
} from '@nestjs/swagger';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { BackupsService } from './backups.service';
import { BackupListDto, ListBackupsQueryDto, toBackupRun, toBackupStatus } from './dto/backups.dto';

@ApiTags('backups')
@ApiSecurity('adminKey')
@ApiUnauthorizedResponse({ description: 'Missing admin key', type: ErrorResponseDto })
@ApiForbiddenResponse({ description: 'Wrong admin key, or the admin API disabled (ADMIN_API_KEYS unset)', type: ErrorResponseDto })
@UseGuards(AdminKeyGuard)
@Controller('dashboard/backups')
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @Get()
  @ApiOperation({ summary: 'Backup runs (newest first) with the backup status the alert rule reads' })
  @ApiOkResponse({ type: BackupListDto })
  @ApiBadRequestResponse({ description: 'A malformed query parameter', type: ErrorResponseDto })
  async list(@Query() query: ListBackupsQueryDto): Promise<BackupListDto> {
    const [status, runs] = await Promise.all([this.backups.status(), this.backups.list(query.limit ?? 50)]);
    return { status: toBackupStatus(status), runs: runs.map(toBackupRun) };
  }
}
