import { Module } from '@nestjs/common';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { SchedulingModule } from '../scheduling/scheduling.module';
import { BackupRunRepository } from './backup-run.repository';
import { BackupsController } from './backups.controller';
import { BackupsScheduler } from './backups.scheduler';
import { BackupsService } from './backups.service';

/** Scheduled pg_dump, verification, file retention, restore (docs/BACKUP_GUIDE.md). Exports BackupsService (status() for the alert rule). */
@Module({
  imports: [SchedulingModule],
  controllers: [BackupsController],
  providers: [AdminKeyGuard, BackupRunRepository, BackupsService, BackupsScheduler],
  exports: [BackupsService],
})
export class BackupsModule {}
