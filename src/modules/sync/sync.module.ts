import { Module } from '@nestjs/common';
import { SyncService } from './sync.service';
import { ErpRowRepository } from './erp-row.repository';

@Module({ providers: [SyncService, ErpRowRepository], exports: [SyncService] })
export class SyncModule {}
